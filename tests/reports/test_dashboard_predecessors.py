"""The dashboard, like every report, can count a commune with its predecessors
(`predecessors=1`): page, API and the drill-down links behind its figures."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from rest_framework.test import APIClient

from portal.models import Membership, Role
from procedures.models import Unit
from tests.reports.conftest import at, receive, resolve

LATER = at("2026-01-01")


@pytest.fixture
def merged(district, commune, other_commune, certified_contract, birth_registration, officer):
    """Mường Khoa (the `commune`) closed on 30/06/2025 into a new commune; in October 2020
    it received three dossiers: one resolved early, one late, one online never resolved
    (due the same day: overdue at the month's end). Nậm Sỏ, not merged, received one."""
    new = Unit.objects.create(
        code="12-03601",
        name="Xã Mường Khoa (mới)",
        kind=Unit.Kind.COMMUNE,
        parent=district.parent,
        e_id="000.00.12.H33",
        is_reporting_unit=True,
        valid_from=dt.date(2025, 7, 1),
    )
    early = receive(certified_contract, commune, at("2020-10-05"), actor=officer)  # due 7/10
    resolve(early, at("2020-10-06"))
    late = receive(certified_contract, commune, at("2020-10-05", 10), actor=officer)
    resolve(late, at("2020-10-09"))
    receive(birth_registration, commune, at("2020-10-06"), channel="online", actor=officer)
    receive(birth_registration, other_commune, at("2020-10-06"), actor=officer)
    Unit.objects.filter(pk=commune.pk).update(valid_to=dt.date(2025, 6, 30), successor=new)
    leader = get_user_model().objects.create_user(username="lanhdao.moi")
    Membership.objects.create(user=leader, unit=new, role=Role.LEADER)
    return new, leader


# By hand: received 3 (1 online: 33.3 %), resolved 2 (1 on time: 50.0 %), overdue at 31/10: 1.
WIDENED = {
    "received": 3,
    "received_online": 1,
    "resolved": 2,
    "on_time_rate_pct": 50.0,
    "online_rate_pct": 33.3,
    "overdue": 1,
    "apologies": 0,
}
OWN = {
    "received": 0,
    "received_online": 0,
    "resolved": 0,
    "on_time_rate_pct": None,
    "online_rate_pct": None,
    "overdue": 0,
    "apologies": 0,
}


def _figures(kpi: dict) -> dict:
    return {key: kpi[key] for key in WIDENED}


def test_the_dashboard_api_counts_the_predecessors_only_when_asked(merged):
    new, leader = merged
    api = APIClient()
    api.force_authenticate(leader)
    url = "/api/v1/reports/dashboard/"
    widened = api.get(url, {"month": "2020-10", "predecessors": "1"}).json()
    assert widened["predecessors"] is True
    ((row,),) = [widened["units"]]
    assert row["unit_code"] == new.code
    assert _figures(row) == WIDENED
    assert _figures(widened["total"]) == WIDENED
    handling = {k["unit_code"]: k for k in widened["handling_units"]}
    assert _figures(handling[new.code]) == WIDENED
    october = next(m for m in widened["trends"] if m["month"] == "2020-10")
    assert (october["received"], october["resolved"]) == (3, 2)

    own = api.get(url, {"month": "2020-10"}).json()
    assert own["predecessors"] is False
    assert _figures(own["units"][0]) == OWN
    assert _figures(own["total"]) == OWN
    assert next(m for m in own["trends"] if m["month"] == "2020-10")["received"] == 0
    assert api.get(url, {"month": "2020-10", "predecessors": "maybe"}).status_code == 400


def test_the_dashboard_page_has_the_checkbox_and_keeps_it_in_its_links(merged, client):
    _new, leader = merged
    client.force_login(leader)
    page = client.get(reverse("reports-dashboard"), {"thang": "2020-10", "predecessors": "1"})
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="predecessors"' in html
    assert "Gồm đơn vị tiền nhiệm" in html
    total = page.context["board"].total
    assert (total.received, total.resolved, total.overdue) == (3, 2, 1)
    links = page.context["rows"][0]["links"]
    assert all("predecessors=1" in link for link in links.values())
    assert "predecessors=1" in page.context["late_all"]
    assert "predecessors=1" in page.context["trend_rows"][-1]["links"]["received"]
    # The list behind "overdue" holds the one dossier the figure counts.
    listed = client.get(links["overdue"])
    assert listed.status_code == 200
    assert listed.context["page"].paginator.count == 1

    plain = client.get(reverse("reports-dashboard"), {"thang": "2020-10"})
    assert plain.context["board"].total.received == 0
    assert "predecessors=1" not in plain.context["rows"][0]["links"]["received"]


def test_a_drill_down_export_from_the_dashboard_keeps_the_predecessors(merged, client):
    _new, leader = merged
    client.force_login(leader)
    page = client.get(reverse("reports-dashboard"), {"thang": "2020-10", "predecessors": "1"})
    listed = client.get(page.context["rows"][0]["links"]["received"])
    assert listed.context["export_params"]["predecessors"] == "1"
    assert listed.context["page"].paginator.count == 3
