"""Writes of online payments: orders opened at a gateway, its notifications, the polling of
orders it never confirmed, and the national platform's receipt.

An order is a PaymentAttempt for the amount due when it was opened. Only a pending attempt can
succeed or fail, once; a success for a payment no longer awaiting that very amount (paid
another way, or replaced by a request for another amount) settles nothing and is kept for a
refund. Every entry point locks the dossier row, then its payment rows, as payments.services.
Calls to a gateway over the network are made outside any transaction.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dossiers.models import Dossier
from payments.gateways import gateway_get
from payments.gateways.base import Answer, GatewayError, Notification, Order, PaymentGateway
from payments.models import Payment, PaymentAttempt
from payments.selectors import payment_closed_reason
from payments.services import _awaiting_or_fee, _lock, _settle, payment_record_paid
from payments.vietqr import ascii_text
from portal.exceptions import InvalidTransition, PortalError

logger = logging.getLogger(__name__)

# Orders left pending are asked for from this age (the citizen may still be paying) to this
# one (the platform keeps them three days).
POLL_AFTER = timedelta(minutes=30)
POLL_UNTIL = timedelta(days=3)


def txn_ref_new(payment: Payment) -> str:
    """Our order number at the gateway: the payment and a random part (unique per try)."""
    return f"{payment.pk}M{secrets.token_hex(5).upper()}"


def _receipt_data(dossier: Dossier, payment: Payment) -> dict[str, Any]:
    """What the national platform prints on its receipt (ThongTinBienLai)."""
    unit = dossier.unit
    return {
        "MaTTHC": dossier.procedure.code,
        "TenTTHC": dossier.procedure.name[:500],
        "MaDonVi": unit.e_id or unit.code,
        "TenDonVi": unit.name,
        "MaHoSo": dossier.code,
        "HoTenNguoiNop": dossier.applicant_name,
        "SoCMNDNguoiNop": dossier.applicant_id_number,
        "DiaChiNguoiNop": dossier.applicant_address,
        "PhiLePhi": [
            {
                "LoaiPhiLePhi": "2",
                "MaPhiLePhi": str(number),
                "TenPhiLePhi": str(line.get("label", "")),
                "SoTien": str(line.get("amount_vnd", 0)),
            }
            for number, line in enumerate(payment.fee_detail or [], start=1)
        ],
    }


@transaction.atomic(durable=True)
def _order_open(
    *, dossier: Dossier, gateway: PaymentGateway, return_url: str, client_ip: str, at: datetime
) -> tuple[PaymentAttempt, Order]:
    locked = _lock(dossier)
    reason = payment_closed_reason(dossier=locked)
    if reason:
        raise InvalidTransition(reason, extra={"status": locked.status})
    payment = _awaiting_or_fee(locked, actor=None, at=at)
    if payment is None:
        raise PortalError(_("Hồ sơ không có khoản phí nào chờ thanh toán."))
    attempt = PaymentAttempt.objects.create(
        payment=payment,
        gateway=gateway.name,
        txn_ref=txn_ref_new(payment),
        amount_vnd=payment.amount_vnd,
        created_at=at,
    )
    order = Order(
        txn_ref=attempt.txn_ref,
        amount_vnd=attempt.amount_vnd,
        description=ascii_text(_("Thanh toan phi ho so %(code)s") % {"code": locked.code})[:255],
        return_url=return_url,
        client_ip=client_ip,
        created_at=at,
        receipt=_receipt_data(locked, payment),
    )
    return attempt, order


def payment_gateway_start(
    *,
    dossier: Dossier,
    gateway: PaymentGateway,
    return_url: str,
    client_ip: str,
    at: datetime | None = None,
) -> str:
    """Open an order at the gateway for what the dossier owes; return where to send the
    browser. Each try is a new order (PaymentAttempt); only one can ever settle the payment.
    A gateway that must be asked first (the national platform's INIT) is called after the
    order is committed; if it fails, the order is closed as failed and the citizen told."""
    attempt, order = _order_open(
        dossier=dossier,
        gateway=gateway,
        return_url=return_url,
        client_ip=client_ip,
        at=at or timezone.now(),
    )
    try:
        return gateway.redirect_url(order)
    except GatewayError as exc:
        logger.warning("%s refused order %s: %s", gateway.name, attempt.txn_ref, exc)
        PaymentAttempt.objects.filter(pk=attempt.pk, state=PaymentAttempt.State.PENDING).update(
            state=PaymentAttempt.State.FAILED, details={"init_error": str(exc)[:500]}
        )
        raise PortalError(
            _("Chưa kết nối được %(gateway)s, vui lòng thử lại sau hoặc chọn cách nộp khác.")
            % {"gateway": gateway.label}
        ) from exc


def payment_notification_handle(
    *, gateway: PaymentGateway, params: Mapping[str, Any], at: datetime | None = None
) -> Answer:
    """The gateway's server-to-server notification (IPN, CONFIRM), idempotent.

    Steps, in the gateway's published order: read and verify the signature (else
    INVALID_SIGNATURE, or UNKNOWN_ERROR for missing data); find our order (else
    ORDER_NOT_FOUND); compare the amount (else INVALID_AMOUNT); a notification for an order
    already settled is a replay (ALREADY_CONFIRMED) and changes nothing. Then record the
    outcome: a failed payment closes the order; a successful one marks the payment paid and
    resumes a dossier awaiting payment. Any other failure rolls back and answers
    UNKNOWN_ERROR, so the gateway tries again.
    """
    try:
        note = gateway.notification_read(params)
    except GatewayError as exc:
        return exc.answer
    return _outcome_handle(gateway=gateway, note=note, at=at or timezone.now())


def _outcome_handle(*, gateway: PaymentGateway, note: Notification, at: datetime) -> Answer:
    try:
        answer = _outcome_record(gateway=gateway, note=note, at=at)
    except (PortalError, ValidationError, IntegrityError):
        logger.exception("payment outcome from %s could not be recorded", gateway.name)
        return Answer.UNKNOWN_ERROR
    if answer == Answer.CONFIRMED and note.success and getattr(gateway, "can_query", False):
        _bill_fetch_later(gateway=gateway, txn_ref=note.txn_ref)
    return answer


@transaction.atomic(durable=True)
def _outcome_record(*, gateway: PaymentGateway, note: Notification, at: datetime) -> Answer:
    found = (
        PaymentAttempt.objects.filter(gateway=gateway.name, txn_ref=note.txn_ref)
        .values_list("payment__dossier_id", flat=True)
        .first()
    )
    if found is None:
        return Answer.ORDER_NOT_FOUND
    # Lock order as everywhere: the dossier, then its payment rows.
    dossier = Dossier.objects.select_for_update().get(pk=found)
    attempt = PaymentAttempt.objects.select_for_update().get(
        gateway=gateway.name, txn_ref=note.txn_ref
    )
    if note.amount_vnd != attempt.amount_vnd:
        return Answer.INVALID_AMOUNT
    if attempt.state != PaymentAttempt.State.PENDING:
        return Answer.ALREADY_CONFIRMED
    payment = Payment.objects.select_for_update().get(pk=attempt.payment_id)
    attempt.response_code, attempt.transaction_no = note.response_code, note.transaction_no
    attempt.bank_code, attempt.notified_at, attempt.details = note.bank_code, at, note.params
    if not note.success:
        attempt.state = PaymentAttempt.State.FAILED
        attempt.save()
        return Answer.CONFIRMED
    attempt.state = PaymentAttempt.State.SUCCEEDED
    if payment.state != Payment.State.AWAITING or payment.amount_vnd != attempt.amount_vnd:
        # Paid meanwhile by another order or at the counter, or the order's amount is no
        # longer what is asked (the request was replaced): the money does not settle what is
        # owed now. Keep the record (the reconciliation list shows it for a refund) and tell
        # the gateway the order is closed.
        attempt.details = {**note.params, "duplicate": True}
        attempt.save()
        return Answer.ALREADY_CONFIRMED
    attempt.save()
    paid = payment_record_paid(
        dossier=dossier,
        method=Payment.Method.ONLINE,
        reference=note.transaction_no or note.txn_ref,
        actor=None,
        at=at,
        gateway=gateway.name,
    )
    assert paid is not None
    _settle(dossier=dossier, payment=paid, actor=None, actor_label=gateway.label, at=at)
    return Answer.CONFIRMED


def payment_return_read(*, gateway: PaymentGateway, params: Mapping[str, str]) -> dict[str, Any]:
    """What to tell the citizen back from the gateway. Changes nothing: the IPN decides."""
    try:
        note = gateway.notification_read(params)
    except GatewayError:
        return {"valid": False, "attempt": None, "success": False}
    attempt = (
        PaymentAttempt.objects.select_related("payment", "payment__dossier")
        .filter(gateway=gateway.name, txn_ref=note.txn_ref)
        .first()
    )
    return {
        "valid": attempt is not None and attempt.amount_vnd == note.amount_vnd,
        "attempt": attempt,
        "success": note.success,
    }


# --- Orders never confirmed (QUERY) and the platform's receipt (GET_BILL) --------------------


def payment_attempt_query(*, attempt: PaymentAttempt, at: datetime | None = None) -> str:
    """Ask the gateway about one pending order and record what it says, as a notification
    would: "settled", "failed", "pending", "ignored" (a duplicate or a stale answer), or
    "error" (unreachable or a badly signed answer: asked again next round)."""
    gateway = gateway_get(attempt.gateway)
    try:
        note = gateway.query(attempt.txn_ref)
    except GatewayError as exc:
        logger.warning("QUERY of %s failed: %s", attempt.txn_ref, exc)
        return "error"
    if note is None:
        return "pending"
    answer = _outcome_handle(gateway=gateway, note=note, at=at or timezone.now())
    if answer != Answer.CONFIRMED:
        return "ignored" if answer == Answer.ALREADY_CONFIRMED else "error"
    return "settled" if note.success else "failed"


def payment_attempts_poll(*, at: datetime | None = None) -> dict[str, int]:
    """Every pending order of a gateway that can be asked, from 30 minutes to 3 days old:
    ask, and record what the gateway says (payments.tasks, beat)."""
    at = at or timezone.now()
    counts: dict[str, int] = {}
    pending = PaymentAttempt.objects.filter(
        gateway__in=["national"],
        state=PaymentAttempt.State.PENDING,
        created_at__lte=at - POLL_AFTER,
        created_at__gte=at - POLL_UNTIL,
    ).order_by("created_at", "id")
    for attempt in pending[:500]:
        outcome = payment_attempt_query(attempt=attempt, at=at)
        counts[outcome] = counts.get(outcome, 0) + 1
    return counts


def _bill_fetch_later(*, gateway: PaymentGateway, txn_ref: str) -> None:
    from payments.tasks import payment_bill_fetch

    def send() -> None:
        # The payment is recorded whatever happens to its receipt: a queue that is down must
        # not turn the gateway's answer into an error (the poll does not fetch receipts).
        try:
            payment_bill_fetch.delay(txn_ref)
        except Exception:
            logger.exception("GET_BILL of %s could not be queued", txn_ref)

    transaction.on_commit(send)


def payment_bill_fetch(*, txn_ref: str) -> bool:
    """GET_BILL: store the platform's receipt PDF of a paid order (once). False when the
    platform has none yet (asked again by the task's retries)."""
    attempt = PaymentAttempt.objects.filter(
        gateway="national", txn_ref=txn_ref, state=PaymentAttempt.State.SUCCEEDED
    ).first()
    if attempt is None:
        return False
    if attempt.bill:
        return True
    try:
        content = gateway_get(attempt.gateway).bill(txn_ref)
    except GatewayError as exc:
        logger.warning("GET_BILL of %s failed: %s", txn_ref, exc)
        return False
    with transaction.atomic():
        locked = PaymentAttempt.objects.select_for_update().get(pk=attempt.pk)
        if not locked.bill:
            locked.bill.save(f"{secrets.token_hex(16)}.pdf", ContentFile(content), save=False)
            locked.save(update_fields=["bill"])
    return True
