"""Payment services: asking, paying at the counter or by transfer, refunds, the clock."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from dossiers.models import Dossier, DossierEvent
from dossiers.services import actions, reception
from payments import online, services
from payments.models import Payment
from payments.selectors import dossier_payment_state
from portal.exceptions import InvalidTransition, NotAllowed, PortalError
from portal.models import AuditLog
from tests.dossiers.conftest import APPLICANT
from tests.payments.conftest import awaiting_payment, submit_online

S = Dossier.Status


def test_a_new_amount_cancels_the_open_request_and_opens_another(
    residence, commune, officer, specialist
):
    dossier = submit_online(residence, commune)
    first = services.payment_open(dossier=dossier)
    assert (first.amount_vnd, first.requested_by, first.state) == (10_000, None, "awaiting")
    dossier = actions.dossier_receive(dossier=dossier, actor=officer)
    actions.dossier_request_payment(dossier=dossier, actor=specialist, amount_vnd=25_000)
    now = Payment.objects.get(dossier=dossier, state="awaiting")
    assert now.pk != first.pk
    first.refresh_from_db()
    assert (first.state, first.amount_vnd) == ("cancelled", 10_000)
    assert (now.amount_vnd, now.requested_by) == (25_000, specialist)
    # The computation shown on the receipt follows the amount actually asked.
    assert [line["amount_vnd"] for line in now.fee_detail] == [25_000]
    assert services.payment_open(dossier=dossier).pk == now.pk


def test_asking_the_same_amount_again_keeps_the_open_request(
    residence, commune, officer, specialist
):
    dossier = submit_online(residence, commune)
    first = services.payment_open(dossier=dossier)
    dossier = actions.dossier_receive(dossier=dossier, actor=officer)
    actions.dossier_request_payment(dossier=dossier, actor=specialist, amount_vnd=10_000)
    assert list(Payment.objects.filter(dossier=dossier).values_list("pk", "state")) == [
        (first.pk, "awaiting")
    ]


def test_opening_twice_gives_the_same_request(residence, commune):
    dossier = submit_online(residence, commune)
    assert services.payment_open(dossier=dossier).pk == services.payment_open(dossier=dossier).pk


def test_nothing_to_pay_without_a_fee_or_once_paid(birth_registration, residence, commune, officer):
    assert services.payment_open(dossier=submit_online(birth_registration, commune)) is None
    dossier = submit_online(residence, commune)
    services.payment_confirm(dossier=dossier, actor=officer, method="cash", reference="BL-9")
    assert services.payment_open(dossier=dossier) is None
    assert dossier_payment_state(dossier=dossier) == "paid"


def test_the_receipt_shows_the_fee_computation(residence, commune):
    payment = services.payment_open(dossier=submit_online(residence, commune))
    assert payment.fee_detail == [
        {"label": "Phí, lệ phí mỗi hồ sơ", "quantity": 1, "unit_vnd": 10_000, "amount_vnd": 10_000}
    ]


def test_cash_at_the_counter_needs_the_receipt_number(residence, commune, officer):
    dossier = submit_online(residence, commune)
    with pytest.raises(ValidationError) as error:
        services.payment_confirm(dossier=dossier, actor=officer, method="cash", reference=" ")
    assert "reference" in error.value.message_dict
    assert not Payment.objects.filter(dossier=dossier).exists()
    payment = services.payment_confirm(
        dossier=dossier, actor=officer, method="cash", reference="0001234"
    )
    assert (payment.state, payment.method, payment.reference, payment.confirmed_by) == (
        "paid",
        "cash",
        "0001234",
        officer,
    )


def test_recording_a_payment_outside_state_6_logs_it_without_moving_the_dossier(
    residence, commune, officer
):
    dossier = submit_online(residence, commune)
    services.payment_confirm(
        dossier=dossier, actor=officer, method="transfer", reference="FT2611020001"
    )
    dossier.refresh_from_db()
    assert dossier.status == S.SUBMITTED
    event = DossierEvent.objects.filter(dossier=dossier).last()
    assert (event.kind, event.details["method"], event.details["reference"]) == (
        "payment",
        "transfer",
        "FT2611020001",
    )


def test_recording_a_payment_in_state_6_resumes_processing_and_the_clock(
    residence, commune, officer, specialist
):
    dossier = awaiting_payment(residence, commune, desk=officer, specialist=specialist)
    due, paused_at = dossier.due_at, dossier.paused_at
    assert paused_at is not None
    later = paused_at + timedelta(days=7)
    services.payment_confirm(
        dossier=dossier, actor=officer, method="cash", reference="77", at=later
    )
    dossier.refresh_from_db()
    assert dossier.status == S.PROCESSING
    assert dossier.paused_at is None
    assert dossier.due_at > due  # a week of waiting does not count


def test_the_officer_action_confirm_payment_marks_the_request_paid(
    residence, commune, officer, specialist
):
    dossier = awaiting_payment(residence, commune, desk=officer, specialist=specialist)
    actions.dossier_confirm_payment(
        dossier=dossier, actor=officer, method="transfer", reference="FT1"
    )
    payment = Payment.objects.get(dossier=dossier)
    assert (payment.state, payment.method, payment.reference) == ("paid", "transfer", "FT1")
    with pytest.raises(ValidationError):
        actions.dossier_confirm_payment(
            dossier=awaiting_payment(residence, commune, desk=officer, specialist=specialist),
            actor=officer,
            method="bitcoin",
        )


def test_an_officer_of_another_commune_cannot_record_payments(residence, commune, other_officer):
    dossier = submit_online(residence, commune)
    with pytest.raises(NotAllowed):
        services.payment_confirm(dossier=dossier, actor=other_officer, method="cash", reference="1")
    assert not Payment.objects.filter(dossier=dossier).exists()


def test_a_refused_dossier_is_not_charged(residence, commune, officer):
    dossier = actions.dossier_refuse(
        dossier=submit_online(residence, commune), actor=officer, reason="Sai thẩm quyền"
    )
    assert services.payment_open(dossier=dossier) is None
    with pytest.raises(InvalidTransition):
        services.payment_confirm(dossier=dossier, actor=officer, method="cash", reference="1")


def test_a_refund_is_recorded_audited_and_only_once(residence, commune, officer):
    dossier = submit_online(residence, commune)
    payment = services.payment_confirm(
        dossier=dossier, actor=officer, method="cash", reference="BL-1"
    )
    with pytest.raises(ValidationError):
        services.payment_refund(payment=payment, actor=officer, reason="")
    refunded = services.payment_refund(payment=payment, actor=officer, reason="Nộp trùng")
    assert (refunded.state, refunded.refunded_by, refunded.refund_reason) == (
        "refunded",
        officer,
        "Nộp trùng",
    )
    assert refunded.refunded_at is not None
    assert AuditLog.objects.filter(action="payment_refund", target=dossier.code).count() == 1
    assert DossierEvent.objects.filter(dossier=dossier, kind="payment_refund").count() == 1
    with pytest.raises(InvalidTransition):
        services.payment_refund(payment=refunded, actor=officer, reason="Lần nữa")


def test_an_awaiting_payment_cannot_be_refunded(residence, commune, officer):
    payment = services.payment_open(dossier=submit_online(residence, commune))
    with pytest.raises(InvalidTransition):
        services.payment_refund(payment=payment, actor=officer, reason="?")


def test_a_gateway_order_needs_something_to_pay(birth_registration, commune):
    from payments.gateways import gateway_get

    with pytest.raises(PortalError):
        online.payment_gateway_start(
            dossier=submit_online(birth_registration, commune),
            gateway=gateway_get("vnpay"),
            return_url="http://x/",
            client_ip="127.0.0.1",
        )


def test_the_database_refuses_a_second_open_request(residence, commune):
    from django.db import IntegrityError, transaction

    dossier = submit_online(residence, commune)
    services.payment_open(dossier=dossier)
    with pytest.raises(IntegrityError), transaction.atomic():
        Payment.objects.create(dossier=dossier, amount_vnd=1, requested_at=timezone.now())


def test_cash_after_an_online_payment_is_refused_not_recorded_twice(residence, commune, officer):
    dossier = submit_online(residence, commune)
    services.payment_confirm(dossier=dossier, actor=officer, method="transfer", reference="FT1")
    with pytest.raises(PortalError):
        services.payment_confirm(dossier=dossier, actor=officer, method="cash", reference="BL-2")
    assert Payment.objects.filter(dossier=dossier).count() == 1


def test_certified_copies_are_priced_by_the_pages_counted_at_the_desk(commune, officer, client):
    from tests.conftest import make_procedure
    from tests.payments.test_views import pdf_text

    procedure = make_procedure(
        code="2.000815",
        name="Chứng thực bản sao từ bản chính",
        level=2,
        units=[commune],
        fee_vnd=2000,
        field="Chứng thực",
    )
    procedure.fee_rule = {
        "kind": "per_page",
        "first_pages": 2,
        "first_page_vnd": 2000,
        "next_page_vnd": 1000,
        "max_per_copy_vnd": 200_000,
    }
    procedure.save()
    dossier, _key = reception.dossier_receive_at_counter(
        procedure=procedure,
        unit=commune,
        channel="counter",
        actor=officer,
        applicant=APPLICANT,
        checklist=[d.pk for d in procedure.documents.all()],
    )
    assert dossier.fee_vnd == 2000  # the catalogue's one-page copy
    client.force_login(officer)
    page = client.get(f"/can-bo/ho-so/{dossier.code}/").content.decode()
    assert 'id="id_payment_pages"' in page
    assert "1.000 đồng/trang từ trang thứ 3" in page
    response = client.post(
        f"/can-bo/thanh-toan/{dossier.code}/xac-nhan/",
        {"method": "cash", "reference": "0000888", "pages": "5", "copies": "2"},
    )
    assert response.status_code == 302
    payment = Payment.objects.get(dossier=dossier)
    # 5 pages: 2 × 2.000 + 3 × 1.000 = 7.000 đ a copy; two copies.
    assert (payment.amount_vnd, payment.pages, payment.copies, payment.state) == (
        14_000,
        5,
        2,
        "paid",
    )
    assert payment.fee_detail == [
        {"label": "Mỗi bản 5 trang", "quantity": 2, "unit_vnd": 7_000, "amount_vnd": 14_000}
    ]
    text = pdf_text(client.get(f"/can-bo/ho-so/{dossier.code}/bien-lai/{payment.pk}.pdf").content)
    assert "Mỗi bản 5 trang" in text
    assert "14.000" in text


def test_a_free_procedure_cannot_be_charged_by_pages(birth_registration, commune, officer):
    dossier = submit_online(birth_registration, commune)
    with pytest.raises(PortalError):
        services.payment_confirm(
            dossier=dossier, actor=officer, method="cash", reference="1", pages=3
        )
