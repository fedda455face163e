"""The citizen is offered to pay only when a fee is due, unpaid, and paying still makes sense:
never once the dossier is refused, stopped, being withdrawn or its result handed over. The
pages ask selectors.payment_is_due; the services refuse with the same rule and a translated
message."""

from __future__ import annotations

import pytest
from django.utils import translation

from dossiers.models import Dossier
from dossiers.services import actions
from dossiers.services.citizen import dossier_withdraw_request
from dossiers.services.core import dossier_transition
from payments import online, services
from payments.gateways import gateway_get
from payments.models import Payment
from payments.selectors import payment_closed_reason, payment_is_due
from portal.exceptions import InvalidTransition
from tests.dossiers.conftest import APPLICANT
from tests.payments.conftest import submit_online
from tests.payments.test_views import with_lookup_proof

pytestmark = pytest.mark.django_db
S = Dossier.Status


def _resolved(dossier, officer, supervisor):
    dossier = actions.dossier_receive(dossier=dossier, actor=officer)
    return actions.dossier_resolve(dossier=dossier, actor=supervisor, outcome="approved")


def _returned(dossier, officer, supervisor):
    """Returned with its fee still unpaid: the return action no longer allows it (the fee is
    taken in the same step), but dossiers handed back before that rule, or imported with their
    history, are in this state."""
    dossier = _resolved(dossier, officer, supervisor)
    return dossier_transition(
        dossier=dossier,
        to=S.RETURNED,
        actor=officer,
        expected_from={S.RESOLVED},
        changes={"returned_at": dossier.resolved_at, "return_recipient": APPLICANT.name},
    )


def _in_state(state, dossier, officer, supervisor):
    if state == "returned":
        return _returned(dossier, officer, supervisor)
    if state == "refused":
        return actions.dossier_refuse(dossier=dossier, actor=officer, reason="Sai thẩm quyền")
    if state == "withdrawal_requested":
        return dossier_withdraw_request(dossier=dossier, reason="Không cần nữa")
    if state == "stopped":
        dossier = dossier_withdraw_request(dossier=dossier, reason="Không cần nữa")
        return actions.dossier_stop(dossier=dossier, actor=officer, reason="Công dân rút")
    raise AssertionError(state)


NOT_PAYABLE = ["returned", "refused", "withdrawal_requested", "stopped"]


@pytest.fixture
def dossier(residence, commune, district_account):
    return submit_online(residence, commune)


def test_a_fresh_dossier_with_a_fee_is_due(client, dossier):
    assert payment_is_due(dossier=dossier)
    assert payment_closed_reason(dossier=dossier) == ""
    html = (
        with_lookup_proof(client, dossier.code)
        .get(f"/tra-cuu/ho-so/{dossier.code}/")
        .content.decode()
    )
    assert f"/tra-cuu/ho-so/{dossier.code}/thanh-toan/" in html


def test_a_resolved_dossier_can_still_pay_before_collecting_the_result(
    client, dossier, officer, supervisor
):
    dossier = _resolved(dossier, officer, supervisor)
    assert payment_is_due(dossier=dossier)
    html = (
        with_lookup_proof(client, dossier.code)
        .get(f"/tra-cuu/ho-so/{dossier.code}/")
        .content.decode()
    )
    assert f"/tra-cuu/ho-so/{dossier.code}/thanh-toan/" in html


@pytest.mark.parametrize("state", NOT_PAYABLE)
def test_the_look_up_page_offers_no_payment_once_paying_makes_no_sense(
    client, dossier, officer, supervisor, state
):
    dossier = _in_state(state, dossier, officer, supervisor)
    assert dossier.status == state
    assert dossier.fee_vnd > 0
    assert not Payment.objects.filter(dossier=dossier).exists()
    assert not payment_is_due(dossier=dossier)
    html = (
        with_lookup_proof(client, dossier.code)
        .get(f"/tra-cuu/ho-so/{dossier.code}/")
        .content.decode()
    )
    assert f"/tra-cuu/ho-so/{dossier.code}/thanh-toan/" not in html
    assert "Chưa thanh toán" not in html
    assert payment_closed_reason(dossier=dossier) in html


