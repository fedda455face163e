"""Online payment gateways by name. Add one: implement base.PaymentGateway, list it here."""

from __future__ import annotations

from django.http import Http404

from payments.gateways.base import PaymentGateway


def gateway_get(name: str) -> PaymentGateway:
    """The configured gateway called `name` (Http404 for an unknown name)."""
    if name == "vnpay":
        from payments.gateways.vnpay import VNPayGateway

        return VNPayGateway()
    if name == "national":
        from payments.gateways.national import NationalPaymentGateway

        return NationalPaymentGateway()
    raise Http404(name)


GATEWAY_NAMES: tuple[str, ...] = ("vnpay", "national")
