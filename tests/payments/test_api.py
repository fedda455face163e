"""Payments through the API: the citizen with the key, officers in their units."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from dossiers.services.core import dossier_create
from payments import services
from payments.models import Payment
from payments.vietqr import vietqr_read
from tests.dossiers.conftest import APPLICANT, incoming
from tests.fakes.vnpay import sign
from tests.payments.conftest import SECRET


@pytest.fixture
def keyed(residence, commune, district_account):
    dossier, key = dossier_create(
        procedure=residence,
        unit=commune,
        channel="online",
        applicant=APPLICANT,
        payment_method="online",
        files=[incoming(d) for d in residence.documents.all()],
    )
    return dossier, key


def officer_api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_a_citizen_with_the_key_sees_what_to_pay_and_the_vietqr(keyed):
    dossier, key = keyed
    body = APIClient().get(f"/api/v1/dossiers/{dossier.code}/payment/", {"key": key}).json()
    assert (body["state"], body["owed_vnd"], body["gateways"]) == ("awaiting", 10_000, ["vnpay"])
    qr = vietqr_read(body["vietqr"]["payload"])
    assert (qr.amount_vnd, qr.purpose, qr.account_number) == (10_000, dossier.code, "8888000111222")
    assert body["vietqr"]["demo"] is True
    # Reading what is owed writes nothing; a recorded request lists its notice.
    assert body["payments"] == []
    assert not Payment.objects.filter(dossier=dossier).exists()
    payment = services.payment_open(dossier=dossier)
    body = APIClient().get(f"/api/v1/dossiers/{dossier.code}/payment/", {"key": key}).json()
    assert body["payments"][0]["receipt_url"].endswith(
        f"/tra-cuu/ho-so/{dossier.code}/bien-lai/{payment.pk}.pdf"
    )


def test_a_wrong_key_sees_nothing(keyed):
    dossier, _key = keyed
    response = APIClient().get(f"/api/v1/dossiers/{dossier.code}/payment/", {"key": "WRONG1"})
    assert response.status_code in (403, 404)
    assert not Payment.objects.filter(dossier=dossier).exists()


def test_a_citizen_app_gets_a_signed_gateway_url(keyed):
    dossier, key = keyed
    response = APIClient().post(
        f"/api/v1/dossiers/{dossier.code}/payment/vnpay/", {"key": key}, format="json"
    )
    assert response.status_code == 200
    params = dict(parse_qsl(urlsplit(response.json()["redirect_url"]).query))
    assert sign(params, SECRET) == params["vnp_SecureHash"]
    assert params["vnp_ReturnUrl"].endswith("/thanh-toan/vnpay/ket-qua/")


def test_officers_list_and_record_payments_in_their_units_only(keyed, officer, other_officer):
    dossier, _key = keyed
    recorded = officer_api(officer).post(
        f"/api/v1/officer/dossiers/{dossier.code}/payments/",
        {"method": "cash", "reference": "BL-5"},
        format="json",
    )
    assert recorded.status_code == 201, recorded.json()
    assert (recorded.json()["state"], recorded.json()["reference"]) == ("paid", "BL-5")
    again = officer_api(officer).post(
        f"/api/v1/officer/dossiers/{dossier.code}/payments/",
        {"method": "cash", "reference": "BL-6"},
        format="json",
    )
    assert again.status_code == 400  # nothing left to pay
    today = timezone.localdate().isoformat()
    mine = officer_api(officer).get("/api/v1/officer/payments/", {"start": today}).json()
    assert (mine["count"], mine["total_vnd"]) == (1, 10_000)
    assert mine["results"][0]["dossier"] == dossier.code
    theirs = officer_api(other_officer).get("/api/v1/officer/payments/").json()
    assert theirs["count"] == 0
    foreign = officer_api(other_officer).post(
        f"/api/v1/officer/dossiers/{dossier.code}/payments/",
        {"method": "cash", "reference": "X"},
        format="json",
    )
    assert foreign.status_code == 404


def test_officer_payment_list_refuses_a_bad_period(officer):
    response = officer_api(officer).get(
        "/api/v1/officer/payments/", {"start": "2026-02-01", "end": "2026-01-01"}
    )
    assert response.status_code == 400
    assert "end" in response.json()


def test_the_api_schema_still_builds(client):
    response = client.get("/api/schema/")
    assert response.status_code == 200
    assert b"/api/v1/officer/payments/" in response.content


def test_a_paid_dossier_shows_its_receipt_in_the_api(keyed, officer):
    dossier, key = keyed
    services.payment_confirm(dossier=dossier, actor=officer, method="transfer", reference="FT9")
    body = APIClient().get(f"/api/v1/dossiers/{dossier.code}/payment/", {"key": key}).json()
    assert (body["state"], body["owed_vnd"], body["vietqr"]) == ("paid", 0, None)
    assert body["payments"][0]["method"] == "transfer"
