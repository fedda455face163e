"""The officers' API: token, scoped list with filters, detail, reception, actions, slips."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from dossiers.models import Dossier, DossierEvent
from tests.dossiers.conftest import (
    S,
    counter_dossier,
    dossier_in_state,
    online_dossier,
    pdf_upload,
    vn,
)

LIST = "/api/v1/officer/dossiers/"


def api(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def test_token_login_then_list(officer):
    client = APIClient()
    response = client.post(
        "/api/v1/auth/token/", {"username": "officer", "password": "nope"}, format="json"
    )
    assert response.status_code == 400
    response = client.post(
        "/api/v1/auth/token/", {"username": "officer", "password": "pw-officer"}, format="json"
    )
    assert response.status_code == 200
    token = response.json()["token"]
    assert client.get(LIST).status_code in (401, 403)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get(LIST).status_code == 200


def test_list_is_scoped_filtered_and_paginated(
    birth_registration, commune, other_commune, officer, admin_officer
):
    mine = online_dossier(birth_registration, commune)
    online_dossier(birth_registration, other_commune)
    received = dossier_in_state(
        S.RECEIVED, procedure=birth_registration, unit=commune, actor=admin_officer
    )
    body = api(officer).get(LIST).json()
    assert body["count"] == 2
    codes = {row["code"] for row in body["results"]}
    assert codes == {mine.code, received.code}
    row = next(r for r in body["results"] if r["code"] == mine.code)
    assert (row["status"], row["status_code"], row["status_label"]) == (
        "submitted",
        1,
        "Mới đăng ký",
    )
    assert row["applicant_name"] == "Nguyễn Văn An"
    assert [
        r["code"] for r in api(officer).get(LIST, {"status": "received"}).json()["results"]
    ] == [received.code]
    assert api(officer).get(LIST, {"search": "nguyen van an"}).json()["count"] == 2
    assert api(officer).get(LIST, {"overdue": "true"}).json()["count"] == 0
    assert api(officer).get(LIST, {"due_before": "2000-01-01"}).json()["count"] == 0
    assert api(officer).get(LIST, {"unit": other_commune.code}).json()["count"] == 0
    assert api(officer).get(LIST, {"status": "bogus"}).status_code == 400


def test_overdue_filter_finds_late_dossiers(certified_contract, commune, officer):
    dossier = counter_dossier(certified_contract, commune, officer, vn(2025, 3, 3, 9, 0))
    results = api(officer).get(LIST, {"overdue": "true"}).json()["results"]
    assert [r["code"] for r in results] == [dossier.code]
    assert results[0]["overdue"] is True


def test_list_runs_a_constant_number_of_queries(birth_registration, commune, officer):
    client = api(officer)
    online_dossier(birth_registration, commune)
    with CaptureQueriesContext(connection) as one:
        client.get(LIST)
    for _ in range(5):
        online_dossier(birth_registration, commune)
    with CaptureQueriesContext(connection) as many:
        assert client.get(LIST).json()["count"] == 6
    assert len(many.captured_queries) == len(one.captured_queries)


def test_detail_is_404_out_of_scope(birth_registration, commune, officer, other_officer):
    dossier = online_dossier(birth_registration, commune)
    url = f"{LIST}{dossier.code}/"
    assert api(other_officer).get(url).status_code == 404
    body = api(officer).get(url).json()
    assert body["code"] == dossier.code
    assert len(body["files"]) == 2
    assert body["events"][0]["kind"] == "created"
    assert body["available_actions"] == ["receive", "refuse", "request_supplement"]
    file_url = body["files"][0]["url"]
    assert api(other_officer).get(file_url).status_code == 404
    response = api(officer).get(file_url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert dossier.accesses.filter(action="download").count() == 1


def test_counter_reception_through_the_api(certified_contract, commune, officer, specialist):
    doc = certified_contract.documents.first()
    data = {
        "channel": "counter",
        "procedure": certified_contract.code,
        "unit": commune.code,
        "applicant_name": "Lò Văn Minh",
        "applicant_id_number": "012345678912",
        "applicant_phone": "0911222333",
        "applicant_address": "Mường Khoa",
        f"document_{doc.pk}": pdf_upload(),
    }
    assert api(specialist).post(LIST, data, format="multipart").status_code == 403
    response = api(officer).post(
        LIST, {**data, f"document_{doc.pk}": pdf_upload()}, format="multipart"
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["status"], body["channel"]) == ("received", "counter")
    assert body["due_at"].endswith("+07:00")
    assert len(body["files"]) == 1
    missing = {k: v for k, v in data.items() if not k.startswith("document_")}
    response = api(officer).post(LIST, missing, format="multipart")
    assert response.status_code == 400
    assert "checklist" in response.json()


@pytest.mark.parametrize(
    ("state", "payload", "expected"),
    [
        (S.SUBMITTED, {"action": "receive"}, S.RECEIVED),
        (S.SUBMITTED, {"action": "refuse", "reason": "Sai thẩm quyền"}, S.REFUSED),
        (S.RECEIVED, {"action": "transfer", "to_unit": "111-TP"}, S.PROCESSING),
        (S.PROCESSING, {"action": "request_payment", "amount_vnd": 8000}, S.AWAITING_PAYMENT),
        (
            S.AWAITING_PAYMENT,
            {"action": "confirm_payment", "method": "cash", "reference": "BL-1"},
            S.PROCESSING,
        ),
        (S.PROCESSING, {"action": "resolve", "outcome": "approved"}, S.RESOLVED),
        (S.RESOLVED, {"action": "return", "method": "post", "tracking_number": "EMS1"}, S.RETURNED),
        (S.WITHDRAWAL_REQUESTED, {"action": "stop", "reason": "Rút"}, S.STOPPED),
    ],
)
def test_actions_through_the_api(
    state, payload, expected, birth_registration, commune, justice_office, admin_officer
):
    dossier = dossier_in_state(
        state, procedure=birth_registration, unit=commune, actor=admin_officer
    )
    url = f"{LIST}{dossier.code}/actions/"
    events = DossierEvent.objects.filter(dossier=dossier).count()
    response = api(admin_officer).post(url, payload, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == expected
    assert DossierEvent.objects.filter(dossier=dossier).count() == events + 1
    # The same action again is not allowed by the new state (stop/return/... are final).
    again = api(admin_officer).post(url, payload, format="json")
    if payload["action"] not in {"transfer", "confirm_payment"}:
        assert again.status_code == 409
        assert DossierEvent.objects.filter(dossier=dossier).count() == events + 1


def test_supplement_request_through_the_api(birth_registration, commune, officer):
    dossier = online_dossier(birth_registration, commune)
    doc = birth_registration.documents.first()
    response = api(officer).post(
        f"{LIST}{dossier.code}/actions/",
        {"action": "request_supplement", "items": [doc.pk], "reason": "Mờ"},
        format="json",
    )
    assert response.status_code == 200
    assert response.json()["supplement_requests"][0]["items"] == [{"id": doc.pk, "name": doc.name}]


def test_api_errors_409_403_404_400(
    birth_registration, commune, officer, other_officer, admin_officer, leader
):
    dossier = dossier_in_state(
        S.RETURNED, procedure=birth_registration, unit=commune, actor=admin_officer
    )
    url = f"{LIST}{dossier.code}/actions/"
    response = api(officer).post(url, {"action": "refuse", "reason": "x"}, format="json")
    assert response.status_code == 409
    assert response.json()["status"] == "returned"
    assert (
        api(leader).post(url, {"action": "refuse", "reason": "x"}, format="json").status_code == 403
    )
    assert (
        api(other_officer).post(url, {"action": "refuse", "reason": "x"}, format="json").status_code
        == 404
    )
    assert api(officer).post(url, {"action": "fly"}, format="json").status_code == 400
    submitted = online_dossier(birth_registration, commune)
    response = api(officer).post(
        f"{LIST}{submitted.code}/actions/", {"action": "refuse", "reason": ""}, format="json"
    )
    assert response.status_code == 400
    assert "reason" in response.json()
    assert Dossier.objects.get(pk=submitted.pk).status == S.SUBMITTED


def test_apology_through_the_api(certified_contract, commune, officer, supervisor):
    dossier = counter_dossier(certified_contract, commune, officer, vn(2025, 3, 3, 9, 0))
    url = f"{LIST}{dossier.code}/actions/"
    payload = {
        "action": "apologize",
        "reason": "Chờ xác minh",
        "new_due_at": "2030-01-02T16:00:00+07:00",
    }
    assert api(officer).post(url, payload, format="json").status_code == 403
    response = api(supervisor).post(url, payload, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["apology"]["reason"] == "Chờ xác minh"
    assert api(supervisor).post(url, payload, format="json").status_code == 409


def test_slip_endpoint(certified_contract, commune, officer, other_officer):
    dossier = counter_dossier(certified_contract, commune, officer)
    url = f"{LIST}{dossier.code}/slips/receipt.pdf"
    assert api(other_officer).get(url).status_code == 404
    response = api(officer).get(url)
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")
    assert api(officer).get(f"{LIST}{dossier.code}/slips/refusal.pdf").status_code == 404


def test_schema_is_valid(client, db):
    response = client.get("/api/schema/")
    assert response.status_code == 200
    assert b"/api/v1/officer/dossiers/{code}/actions/" in response.content


def test_the_api_accepts_exactly_what_the_page_accepts(
    client, birth_registration, commune, admin_officer
):
    """One form per action: the province above the district is no transfer target, and cash
    needs its receipt number, on the page and through the API alike."""
    province = commune.parent.parent
    client.force_login(admin_officer)
    received = dossier_in_state(
        S.RECEIVED, procedure=birth_registration, unit=commune, actor=admin_officer
    )
    response = api(admin_officer).post(
        f"{LIST}{received.code}/actions/",
        {"action": "transfer", "to_unit": province.code},
        format="json",
    )
    assert response.status_code == 400
    assert "to_unit" in response.json()
    page = client.post(
        reverse("officer-action-transfer", args=[received.code]), {"to_unit": province.code}
    )
    assert page.status_code == 400
    assert Dossier.objects.get(pk=received.pk).status == S.RECEIVED
    unpaid = dossier_in_state(
        S.AWAITING_PAYMENT, procedure=birth_registration, unit=commune, actor=admin_officer
    )
    response = api(admin_officer).post(
        f"{LIST}{unpaid.code}/actions/",
        {"action": "confirm_payment", "method": "cash"},
        format="json",
    )
    assert response.status_code == 400
    assert "reference" in response.json()
    page = client.post(
        reverse("officer-action-confirm_payment", args=[unpaid.code]), {"method": "cash"}
    )
    assert page.status_code == 400
    assert Dossier.objects.get(pk=unpaid.pk).status == S.AWAITING_PAYMENT


def test_the_service_refuses_a_transfer_above_the_district(
    birth_registration, commune, admin_officer
):
    from dossiers.services import actions

    received = dossier_in_state(
        S.RECEIVED, procedure=birth_registration, unit=commune, actor=admin_officer
    )
    with pytest.raises(ValidationError):
        actions.dossier_transfer(
            dossier=received, actor=admin_officer, to_unit=commune.parent.parent
        )


@pytest.mark.parametrize(
    "body",
    [
        {"action": "refuse", "reason": {"a": 1}},
        {"action": "request_supplement", "items": [[1]], "reason": "x"},
        ["refuse"],
    ],
)
def test_a_body_that_is_no_form_is_a_json_400(body, birth_registration, commune, admin_officer):
    dossier = dossier_in_state(
        S.SUBMITTED, procedure=birth_registration, unit=commune, actor=admin_officer
    )
    response = api(admin_officer).post(f"{LIST}{dossier.code}/actions/", body, format="json")
    assert response.status_code == 400
    assert response.json()["detail"]


def test_a_malformed_officer_to_transfer_to_is_a_json_400(
    birth_registration, commune, admin_officer
):
    dossier = dossier_in_state(
        S.RECEIVED, procedure=birth_registration, unit=commune, actor=admin_officer
    )
    response = api(admin_officer).post(
        f"{LIST}{dossier.code}/actions/",
        {"action": "transfer", "to_unit": commune.code, "to_user": "²"},
        format="json",
    )
    assert response.status_code == 400
    assert "to_user" in response.json()
    for to_user in ("9" * 30, "\x00", "cán bộ\n"):
        response = api(admin_officer).post(
            f"{LIST}{dossier.code}/actions/",
            {"action": "transfer", "to_unit": commune.code, "to_user": to_user},
            format="json",
        )
        assert response.status_code == 400, to_user
    assert Dossier.objects.get(pk=dossier.pk).status == S.RECEIVED


def test_names_with_line_breaks_or_bidi_are_refused_by_page_and_api(
    client, certified_contract, commune, officer, admin_officer, birth_registration
):
    data = {
        "channel": "counter",
        "procedure": certified_contract.code,
        "unit": commune.code,
        "applicant_name": "Lò Văn Minh\nMã tra cứu: ABCD1234",
        "applicant_id_number": "012345678912",
        "applicant_phone": "0911222333",
        "applicant_address": "Mường Khoa",
        "checklist": [d.pk for d in certified_contract.documents.all()],
    }
    response = api(officer).post(LIST, data, format="multipart")
    assert response.status_code == 400
    assert "applicant_name" in response.json()
    resolved = dossier_in_state(
        S.RESOLVED, procedure=birth_registration, unit=commune, actor=admin_officer
    )
    bidi = {"method": "counter", "recipient_name": "Nguyễn \u202eAn"}
    response = api(admin_officer).post(
        f"{LIST}{resolved.code}/actions/", {"action": "return", **bidi}, format="json"
    )
    assert response.status_code == 400
    assert "recipient_name" in response.json()
    client.force_login(admin_officer)
    page = client.post(reverse("officer-action-return", args=[resolved.code]), bidi)
    assert page.status_code == 400
    assert Dossier.objects.get(pk=resolved.pk).status == S.RESOLVED


def test_too_many_files_to_the_officers_api_is_a_json_400(certified_contract, commune, officer):
    doc = certified_contract.documents.first()
    data = {
        "channel": "counter",
        "procedure": certified_contract.code,
        "unit": commune.code,
        f"document_{doc.pk}": [pdf_upload(f"trang-{i}.pdf") for i in range(102)],
    }
    response = api(officer).post(LIST, data, format="multipart")
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["detail"]
