"""Concurrent IPNs and payments under real row locks (PostgreSQL only)."""

from __future__ import annotations

import pytest

from dossiers.models import Dossier, DossierEvent
from payments import online, services
from payments.gateways import gateway_get
from payments.gateways.base import Answer
from payments.models import Payment
from portal.exceptions import PortalError
from tests.concurrency import POSTGRES_ONLY, run_in_threads
from tests.fakes.vnpay import FakeVNPay
from tests.payments.conftest import SECRET, TMN_CODE, awaiting_payment

pytestmark = POSTGRES_ONLY
S = Dossier.Status


def _order(dossier: Dossier) -> dict[str, str]:
    from urllib.parse import parse_qsl, urlsplit

    url = online.payment_gateway_start(
        dossier=dossier, gateway=gateway_get("vnpay"), return_url="http://x/", client_ip="127.0.0.1"
    )
    return dict(parse_qsl(urlsplit(url).query))


@pytest.mark.django_db(transaction=True)
def test_ten_simultaneous_ipns_settle_the_payment_once(residence, commune, officer, specialist):
    dossier = awaiting_payment(residence, commune, desk=officer, specialist=specialist)
    params = FakeVNPay(tmn_code=TMN_CODE, secret=SECRET).result_params(_order(dossier))
    results = run_in_threads(
        10,
        lambda _i: online.payment_notification_handle(gateway=gateway_get("vnpay"), params=params),
    )
    assert sorted(r.value for r in results) == sorted(
        [Answer.CONFIRMED.value] + [Answer.ALREADY_CONFIRMED.value] * 9
    ), results
    assert Dossier.objects.get(pk=dossier.pk).status == S.PROCESSING
    assert DossierEvent.objects.filter(dossier=dossier, from_status=S.AWAITING_PAYMENT).count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_orders_paid_at_once_settle_once_and_flag_the_other(
    residence, commune, officer, specialist
):
    dossier = awaiting_payment(residence, commune, desk=officer, specialist=specialist)
    fake = FakeVNPay(tmn_code=TMN_CODE, secret=SECRET)
    notes = [fake.result_params(_order(dossier)) for _ in range(2)]
    results = run_in_threads(
        2,
        lambda i: online.payment_notification_handle(gateway=gateway_get("vnpay"), params=notes[i]),
    )
    assert sorted(r.value for r in results) == sorted(
        [Answer.CONFIRMED.value, Answer.ALREADY_CONFIRMED.value]
    )
    assert Payment.objects.filter(dossier=dossier, state="paid").count() == 1
    assert DossierEvent.objects.filter(dossier=dossier, from_status=S.AWAITING_PAYMENT).count() == 1


@pytest.mark.django_db(transaction=True)
def test_an_ipn_racing_the_counter_settles_once(residence, commune, officer, specialist):
    dossier = awaiting_payment(residence, commune, desk=officer, specialist=specialist)
    params = FakeVNPay(tmn_code=TMN_CODE, secret=SECRET).result_params(_order(dossier))

    def work(index: int):
        if index == 0:
            return online.payment_notification_handle(gateway=gateway_get("vnpay"), params=params)
        return services.payment_confirm(
            dossier=Dossier.objects.get(pk=dossier.pk),
            actor=officer,
            method="cash",
            reference="BL-1",
        )

    results = run_in_threads(2, work)
    assert Payment.objects.filter(dossier=dossier, state="paid").count() == 1
    assert DossierEvent.objects.filter(dossier=dossier, from_status=S.AWAITING_PAYMENT).count() == 1
    assert Dossier.objects.get(pk=dossier.pk).status == S.PROCESSING
    # Whoever comes second is told the fee is settled: "already confirmed" to the gateway
    # (the money is flagged for a refund), "nothing to pay" to the officer.
    assert results[0] in (Answer.CONFIRMED, Answer.ALREADY_CONFIRMED), results
    assert (results[0] == Answer.CONFIRMED) == isinstance(results[1], PortalError), results
