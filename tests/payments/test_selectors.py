"""Selectors: the unit's account, and the Decision 766 online-payment rate."""

from __future__ import annotations

from django.utils import timezone

from payments import services
from payments.demo import payment_accounts_seed
from payments.models import PaymentAccount
from payments.selectors import payment_account_for
from procedures.models import Unit
from tests.payments.conftest import submit_online


def test_a_unit_uses_its_own_account_or_the_nearest_parents(
    district_account, commune, desk, district
):
    assert payment_account_for(unit=commune) == district_account
    assert payment_account_for(unit=desk) == district_account
    own = PaymentAccount.objects.create(
        unit=commune, bank_bin="970418", bank_name="BIDV", account_number="1", account_name="X"
    )
    assert payment_account_for(unit=commune) == own
    province = Unit.objects.get(code="12")
    assert payment_account_for(unit=province) is None


def test_demo_accounts_are_seeded_once_and_marked_as_demo(district, commune, other_commune):
    assert payment_accounts_seed() == 3
    assert payment_accounts_seed() == 0
    account = PaymentAccount.objects.get(unit=commune)
    assert account.is_demo
    assert account.account_number.startswith("0000")
    assert account.account_name == "DEMO UBND XA MUONG KHOA"
    account.full_clean()


def test_the_766_indicator_counts_gateway_and_transfer_payments_not_refunds(
    residence, commune, officer, specialist
):
    from dossiers.services import actions
    from reports.selectors.indicators import indicators_compute
    from reports.selectors.periods import Period

    def finished(method: str, *, refund: bool = False) -> None:
        dossier = actions.dossier_receive(
            dossier=submit_online(residence, commune, payment_method="counter"), actor=officer
        )
        payment = services.payment_confirm(
            dossier=dossier, actor=officer, method=method, reference="REF"
        )
        if refund:
            services.payment_refund(payment=payment, actor=officer, reason="Nộp nhầm")
        actions.dossier_resolve(dossier=dossier, actor=specialist, outcome="approved")

    finished("transfer")
    finished("cash")
    finished("transfer", refund=True)
    today = timezone.localdate()
    _cards, overall = indicators_compute(
        period=Period(today, today), units=[commune], scope={commune.pk}
    )
    card = {i.key: i for i in overall.indicators}["3.6"]  # dossiers paid online
    assert (card.numerator, card.denominator) == (1, 3)
