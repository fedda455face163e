"""A result is not handed back while its fee is owed, unless the desk takes the fee in the same
step ("Thu phí, lệ phí tại quầy khi trả kết quả"): on the page and through the API alike. The
dossier core knows nothing of payments; payments declares the condition
(dossiers.return_conditions)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from rest_framework.test import APIClient

from dossiers.models import Dossier, DossierEvent
from dossiers.services import actions
from payments.models import Payment
from tests.conftest import make_procedure
from tests.payments.conftest import submit_online

pytestmark = pytest.mark.django_db
S = Dossier.Status
API = "/api/v1/officer/dossiers/"
REFUSAL = "Hồ sơ còn 10.000 đồng phí, lệ phí chưa nộp."


def _resolved(dossier, officer, supervisor):
    dossier = actions.dossier_receive(dossier=dossier, actor=officer)
    return actions.dossier_resolve(dossier=dossier, actor=supervisor, outcome="approved")


@pytest.fixture
def owing(residence, commune, officer, supervisor):
    """Resolved, its 10.000 đ fee never paid."""
    return _resolved(submit_online(residence, commune), officer, supervisor)


@pytest.fixture
def free(commune, officer, supervisor):
    procedure = make_procedure(code="1.000001", name="Chứng thực bản sao", level=4, units=[commune])
    return _resolved(submit_online(procedure, commune, payment_method="none"), officer, supervisor)


def _page_return(client, officer, dossier, **extra):
    client.force_login(officer)
    data = {"method": "counter", "recipient_name": "Nguyễn Văn An", **extra}
    return client.post(f"/can-bo/ho-so/{dossier.code}/tra-ket-qua/", data)


def _api_return(officer, dossier, **extra):
    client = APIClient()
    client.force_authenticate(officer)
    body = {"action": "return", "method": "counter", "recipient_name": "Nguyễn Văn An", **extra}
    return client.post(f"{API}{dossier.code}/actions/", body, format="json")


def test_the_return_form_offers_to_take_the_fee_with_its_amount(client, officer, owing):
    client.force_login(officer)
    html = client.get(f"/can-bo/ho-so/{owing.code}/").content.decode()
    assert "Thu phí, lệ phí tại quầy khi trả kết quả: 10.000 đồng" in html
    assert 'name="take_fee"' in html


def test_the_page_refuses_an_unpaid_return_and_changes_nothing(client, officer, owing):
    response = _page_return(client, officer, owing)
    assert response.status_code == 400
    assert REFUSAL in response.content.decode()
    owing.refresh_from_db()
    assert owing.status == S.RESOLVED
    assert not Payment.objects.filter(dossier=owing).exists()
    assert not DossierEvent.objects.filter(dossier=owing, kind="payment").exists()


def test_the_api_refuses_an_unpaid_return_with_a_translated_message(officer, owing):
    response = _api_return(officer, owing)
    assert response.status_code == 400
    assert REFUSAL in str(response.json())
    english = APIClient()
    english.force_authenticate(officer)
    response = english.post(
        f"{API}{owing.code}/actions/",
        {"action": "return", "method": "counter", "recipient_name": "An"},
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    assert "10.000 VND" in str(response.json()), response.json()
    owing.refresh_from_db()
    assert owing.status == S.RESOLVED
    assert not Payment.objects.filter(dossier=owing).exists()


def test_ticking_the_fee_returns_and_records_the_counter_payment(client, officer, owing):
    response = _page_return(client, officer, owing, take_fee="on")
    assert response.status_code == 302
    owing.refresh_from_db()
    assert owing.status == S.RETURNED
    payment = Payment.objects.get(dossier=owing)
    assert (payment.state, payment.method, payment.amount_vnd) == ("paid", "cash", 10_000)
    assert payment.confirmed_by == officer
    assert owing.events.filter(kind="payment", details__payment=payment.pk).exists()
    returned = owing.events.filter(details__action="return").get()
    assert returned.details["fee_taken"] is True


def test_the_api_takes_the_fee_in_the_same_step(officer, owing):
    response = _api_return(officer, owing, take_fee=True)
    assert response.status_code == 200, response.json()
    owing.refresh_from_db()
    assert owing.status == S.RETURNED
    assert Payment.objects.get(dossier=owing).state == Payment.State.PAID


def test_an_open_request_is_taken_for_its_own_amount(
    residence, commune, officer, specialist, supervisor
):
    dossier = actions.dossier_receive(dossier=submit_online(residence, commune), actor=officer)
    actions.dossier_request_payment(dossier=dossier, actor=specialist, amount_vnd=25_000)
    # The applicant never paid; the head resolves anyway (a decision may precede the fee).
    Dossier.objects.filter(pk=dossier.pk).update(status=S.PROCESSING)
    dossier = actions.dossier_resolve(dossier=dossier, actor=supervisor, outcome="approved")
    with pytest.raises(ValidationError, match=r"25\.000"):
        actions.dossier_return(dossier=dossier, actor=officer, method="counter", recipient_name="A")
    actions.dossier_return(
        dossier=dossier, actor=officer, method="counter", recipient_name="A", take_fee=True
    )
    paid = Payment.objects.get(dossier=dossier, state=Payment.State.PAID)
    assert paid.amount_vnd == 25_000


def test_a_dossier_without_a_fee_returns_as_before(client, officer, free):
    client.force_login(officer)
    assert 'name="take_fee"' not in client.get(f"/can-bo/ho-so/{free.code}/").content.decode()
    assert _page_return(client, officer, free).status_code == 302
    free.refresh_from_db()
    assert free.status == S.RETURNED
    assert not Payment.objects.filter(dossier=free).exists()
    assert free.events.get(details__action="return").details["fee_taken"] is False


def test_an_already_paid_dossier_returns_as_before(client, officer, owing):
    from payments.services import payment_confirm

    payment_confirm(dossier=owing, actor=officer, method="cash", reference="BL-7")
    client.force_login(officer)
    assert 'name="take_fee"' not in client.get(f"/can-bo/ho-so/{owing.code}/").content.decode()
    assert _api_return(officer, owing).status_code == 200
    owing.refresh_from_db()
    assert owing.status == S.RETURNED
    assert Payment.objects.filter(dossier=owing).count() == 1


def test_a_return_refused_by_the_state_takes_nothing(residence, commune, officer):
    dossier = actions.dossier_receive(dossier=submit_online(residence, commune), actor=officer)
    response = _api_return(officer, dossier, take_fee=True)
    assert response.status_code in (403, 409)
    assert not Payment.objects.filter(dossier=dossier).exists()


def test_by_post_the_fee_is_not_taken_at_the_counter(officer, owing):
    """By post (or electronically) the applicant is not at the desk: ticking "taken at the
    counter" would record cash nobody handed over. The fee is paid first (online or at the
    counter), then the result goes out."""
    by_post = {"method": "post", "tracking_number": "EB123456789VN"}
    response = _api_return(officer, owing, take_fee=True, **by_post)
    assert response.status_code == 400, response.json()
    assert "trả kết quả tại quầy" in str(response.json()["take_fee"])
    owing.refresh_from_db()
    assert owing.status == S.RESOLVED
    assert not Payment.objects.filter(dossier=owing).exists()
    # Unticked, the refusal says how to go on: the fee paid first.
    response = _api_return(officer, owing, **by_post)
    assert response.status_code == 400
    assert "sau khi người nộp đã nộp" in str(response.json()["take_fee"])


def test_the_fee_tick_is_shown_with_the_counter_only(client, officer, owing):
    client.force_login(officer)
    html = client.get(f"/can-bo/ho-so/{owing.code}/").content.decode()
    before_tick = html.split('name="take_fee"')[0]
    assert before_tick.rsplit("data-show-when=", 1)[1].startswith('"method=counter"')


def test_a_paid_fee_lets_the_result_go_by_post(officer, owing):
    from payments.services import payment_confirm

    payment_confirm(dossier=owing, actor=officer, method="cash", reference="BL-8")
    response = _api_return(officer, owing, method="post", tracking_number="EB124")
    assert response.status_code == 200, response.json()
    owing.refresh_from_db()
    assert (owing.status, owing.return_method) == (S.RETURNED, "post")
