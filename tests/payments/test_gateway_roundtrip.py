"""The whole trip over HTTP: our page → the fake VNPay (a real server) → its IPN back to our
live server → the browser back on the return URL."""

from __future__ import annotations

import re
from html import unescape
from urllib.error import HTTPError
from urllib.request import HTTPRedirectHandler, build_opener

import pytest
from django.test import Client

from dossiers.models import Dossier
from payments.models import Payment
from tests.fakes.vnpay import FakeVNPay
from tests.payments.conftest import SECRET, TMN_CODE, awaiting_payment

S = Dossier.Status


class _NoRedirect(HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # the test follows the 302 itself
        return None


def browser_with_the_key(code: str) -> Client:
    browser = Client()
    session = browser.session
    session["citizen_access"] = {code: {"level": "key", "until": 4_102_444_800}}
    session.save()
    return browser


@pytest.mark.django_db(transaction=True)
def test_a_citizen_pays_through_the_gateway_and_the_dossier_moves_on(
    live_server, settings, residence, commune, officer, specialist
):
    dossier = awaiting_payment(residence, commune, desk=officer, specialist=specialist)
    with FakeVNPay(
        tmn_code=TMN_CODE, secret=SECRET, ipn_url=f"{live_server.url}/thanh-toan/vnpay/ipn/"
    ) as fake:
        settings.VNPAY_PAYMENT_URL = fake.payment_url
        browser = browser_with_the_key(dossier.code)
        page = browser.post(f"/tra-cuu/ho-so/{dossier.code}/thanh-toan/vnpay/")
        assert page.status_code == 200
        gateway_url = unescape(
            re.search(
                r'href="(http://127\.0\.0\.1:\d+/paymentv2/[^"]+)"', page.content.decode()
            ).group(1)
        )
        with pytest.raises(HTTPError) as back:  # the 302 back, not followed
            build_opener(_NoRedirect).open(gateway_url, timeout=20)
        assert back.value.code == 302
        location = back.value.headers["Location"]
        assert fake.requests[-1].signature_ok
        assert [c.answer["RspCode"] for c in fake.ipn_calls] == ["00"]
        dossier.refresh_from_db()
        assert dossier.status == S.PROCESSING
        assert Payment.objects.get(dossier=dossier).state == Payment.State.PAID
        # The gateway retries its IPN: acknowledged, nothing more happens.
        assert fake.replay_ipn().answer["RspCode"] == "02"
        back_page = browser.get(location.replace(live_server.url, ""))
        assert "Đã thanh toán 10.000 đồng" in back_page.content.decode()


@pytest.mark.django_db(transaction=True)
def test_the_gateway_refuses_an_order_signed_with_the_wrong_secret(
    live_server, settings, residence, commune, officer, specialist
):
    dossier = awaiting_payment(residence, commune, desk=officer, specialist=specialist)
    with FakeVNPay(
        tmn_code=TMN_CODE,
        secret="the-real-secret",
        ipn_url=f"{live_server.url}/thanh-toan/vnpay/ipn/",
    ) as fake:
        settings.VNPAY_PAYMENT_URL = fake.payment_url
        page = browser_with_the_key(dossier.code).post(
            f"/tra-cuu/ho-so/{dossier.code}/thanh-toan/vnpay/"
        )
        gateway_url = unescape(
            re.search(r'href="(http://127\.0\.0\.1:[^"]+)"', page.content.decode()).group(1)
        )
        with build_opener(_NoRedirect).open(gateway_url, timeout=20) as response:
            assert b"97 Invalid signature" in response.read()
        assert fake.ipn_calls == []
        assert Dossier.objects.get(pk=dossier.pk).status == S.AWAITING_PAYMENT