@pytest.mark.parametrize("state", NOT_PAYABLE)
def test_the_payment_page_offers_no_way_to_pay_and_opens_no_request(
    client, dossier, officer, supervisor, state
):
    dossier = _in_state(state, dossier, officer, supervisor)
    html = (
        with_lookup_proof(client, dossier.code)
        .get(f"/tra-cuu/ho-so/{dossier.code}/thanh-toan/")
        .content.decode()
    )
    assert f"/tra-cuu/ho-so/{dossier.code}/thanh-toan/vnpay/" not in html
    assert "data:image/png;base64" not in html  # no VietQR
    assert payment_closed_reason(dossier=dossier) in html
    assert not Payment.objects.filter(dossier=dossier).exists()


def test_an_open_request_is_not_offered_once_the_result_is_handed_over(
    client, dossier, officer, supervisor
):
    services.payment_open(dossier=dossier)  # asked while it could be paid
    dossier = _returned(dossier, officer, supervisor)
    assert Payment.objects.get(dossier=dossier).state == Payment.State.AWAITING
    assert not payment_is_due(dossier=dossier)
    html = (
        with_lookup_proof(client, dossier.code)
        .get(f"/tra-cuu/ho-so/{dossier.code}/")
        .content.decode()
    )
    assert f"/tra-cuu/ho-so/{dossier.code}/thanh-toan/" not in html
    assert services.payment_open(dossier=dossier) is None


@pytest.mark.parametrize("state", NOT_PAYABLE)
def test_the_service_refuses_a_gateway_order_with_a_clear_message(
    dossier, officer, supervisor, state
):
    dossier = _in_state(state, dossier, officer, supervisor)
    assert services.payment_open(dossier=dossier) is None
    with pytest.raises(InvalidTransition) as error:
        online.payment_gateway_start(
            dossier=dossier,
            gateway=gateway_get("vnpay"),
            return_url="http://x/",
            client_ip="127.0.0.1",
        )
    assert str(error.value.message) == payment_closed_reason(dossier=dossier)
    assert "không thể thanh toán" in str(error.value.message)
    assert not Payment.objects.filter(dossier=dossier).exists()


def test_the_refusal_for_a_returned_dossier_is_translated(dossier, officer, supervisor):
    dossier = _returned(dossier, officer, supervisor)
    with translation.override("en"):
        with pytest.raises(InvalidTransition) as error:
            online.payment_gateway_start(
                dossier=dossier,
                gateway=gateway_get("vnpay"),
                return_url="http://x/",
                client_ip="127.0.0.1",
            )
        message = str(error.value.message)
    assert "handed over" in message
    assert message != payment_closed_reason(dossier=dossier)  # the Vietnamese one


def test_posting_to_the_gateway_for_a_returned_dossier_shows_the_reason(
    client, dossier, officer, supervisor
):
    dossier = _returned(dossier, officer, supervisor)
    with_lookup_proof(client, dossier.code)
    response = client.post(f"/tra-cuu/ho-so/{dossier.code}/thanh-toan/vnpay/", follow=True)
    html = response.content.decode()
    assert "Hồ sơ đã trả kết quả, không thể thanh toán trực tuyến." in html
    assert not Payment.objects.filter(dossier=dossier).exists()


def test_a_paid_dossier_is_not_due(dossier, officer):
    services.payment_confirm(dossier=dossier, actor=officer, method="cash", reference="1")
    assert not payment_is_due(dossier=dossier)


def test_a_free_dossier_is_not_due(birth_registration, commune):
    assert not payment_is_due(dossier=submit_online(birth_registration, commune))
