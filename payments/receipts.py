"""The electronic receipt (biên lai điện tử) of a fee, as an A5 PDF (WeasyPrint, DejaVu).

An open request prints as a payment notice with the VietQR code to pay by transfer; a paid
fee prints as the receipt, with how and when it was paid; a refunded one says so.
"""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils import timezone

from payments.models import Payment
from payments.selectors import payment_account_for, payment_vietqr
from payments.vietqr import qr_data_uri
from procedures.pdf import html_to_pdf


def payment_receipt_context(*, payment: Payment) -> dict[str, object]:
    dossier = payment.dossier
    awaiting = payment.state == Payment.State.AWAITING
    payload = payment_vietqr(dossier=dossier, amount_vnd=payment.amount_vnd) if awaiting else None
    unit = dossier.unit
    return {
        "payment": payment,
        "dossier": dossier,
        "unit": unit,
        "account": payment_account_for(unit=unit),
        "vietqr": qr_data_uri(payload) if payload else None,
        "lines": payment.fee_detail
        or [
            {
                "label": dossier.procedure.name,
                "quantity": 1,
                "unit_vnd": payment.amount_vnd,
                "amount_vnd": payment.amount_vnd,
            }
        ],
        "today": timezone.localdate(),
        "place": (unit.parent.name if unit.parent else unit.name),
    }


def payment_receipt_pdf(*, payment: Payment) -> bytes:
    html = render_to_string("payments/receipt_pdf.html", payment_receipt_context(payment=payment))
    return html_to_pdf(html)
