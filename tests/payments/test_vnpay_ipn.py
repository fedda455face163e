"""The VNPay redirect and IPN: signature, amount, order and replay checks, idempotency.

The gateway side is tests/fakes/vnpay.py, which signs on its own from the published rules.
Every refused or ignored notification leaves the database exactly as it was.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

import pytest
from django.urls import reverse

from dossiers.models import Dossier, DossierEvent
from dossiers.services import actions
from payments import online, selectors
from payments.gateways import gateway_get
from payments.models import Payment, PaymentAttempt
from tests.fakes.vnpay import FakeVNPay, sign
from tests.payments.conftest import SECRET, TMN_CODE, awaiting_payment, submit_online

S = Dossier.Status
IPN = "/thanh-toan/vnpay/ipn/"


@pytest.fixture
def fake():
    # Not started: these tests only use its signing and message building.
    return FakeVNPay(tmn_code=TMN_CODE, secret=SECRET)


@pytest.fixture
def dossier(residence, commune, officer, specialist):
    return awaiting_payment(residence, commune, desk=officer, specialist=specialist)


def start(dossier: Dossier) -> dict[str, str]:
    """Open an order; the parameters the browser takes to the gateway."""
    url = online.payment_gateway_start(
        dossier=dossier,
        gateway=gateway_get("vnpay"),
        return_url="http://testserver/thanh-toan/vnpay/ket-qua/",
        client_ip="203.0.113.9",
    )
    return dict(parse_qsl(urlsplit(url).query))


def snapshot(dossier: Dossier) -> tuple:
    d = Dossier.objects.get(pk=dossier.pk)
    return (
        d.status,
        d.due_at,
        d.paused_at,
        list(DossierEvent.objects.filter(dossier=d).values_list("seq", "hash")),
        list(
            Payment.objects.filter(dossier=d).values_list(
                "state", "paid_at", "method", "reference", "amount_vnd"
            )
        ),
        list(
            PaymentAttempt.objects.filter(payment__dossier=d).values_list(
                "state", "response_code", "transaction_no", "notified_at"
            )
        ),
    )


def ipn(client, params: dict[str, str]) -> dict[str, str]:
    response = client.get(IPN, params)
    assert response.status_code == 200
    return response.json()


def test_the_redirect_is_signed_as_vnpay_specifies(dossier):
    params = start(dossier)
    assert sign(params, SECRET) == params["vnp_SecureHash"]
    assert params["vnp_Version"] == "2.1.0"
    assert params["vnp_Command"] == "pay"
    assert params["vnp_TmnCode"] == TMN_CODE
    assert params["vnp_Amount"] == "1000000"  # 10.000 đ × 100
    assert params["vnp_CurrCode"] == "VND"
    assert params["vnp_OrderInfo"] == f"Thanh toan phi ho so {dossier.code}"
    assert len(params["vnp_CreateDate"]) == 14
    assert params["vnp_ExpireDate"] > params["vnp_CreateDate"]
    attempt = PaymentAttempt.objects.get(txn_ref=params["vnp_TxnRef"])
    assert (attempt.state, attempt.amount_vnd) == ("pending", 10_000)


def test_a_valid_ipn_marks_the_dossier_paid_once_and_resumes_processing(client, dossier, fake):
    params = start(dossier)
    paused_due = dossier.due_at
    answer = ipn(client, fake.result_params(params))
    assert answer == {"RspCode": "00", "Message": "Confirm Success"}
    dossier.refresh_from_db()
    assert dossier.status == S.PROCESSING
    assert dossier.paused_at is None
    assert dossier.due_at >= paused_due  # the clock resumed (moved by the pause)
    payment = Payment.objects.get(dossier=dossier)
    assert (payment.state, payment.method, payment.gateway) == ("paid", "online", "vnpay")
    attempt = PaymentAttempt.objects.get(txn_ref=params["vnp_TxnRef"])
    assert payment.reference == attempt.transaction_no != ""
    assert attempt.state == "succeeded"
    moves = DossierEvent.objects.filter(dossier=dossier, from_status=S.AWAITING_PAYMENT)
    assert [(e.to_status, e.actor_id, e.actor_label, e.details["method"]) for e in moves] == [
        (S.PROCESSING, None, "VNPay", "online")
    ]


def test_a_replayed_ipn_is_acknowledged_and_changes_nothing(client, dossier, fake):
    params = fake.result_params(start(dossier))
    assert ipn(client, params)["RspCode"] == "00"
    before = snapshot(dossier)
    assert ipn(client, params) == {"RspCode": "02", "Message": "Order already confirmed"}
    assert snapshot(dossier) == before


def test_a_tampered_signature_is_refused_and_changes_nothing(client, dossier, fake):
    params = fake.result_params(start(dossier))
    before = snapshot(dossier)
    forged = {**params, "vnp_SecureHash": params["vnp_SecureHash"][:-2] + "00"}
    assert ipn(client, forged) == {"RspCode": "97", "Message": "Invalid signature"}
    # A parameter changed after signing is as bad as a changed hash.
    edited = {**params, "vnp_TransactionNo": "99999999"}
    assert ipn(client, edited)["RspCode"] == "97"
    # Signed with another merchant's secret.
    other = FakeVNPay(tmn_code=TMN_CODE, secret="someone-else").result_params(
        {k: params[k] for k in ("vnp_Amount", "vnp_OrderInfo", "vnp_TmnCode", "vnp_TxnRef")}
    )
    assert ipn(client, other)["RspCode"] == "97"
    assert snapshot(dossier) == before


def test_a_wrong_amount_is_refused_and_changes_nothing(client, dossier, fake):
    params = start(dossier)
    before = snapshot(dossier)
    cheaper = fake.result_params({**params, "vnp_Amount": "100000"})  # 1.000 đ, signed
    assert ipn(client, cheaper) == {"RspCode": "04", "Message": "invalid amount"}
    cents = fake.result_params({**params, "vnp_Amount": "1000050"})  # not whole đồng
    assert ipn(client, cents)["RspCode"] == "04"
    assert snapshot(dossier) == before


def test_an_unknown_order_is_refused_and_changes_nothing(client, dossier, fake):
    params = start(dossier)
    before = snapshot(dossier)
    unknown = fake.result_params({**params, "vnp_TxnRef": "999999MDEADBEEF00"})
    assert ipn(client, unknown) == {"RspCode": "01", "Message": "Order not found"}
    other_merchant = fake.result_params({**params, "vnp_TmnCode": "OTHER001"})
    assert ipn(client, other_merchant)["RspCode"] == "01"
    assert snapshot(dossier) == before


def test_missing_data_is_an_unknown_error_and_changes_nothing(client, dossier, fake):
    params = fake.result_params(start(dossier))
    before = snapshot(dossier)
    for name in ("vnp_TxnRef", "vnp_Amount", "vnp_SecureHash", "vnp_ResponseCode"):
        partial = {k: v for k, v in params.items() if k != name}
        if name != "vnp_SecureHash":
            partial = fake.signed({k: v for k, v in partial.items() if k != "vnp_SecureHash"})
        assert ipn(client, partial)["RspCode"] == "99", name
    assert snapshot(dossier) == before


def test_a_failed_payment_closes_the_order_and_the_dossier_still_awaits(client, dossier, fake):
    params = start(dossier)
    assert ipn(client, fake.result_params(params, code="24"))["RspCode"] == "00"
    dossier.refresh_from_db()
    assert dossier.status == S.AWAITING_PAYMENT
    assert Payment.objects.get(dossier=dossier).state == "awaiting"
    attempt = PaymentAttempt.objects.get(txn_ref=params["vnp_TxnRef"])
    assert (attempt.state, attempt.response_code) == ("failed", "24")
    # The same order cannot succeed later; a new try can.
    assert ipn(client, fake.result_params(params))["RspCode"] == "02"
    assert ipn(client, fake.result_params(start(dossier)))["RspCode"] == "00"
    assert Dossier.objects.get(pk=dossier.pk).status == S.PROCESSING


def test_money_arriving_twice_is_kept_for_a_refund_not_counted_twice(client, dossier, fake):
    first, second = start(dossier), start(dossier)
    assert ipn(client, fake.result_params(first))["RspCode"] == "00"
    assert ipn(client, fake.result_params(second))["RspCode"] == "02"
    assert Payment.objects.filter(dossier=dossier, state="paid").count() == 1
    twin = PaymentAttempt.objects.get(txn_ref=second["vnp_TxnRef"])
    assert (twin.state, twin.details["duplicate"]) == ("succeeded", True)
    assert (
        DossierEvent.objects.filter(dossier=dossier, details__action="confirm_payment").count() == 1
    )


def test_an_order_for_an_older_cheaper_amount_does_not_settle_the_fee_asked_now(
    client, residence, commune, officer, specialist, fake
):
    dossier = submit_online(residence, commune)
    old_order = start(dossier)  # 10.000 đ, the fee at submission
    dossier = actions.dossier_receive(dossier=dossier, actor=officer)
    actions.dossier_request_payment(dossier=dossier, actor=specialist, amount_vnd=50_000)
    # The old order is paid at the gateway afterwards: the money is kept for a refund, the
    # 50.000 đ asked now stay owed and the dossier keeps waiting.
    assert ipn(client, fake.result_params(old_order))["RspCode"] != "00"
    dossier.refresh_from_db()
    assert dossier.status == S.AWAITING_PAYMENT
    assert not Payment.objects.filter(dossier=dossier, state="paid").exists()
    assert Payment.objects.get(dossier=dossier, state="awaiting").amount_vnd == 50_000
    old = PaymentAttempt.objects.get(txn_ref=old_order["vnp_TxnRef"])
    assert (old.state, old.details["duplicate"]) == ("succeeded", True)
    assert old in selectors.payments_paid_twice(unit_ids=[commune.pk])
    # An order for the amount due now settles it.
    new_order = start(dossier)
    assert new_order["vnp_Amount"] == "5000000"
    assert ipn(client, fake.result_params(new_order))["RspCode"] == "00"
    dossier.refresh_from_db()
    assert dossier.status == S.PROCESSING
    assert Payment.objects.get(dossier=dossier, state="paid").amount_vnd == 50_000


def test_a_level_4_dossier_pays_at_submission_without_a_state_change(
    client, residence, commune, fake
):
    dossier = submit_online(residence, commune)
    assert dossier.status == S.SUBMITTED
    params = start(dossier)
    assert Payment.objects.get(dossier=dossier).requested_by is None
    assert ipn(client, fake.result_params(params))["RspCode"] == "00"
    dossier.refresh_from_db()
    assert dossier.status == S.SUBMITTED
    assert Payment.objects.get(dossier=dossier).state == "paid"
    event = DossierEvent.objects.filter(dossier=dossier).last()
    assert (event.kind, event.from_status, event.to_status) == ("payment", S.SUBMITTED, S.SUBMITTED)


def test_the_ipn_answers_json_to_post_too_and_needs_no_csrf(dossier, fake):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    response = strict.post(IPN, fake.result_params(start(dossier)))
    assert response.json()["RspCode"] == "00"


def test_the_return_page_tells_the_citizen_without_changing_anything(client, dossier, fake):
    params = fake.result_params(start(dossier))
    before = snapshot(dossier)
    response = client.get(reverse("payment-return", args=["vnpay"]), params)
    assert response.status_code == 200
    assert "hồ sơ sẽ được cập nhật" in response.content.decode()
    assert snapshot(dossier) == before
    ipn(client, params)
    response = client.get(reverse("payment-return", args=["vnpay"]), params)
    assert f"Đã thanh toán 10.000 đồng cho hồ sơ {dossier.code}" in response.content.decode()
    forged = {**params, "vnp_ResponseCode": "00", "vnp_Amount": "1"}
    assert client.get(reverse("payment-return", args=["vnpay"]), forged).status_code == 400
