"""Every malformed query or form parameter is a 400 with a clear message (JSON on the API),
never a server error.

"²" is the probe's favourite: `"²".isdigit()` is true but `int("²")` fails.
"""

from __future__ import annotations

import pytest
from django.test import Client
from rest_framework.authtoken.models import Token

pytestmark = pytest.mark.django_db


def no_crash(response, *, json: bool) -> None:
    assert response.status_code == 400, response.content[:300]
    if json:
        assert response["Content-Type"].startswith("application/json")
        assert response.json()["detail"]


@pytest.mark.parametrize("level", ["²", "abc", "-1", "99999999999999999999999", "٣"])
def test_the_catalogue_refuses_a_malformed_level(client, birth_registration, level):
    no_crash(client.get("/thu-tuc/", {"level": level}), json=False)
    no_crash(client.get("/api/v1/procedures/", {"level": level}), json=True)


def test_the_catalogue_still_filters_by_a_level(client, birth_registration, certified_contract):
    response = client.get("/api/v1/procedures/", {"level": str(birth_registration.level)})
    assert response.status_code == 200
    codes = {row["code"] for row in response.json()["results"]}
    assert birth_registration.code in codes
    assert client.get("/thu-tuc/", {"level": ""}).status_code == 200


@pytest.fixture
def reader(client, leader):
    client.force_login(leader)
    return client


@pytest.mark.parametrize("month", ["9999-12", "0001-01", "2026-13", "2026-²", "x"])
def test_the_dashboard_refuses_a_month_out_of_range(reader, month):
    no_crash(reader.get("/bao-cao/", {"thang": month}), json=False)


@pytest.mark.parametrize("month", ["9999-12", "0001-01", "2026-13"])
def test_the_report_api_refuses_a_month_out_of_range(leader, month):
    token, _ = Token.objects.get_or_create(user=leader)
    api = Client(HTTP_AUTHORIZATION=f"Token {token.key}")
    for path in ("/api/v1/reports/dashboard/", "/api/v1/reports/officers/"):
        no_crash(api.get(path, {"month": month}), json=True)


def test_the_appendix_refuses_a_period_out_of_range(reader, leader):
    period = {"from": "0001-01-01", "to": "9999-12-31"}
    no_crash(reader.get("/bao-cao/phu-luc/", period), json=False)
    token, _ = Token.objects.get_or_create(user=leader)
    api = Client(HTTP_AUTHORIZATION=f"Token {token.key}")
    no_crash(api.get("/api/v1/reports/appendix/", period), json=True)


def test_the_drilldown_refuses_a_malformed_level(reader):
    response = reader.get(
        "/bao-cao/ho-so/",
        {"metric": "received", "from": "2026-01-01", "to": "2026-01-31", "level": "²"},
    )
    no_crash(response, json=False)


def test_an_unknown_api_path_is_a_json_404(client):
    response = client.get("/api/v1/no-such-thing/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["detail"]


def test_a_server_error_on_the_api_is_json(client, monkeypatch):
    from procedures import api as procedures_api

    def boom(self):
        raise RuntimeError("boom")

    monkeypatch.setattr(procedures_api.ProcedureListApi, "get_queryset", boom)
    client.raise_request_exception = False
    response = client.get("/api/v1/procedures/")
    assert response.status_code == 500
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["detail"]
