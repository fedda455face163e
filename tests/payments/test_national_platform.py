"""The national payment platform over HTTP: our page → INIT at the fake platform (a real
server) → the citizen pays there → its CONFIRM to our live server; QUERY for an order whose
CONFIRM never came; GET_BILL stored and downloadable.

A CONFIRM that cannot be trusted or does not match what is owed now changes nothing: a wrong
hash, a wrong amount, a replay, an unknown MaThamChieu, an order for an amount since replaced.
"""

from __future__ import annotations

import re
from datetime import timedelta
from html import unescape
from urllib.request import urlopen

import pytest
from django.db import transaction
from django.utils import timezone

from dossiers.models import Dossier
from dvcqg import selectors as dvcqg_selectors
from payments import online, selectors
from payments.models import Payment, PaymentAttempt
from payments.services import payment_confirm, payment_request_record
from tests.fakes.national_pay import FakeNationalPay
from tests.payments.conftest import awaiting_payment
from tests.payments.test_gateway_roundtrip import browser_with_the_key

pytestmark = pytest.mark.django_db(transaction=True)
S = Dossier.Status
PARTNER, SECRET = "000.00.00.H33", "national-test-secret"


@pytest.fixture
def platform(live_server, settings, celery_eager):
    with FakeNationalPay(
        partner=PARTNER, secret=SECRET, callback_url=f"{live_server.url}/thanh-toan/national/ipn/"
    ) as fake:
        settings.NATIONAL_PAY_URL = fake.url
        settings.NATIONAL_PAY_PARTNER_CODE = PARTNER
        settings.NATIONAL_PAY_SECRET = SECRET
        settings.NATIONAL_PAY_BENEFICIARY_ACCOUNT = "3711000123456"
        settings.NATIONAL_PAY_BENEFICIARY_BANK = "970418"
        settings.NATIONAL_PAY_BENEFICIARY_NAME = "UBND HUYEN TAN UYEN"
        yield fake


@pytest.fixture
def owing(residence, commune, officer, specialist):
    return awaiting_payment(residence, commune, desk=officer, specialist=specialist)


def _start(dossier) -> str:
    """The citizen presses the national platform's button: the URL the page sends them to."""
    page = browser_with_the_key(dossier.code).post(
        f"/tra-cuu/ho-so/{dossier.code}/thanh-toan/national/"
    )
    assert page.status_code == 200, page.content.decode()[:500]
    return unescape(
        re.search(r'href="(http://127\.0\.0\.1:\d+/thanh-toan/[^"]+)"', page.content.decode())[1]
    )


def _snapshot(dossier):
    dossier.refresh_from_db()
    return (
        dossier.status,
        list(Payment.objects.filter(dossier=dossier).values_list("state", "amount_vnd")),
        list(
            PaymentAttempt.objects.filter(payment__dossier=dossier).values_list("state", "details")
        ),
        dossier.events.count(),
    )


def test_the_page_offers_the_platform_only_when_configured(client, settings, owing):
    settings.NATIONAL_PAY_URL = ""
    browser = browser_with_the_key(owing.code)
    assert (
        "Cổng Dịch vụ công quốc gia"
        not in browser.get(f"/tra-cuu/ho-so/{owing.code}/thanh-toan/").content.decode()
    )
    assert browser.post(f"/tra-cuu/ho-so/{owing.code}/thanh-toan/national/").status_code == 404
    settings.NATIONAL_PAY_URL = "https://pay.invalid/api"
    settings.NATIONAL_PAY_PARTNER_CODE, settings.NATIONAL_PAY_SECRET = PARTNER, SECRET
    html = browser.get(f"/tra-cuu/ho-so/{owing.code}/thanh-toan/").content.decode()
    assert "Thanh toán qua Cổng Dịch vụ công quốc gia" in html


