"""Selectors: the unit's account, and the Decision 766 online-payment rate."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from dossiers.models import PaymentAccount
from dossiers.payments import services
from dossiers.payments.demo import payment_accounts_seed
from dossiers.payments.selectors import payment_account_for, payments_online_rate
from procedures.models import Unit
from tests.payments.conftest import submit_online


def test_a_unit_uses_its_own_account_or_the_nearest_parents(district_account, commune,
                                                            desk, district):
    assert payment_account_for(unit=commune) == district_account
    assert payment_account_for(unit=desk) == district_account
    own = PaymentAccount.objects.create(unit=commune, bank_bin="970418",
                                        bank_name="BIDV", account_number="1", account_name="X")
    assert payment_account_for(unit=commune) == own
    province = Unit.objects.get(code="12")
    assert payment_account_for(unit=province) is None


def test_online_rate_counts_dossiers_paid_online_over_dossiers_paid(residence, commune,
                                                                    other_commune, officer,
                                                                    other_officer):
    today = timezone.localdate()
    services.payment_confirm(dossier=submit_online(residence, commune), actor=officer,
                             method="transfer", reference="FT1")
    services.payment_confirm(dossier=submit_online(residence, commune), actor=officer,
                             method="cash", reference="BL1")
    services.payment_confirm(dossier=submit_online(residence, commune), actor=officer,
                             method="cash", reference="BL2")
    refunded = services.payment_confirm(dossier=submit_online(residence, commune),
                                        actor=officer, method="transfer", reference="FT2")
    services.payment_refund(payment=refunded, actor=officer, reason="Nộp nhầm")
    services.payment_open(dossier=submit_online(residence, commune))  # not paid yet
    services.payment_confirm(dossier=submit_online(residence, other_commune),
                             actor=other_officer, method="transfer", reference="FT3")
    assert payments_online_rate(unit_ids=[commune.pk], start=today, end=today) == (1, 3)
    assert payments_online_rate(unit_ids=[commune.pk, other_commune.pk], start=today,
                                end=today) == (2, 4)
    yesterday = today - timedelta(days=1)
    assert payments_online_rate(unit_ids=[commune.pk], start=yesterday,
                                end=yesterday) == (0, 0)


def test_demo_accounts_are_seeded_once_and_marked_as_demo(district, commune, other_commune):
    assert payment_accounts_seed() == 3
    assert payment_accounts_seed() == 0
    account = PaymentAccount.objects.get(unit=commune)
    assert account.is_demo
    assert account.account_number.startswith("0000")
    assert account.account_name == "DEMO UBND XA MUONG KHOA"
    account.full_clean()
