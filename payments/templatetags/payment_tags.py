"""Template tags of the payment boxes other pages include.

{% load payment_tags %}
{% payment_panel dossier %}            citizens: what is owed, pay / receipt links
{% officer_payment_box dossier %}      officers: state, receipts, record a payment
{% fee_explain procedure "online" %}   the fee rule in words and its computation
"""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse

from dossiers.models import Dossier
from payments.models import Payment
from procedures.models import Procedure

register = template.Library()


@register.inclusion_tag("payments/_panel.html")
def payment_panel(dossier: Dossier) -> dict[str, Any]:
    from payments.views import payment_panel_context

    context = payment_panel_context(dossier=dossier)
    payment = context["payment"]
    context["pay_url"] = reverse("payment-page", args=[dossier.code])
    context["receipt_url"] = (
        reverse("payment-receipt", args=[dossier.code, payment.pk])
        if isinstance(payment, Payment) and payment.state != "awaiting"
        else ""
    )
    return context


@register.inclusion_tag("payments/_officer_box.html", takes_context=True)
def officer_payment_box(context: template.Context, dossier: Dossier) -> dict[str, Any]:
    from payments.forms import PaymentConfirmForm
    from payments.selectors import dossier_payment_state, dossier_payments
    from payments.services import CLOSED_STATES
    from procedures.fees import fee_needs_copies, fee_rule_text

    state = dossier_payment_state(dossier=dossier)
    per_unit = fee_needs_copies(procedure=dossier.procedure)
    return {
        "dossier": dossier,
        "payments": dossier_payments(dossier=dossier),
        "state": state,
        # State 6 has its own action (confirm_payment); elsewhere the box records it.
        "can_record": (
            state == "awaiting"
            and dossier.status not in CLOSED_STATES
            and dossier.status != Dossier.Status.AWAITING_PAYMENT
        ),
        "form": PaymentConfirmForm(auto_id="id_payment_%s", per_unit=per_unit),
        "rule": fee_rule_text(procedure=dossier.procedure, channel=dossier.channel),
        "next": context.get("request").get_full_path() if context.get("request") else "",
    }


@register.inclusion_tag("payments/_fee_explain.html")
def fee_explain(procedure: Procedure, channel: str) -> dict[str, Any]:
    from procedures.fees import fee_lines, fee_needs_copies, fee_rule_text

    return {
        "text": fee_rule_text(procedure=procedure, channel=channel),
        "lines": fee_lines(procedure=procedure, channel=channel),
        "per_unit": fee_needs_copies(procedure=procedure),
    }