def test_a_good_confirm_settles_once_and_the_receipt_is_stored(platform, owing, officer, client):
    url = _start(owing)
    init = platform.messages[-1]
    assert (init["LoaiBanTin"], init["SoTien"]) == ("INIT", "10000")
    assert init["ThongTinBienLai"]["MaHoSo"] == owing.code
    assert init["ThongTinBienLai"]["TKThuHuong"] == "3711000123456"
    with urlopen(url, timeout=20) as response:  # noqa: S310 - the citizen pays
        assert response.status == 200
    [call] = platform.confirms
    assert (call.answer["MaLoi"], call.answer_hash_ok) == ("00", True)
    assert call.answer["MaThamChieu"] == init["MaThamChieu"]
    owing.refresh_from_db()
    assert owing.status == S.PROCESSING
    payment = Payment.objects.get(dossier=owing, state=Payment.State.PAID)
    assert (payment.method, payment.gateway) == ("online", "national")
    assert selectors.payment_channel(payment=payment) == "national"
    assert selectors.dossier_online_payment_code(dossier=owing) == "1"
    # GET_BILL ran after the settlement: the platform's receipt is stored.
    attempt = PaymentAttempt.objects.get(payment=payment)
    assert attempt.bill
    events = owing.events.count()
    # The platform sends the CONFIRM again: acknowledged, nothing changes.
    again = platform.resend()
    assert (again.answer["MaLoi"], again.answer_hash_ok) == ("00", True)
    assert owing.events.count() == events
    assert Payment.objects.filter(dossier=owing, state=Payment.State.PAID).count() == 1
    # The citizen (with the key) and the officer download the platform's receipt.
    path = f"/tra-cuu/ho-so/{owing.code}/bien-lai-quoc-gia/{attempt.pk}.pdf"
    assert client.get(path).status_code == 302  # no key: to the look-up
    pdf = browser_with_the_key(owing.code).get(path)
    assert (pdf.status_code, pdf["Content-Type"]) == (200, "application/pdf")
    assert pdf.content.startswith(b"%PDF-")
    client.force_login(officer)
    assert (
        client.get(f"/can-bo/ho-so/{owing.code}/bien-lai-quoc-gia/{attempt.pk}.pdf").status_code
        == 200
    )
    html = browser_with_the_key(owing.code).get(f"/tra-cuu/ho-so/{owing.code}/thanh-toan/")
    assert "bien-lai-quoc-gia" in html.content.decode()


def test_a_confirm_with_a_wrong_hash_changes_nothing(platform, owing):
    platform.outcome("hold")
    urlopen(_start(owing), timeout=20).close()  # noqa: S310
    ref = platform.messages[-1]["MaThamChieu"]
    before = _snapshot(owing)
    forged = platform.confirm_message(ref, secret="not-the-secret")
    assert platform.confirm(forged).answer["MaLoi"] == "99"
    tampered = platform.confirm_message(ref)
    tampered["MaGiaoDich"] = "GD-OTHER"  # signed fields changed after signing
    assert platform.confirm(tampered).answer["MaLoi"] == "99"
    unsigned = {k: v for k, v in platform.confirm_message(ref).items() if k != "MaXacThuc"}
    assert platform.confirm(unsigned).answer["MaLoi"] == "99"
    assert _snapshot(owing) == before


def test_a_confirm_with_a_wrong_amount_changes_nothing(platform, owing):
    platform.outcome("hold")
    urlopen(_start(owing), timeout=20).close()  # noqa: S310
    ref = platform.messages[-1]["MaThamChieu"]
    before = _snapshot(owing)
    for amount in ("1000", "100000", "10000.5", "-10000"):
        call = platform.confirm(platform.confirm_message(ref, amount=amount))
        assert call.answer["MaLoi"] == "99", amount
    assert _snapshot(owing) == before


def test_a_confirm_for_an_unknown_reference_changes_nothing(platform, owing):
    platform.outcome("hold")
    urlopen(_start(owing), timeout=20).close()  # noqa: S310
    before = _snapshot(owing)
    call = platform.confirm(platform.confirm_message("999M0000000000", amount="10000"))
    assert (call.answer["MaLoi"], call.answer_hash_ok) == ("99", True)
    assert _snapshot(owing) == before


def test_a_replayed_confirm_of_a_settled_order_changes_nothing(platform, owing):
    urlopen(_start(owing), timeout=20).close()  # noqa: S310
    settled = _snapshot(owing)
    assert settled[0] == S.PROCESSING
    for _ in range(3):
        assert platform.resend().answer["MaLoi"] == "00"
    assert _snapshot(owing) == settled


def test_a_confirm_for_an_order_whose_amount_was_replaced_settles_nothing(
    platform, owing, specialist
):
    platform.outcome("hold")
    urlopen(_start(owing), timeout=20).close()  # noqa: S310 - paid 10.000, no CONFIRM yet
    ref = platform.messages[-1]["MaThamChieu"]
    # The office asks for another amount: the open order is cancelled, a new one is owed.
    with transaction.atomic():
        locked = Dossier.objects.select_for_update().get(pk=owing.pk)
        payment_request_record(
            dossier=locked, amount_vnd=25_000, actor=specialist, at=timezone.now()
        )
    call = platform.confirm(platform.confirm_message(ref))
    assert call.answer["MaLoi"] == "00"  # received; kept for a refund
    owing.refresh_from_db()
    assert owing.status == S.AWAITING_PAYMENT
    assert Payment.objects.get(dossier=owing, state=Payment.State.AWAITING).amount_vnd == 25_000
    assert not Payment.objects.filter(dossier=owing, state=Payment.State.PAID).exists()
    attempt = PaymentAttempt.objects.get(txn_ref=ref)
    assert attempt.details.get("duplicate") is True
    assert selectors.dossier_online_payment_code(dossier=owing) == "3"


