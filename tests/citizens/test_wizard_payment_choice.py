"""The wizard promises only the online payment the portal really has."""

from __future__ import annotations

import pytest

from citizens.submission import PAYMENT_ONLINE, payment_methods
from tests.conftest import make_procedure

pytestmark = pytest.mark.django_db


@pytest.fixture
def level4(commune):
    return make_procedure(
        code="1.004222", name="Đăng ký thường trú", level=4, units=[commune], fee_vnd=10_000
    )


def _online(procedure) -> str:
    labels = dict(payment_methods(procedure=procedure, delivery="counter", fee=10_000))
    return str(labels[PAYMENT_ONLINE])


@pytest.fixture
def nothing_configured(settings):
    settings.NATIONAL_PAY_URL = settings.NATIONAL_PAY_PARTNER_CODE = ""
    settings.NATIONAL_PAY_SECRET = settings.VNPAY_TMN_CODE = settings.VNPAY_HASH_SECRET = ""


def test_without_a_gateway_nothing_promises_the_national_portal(nothing_configured, level4):
    label = _online(level4)
    assert "quốc gia" not in label
    assert "VNPay" not in label
    assert "Chuyển khoản" in label


def test_the_national_platform_is_named_only_when_configured(settings, nothing_configured, level4):
    settings.NATIONAL_PAY_URL = "https://pay.example/api"
    settings.NATIONAL_PAY_PARTNER_CODE, settings.NATIONAL_PAY_SECRET = "P", "S"
    assert "qua Cổng Dịch vụ công quốc gia" in _online(level4)


def test_the_province_gateway_is_named_when_it_is_the_only_one(
    settings, nothing_configured, level4
):
    settings.VNPAY_TMN_CODE, settings.VNPAY_HASH_SECRET = "M", "S"
    assert "VNPay" in _online(level4)
