"""Fixtures of the payment tests: a level 4 procedure with a fee, accounts, dossiers."""

from __future__ import annotations

import pytest

from dossiers.models import Dossier
from dossiers.services import actions
from dossiers.services.core import dossier_create
from payments.models import PaymentAccount
from tests.conftest import make_procedure
from tests.dossiers.conftest import APPLICANT, incoming

S = Dossier.Status
TMN_CODE = "MOTCUA01"
SECRET = "test-only-hash-secret"


@pytest.fixture(autouse=True)
def _vnpay(settings):
    settings.VNPAY_TMN_CODE = TMN_CODE
    settings.VNPAY_HASH_SECRET = SECRET
    settings.VNPAY_PAYMENT_URL = "https://gateway.invalid/paymentv2/vpcpay.html"


@pytest.fixture
def residence(commune, other_commune):
    """Level 4 (fully online), 10.000 đ on every channel."""
    return make_procedure(
        code="1.004222",
        name="Đăng ký thường trú",
        level=4,
        units=[commune, other_commune],
        working_days="7",
        fee_vnd=10_000,
        field="Cư trú",
    )


@pytest.fixture
def district_account(district):
    return PaymentAccount.objects.create(
        unit=district,
        bank_bin="970405",
        bank_name="Agribank (minh họa)",
        account_number="8888000111222",
        account_name="UBND HUYEN TAN UYEN",
        is_demo=True,
    )


def submit_online(procedure, unit, *, payment_method: str = "online") -> Dossier:
    dossier, _key = dossier_create(
        procedure=procedure,
        unit=unit,
        channel="online",
        applicant=APPLICANT,
        payment_method=payment_method,
        files=[incoming(d) for d in procedure.documents.all()],
    )
    return dossier


def awaiting_payment(procedure, unit, *, desk, specialist, amount_vnd: int = 10_000) -> Dossier:
    """Received online, asked to pay by the specialist: state 6, clock paused."""
    dossier = submit_online(procedure, unit)
    dossier = actions.dossier_receive(dossier=dossier, actor=desk)
    actions.dossier_request_payment(dossier=dossier, actor=specialist, amount_vnd=amount_vnd)
    return Dossier.objects.get(pk=dossier.pk)