def test_query_settles_a_pending_order_whose_confirm_never_came(platform, owing):
    platform.outcome("hold", "fail")
    urlopen(_start(owing), timeout=20).close()  # noqa: S310 - paid, the CONFIRM is lost
    ref = platform.messages[-1]["MaThamChieu"]
    attempt = PaymentAttempt.objects.get(txn_ref=ref)
    # Too young to be asked for: the citizen may still be on the platform's page.
    assert online.payment_attempts_poll() == {}
    later = attempt.created_at + timedelta(minutes=31)
    assert online.payment_attempts_poll(at=later) == {"settled": 1}
    assert platform.messages[-2]["LoaiBanTin"] == "QUERY"
    assert platform.messages[-1]["LoaiBanTin"] == "GET_BILL"
    owing.refresh_from_db()
    assert owing.status == S.PROCESSING
    attempt.refresh_from_db()
    assert attempt.state == PaymentAttempt.State.SUCCEEDED
    assert attempt.bill
    # Nothing pending is left to ask about; a late CONFIRM changes nothing.
    assert online.payment_attempts_poll(at=later) == {}
    events = owing.events.count()
    assert platform.confirm(platform.confirm_message(ref)).answer["MaLoi"] == "00"
    assert owing.events.count() == events


def test_query_closes_a_failed_order_and_leaves_a_pending_one(
    platform, residence, commune, officer, specialist
):
    failed = awaiting_payment(residence, commune, desk=officer, specialist=specialist)
    platform.outcome("fail")
    _start(failed)
    pending = awaiting_payment(residence, commune, desk=officer, specialist=specialist)
    _start(pending)
    ref_failed = platform.messages[-2]["MaThamChieu"]
    # The failed order's citizen declined on the platform; its CONFIRM was lost too.
    platform.orders[ref_failed].state = "4"
    later = timezone.now() + timedelta(minutes=45)
    assert online.payment_attempts_poll(at=later) == {"failed": 1, "pending": 1}
    assert PaymentAttempt.objects.get(txn_ref=ref_failed).state == PaymentAttempt.State.FAILED
    assert Dossier.objects.get(pk=failed.pk).status == S.AWAITING_PAYMENT
    # After three days an order is no longer asked for.
    assert online.payment_attempts_poll(at=timezone.now() + timedelta(days=3, hours=1)) == {}


def test_a_refused_init_tells_the_citizen_and_closes_the_order(platform, settings, owing):
    settings.NATIONAL_PAY_SECRET = "a-secret-the-platform-does-not-know"
    page = browser_with_the_key(owing.code).post(
        f"/tra-cuu/ho-so/{owing.code}/thanh-toan/national/", follow=True
    )
    assert "Chưa kết nối được Cổng Dịch vụ công quốc gia" in page.content.decode()
    attempt = PaymentAttempt.objects.get(payment__dossier=owing)
    assert attempt.state == PaymentAttempt.State.FAILED
    owing.refresh_from_db()
    assert owing.status == S.AWAITING_PAYMENT


def test_dvcqg_is_told_how_the_fee_was_paid(
    platform, settings, owing, residence, commune, officer, specialist
):
    """DuocThanhToanTrucTuyen through the deployment's own DVCQG_PAYMENT_CHANNEL (not set
    here): "1" paid on the national platform, "2" a transfer to the unit's account, "3" cash at
    the counter."""
    assert settings.DVCQG_PAYMENT_CHANNEL == "payments.selectors.dvcqg_payment_channel"
    urlopen(_start(owing), timeout=20).close()  # noqa: S310 - the citizen pays
    assert Payment.objects.get(dossier=owing, state=Payment.State.PAID).gateway == "national"
    assert dvcqg_selectors.dossier_record(owing)["DuocThanhToanTrucTuyen"] == "1"

    def paid_by_officer(method: str, reference: str) -> Dossier:
        dossier = awaiting_payment(residence, commune, desk=officer, specialist=specialist)
        payment_confirm(dossier=dossier, actor=officer, method=method, reference=reference)
        return dossier

    at_counter = paid_by_officer(Payment.Method.CASH, "BL-0001")
    assert dvcqg_selectors.dossier_record(at_counter)["DuocThanhToanTrucTuyen"] == "3"
    by_transfer = paid_by_officer(Payment.Method.TRANSFER, "FT26120612345")
    assert dvcqg_selectors.dossier_record(by_transfer)["DuocThanhToanTrucTuyen"] == "2"
