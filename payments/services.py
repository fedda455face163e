"""Writes of payments: ask, pay (cash, transfer, gateway), refund.

Every entry point owns its transaction and locks the dossier row first, so a payment and a
move of the dossier never interleave. Only dossier_transition changes a dossier's status: a
payment that settles a dossier awaiting payment (state 6) moves it back to processing through
it, which also resumes the deadline clock.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dossiers.access import officer_assert_can
from dossiers.models import Dossier
from dossiers.services.core import dossier_transition
from dossiers.services.events import event_append
from payments.gateways.base import Answer, GatewayError, Order, PaymentGateway
from payments.models import Payment, PaymentAttempt
from payments.selectors import payment_closed_reason
from payments.vietqr import ascii_text
from portal.exceptions import InvalidTransition, PortalError
from portal.models import AuditLog
from procedures.fees import fee_compute, fee_lines

logger = logging.getLogger(__name__)

S = Dossier.Status
User = AbstractBaseUser
# An officer can no longer record a payment for a dossier in these states. The applicant's
# own rule is wider (also withdrawal asked, result handed over): selectors.payment_is_due.
CLOSED_STATES: frozenset[str] = frozenset({S.REFUSED, S.STOPPED})


def _name(actor: User | None) -> str:
    if actor is None:
        return ""
    return str(actor.get_full_name() or actor.get_username())


def _lock(dossier: Dossier) -> Dossier:
    return Dossier.objects.select_for_update().get(pk=dossier.pk)


def _awaiting(dossier: Dossier) -> Payment | None:
    return (
        Payment.objects.select_for_update()
        .filter(dossier=dossier, state=Payment.State.AWAITING)
        .first()
    )


# --- Asking --------------------------------------------------------------------------------


def payment_request_record(
    *,
    dossier: Dossier,
    amount_vnd: int,
    actor: User | None,
    at: datetime,
    pages: int | None = None,
    copies: int = 1,
) -> Payment:
    """Record what the applicant is asked to pay (the caller holds the dossier's lock).

    One awaiting payment per dossier. An open request for the same amount is kept (its orders
    at a gateway are still right); one for another amount is cancelled and a new one opened,
    so an order opened for the old amount can never settle the amount due now. The fee's
    computation is kept for the receipt when the amount is the procedure's fee.
    """
    amount = int(amount_vnd)
    if amount <= 0:
        raise ValidationError({"amount_vnd": _("Số tiền phải lớn hơn 0.")})
    lines = [
        line.as_dict()
        for line in fee_lines(
            procedure=dossier.procedure, channel=dossier.channel, pages=pages, copies=copies
        )
    ]
    if sum(line["amount_vnd"] for line in lines) != amount:
        lines = [
            {
                "label": _("Phí, lệ phí theo yêu cầu của cơ quan giải quyết"),
                "quantity": 1,
                "unit_vnd": amount,
                "amount_vnd": amount,
            }
        ]
    payment = _awaiting(dossier)
    if payment is not None and payment.amount_vnd != amount:
        payment.state = Payment.State.CANCELLED
        payment.save(update_fields=["state"])
        payment = None
    if payment is None:
        payment = Payment(dossier=dossier)
    payment.amount_vnd, payment.requested_at, payment.requested_by = amount, at, actor
    payment.pages, payment.copies, payment.fee_detail = pages, copies, lines
    payment.full_clean(exclude=["dossier"])
    payment.save()
    return payment


@transaction.atomic(durable=True)
def payment_open(*, dossier: Dossier, at: datetime | None = None) -> Payment | None:
    """What the applicant can pay now: the open request, or the dossier's fee when nothing
    was asked or paid yet (a level 4 dossier pays at submission). None: nothing to pay, or
    the dossier can no longer be paid for (selectors.payment_closed_reason)."""
    at = at or timezone.now()
    locked = _lock(dossier)
    if payment_closed_reason(dossier=locked):
        return None
    payment = _awaiting(locked)
    if payment is not None:
        return payment
    if locked.fee_vnd <= 0 or Payment.objects.filter(dossier=locked).exists():
        return None
    return payment_request_record(dossier=locked, amount_vnd=locked.fee_vnd, actor=None, at=at)


# --- Paying ----------------------------------------------------------------------------------


def payment_record_paid(
    *,
    dossier: Dossier,
    method: str,
    reference: str = "",
    actor: User | None,
    at: datetime,
    gateway: str = "",
) -> Payment | None:
    """Mark the open request paid (the caller holds the dossier's lock).

    Without an open request, a dossier with a fee and no payment yet gets a paid one for its
    fee; otherwise (no fee, or already paid) nothing is recorded and None is returned.
    """
    if method not in Payment.Method.values:
        raise ValidationError({"method": _("Hình thức thanh toán không hợp lệ.")})
    payment = _awaiting(dossier)
    if payment is None:
        if dossier.fee_vnd <= 0 or Payment.objects.filter(dossier=dossier).exists():
            return None
        payment = payment_request_record(
            dossier=dossier, amount_vnd=dossier.fee_vnd, actor=actor, at=at
        )
    payment.state, payment.paid_at, payment.method = Payment.State.PAID, at, method
    payment.reference, payment.gateway = reference.strip()[:100], gateway
    payment.confirmed_by = actor
    payment.full_clean(exclude=["dossier"])
    payment.save()
    return payment


def _settle(
    *, dossier: Dossier, payment: Payment, actor: User | None, actor_label: str, at: datetime
) -> Dossier:
    """A payment came in: resume a dossier awaiting payment, or just log it in the chain."""
    details = {
        "action": "confirm_payment",
        "method": payment.method,
        "reference": payment.reference,
        "amount_vnd": payment.amount_vnd,
        "payment": payment.pk,
        "gateway": payment.gateway,
    }
    if dossier.status == S.AWAITING_PAYMENT:
        return dossier_transition(
            dossier=dossier,
            to=S.PROCESSING,
            actor=actor,
            at=at,
            actor_label=actor_label,
            details=details,
            notify=False,
            expected_from={S.AWAITING_PAYMENT},
        )
    event_append(
        dossier=dossier,
        kind="payment",
        from_status=dossier.status,
        to_status=dossier.status,
        actor=actor,
        actor_label=actor_label,
        unit_id=dossier.handling_unit_id,
        at=at,
        details=details,
    )
    return dossier


@transaction.atomic(durable=True)
def payment_confirm(
    *,
    dossier: Dossier,
    actor: User,
    method: str,
    reference: str = "",
    pages: int | None = None,
    copies: int | None = None,
    at: datetime | None = None,
) -> Payment:
    """An officer records a payment at the counter (cash, with the receipt number) or a
    VietQR transfer seen on the unit's account (with the bank's reference), in any state
    where the dossier can still be paid for.

    With `pages` or `copies` (per-page and per-copy fees, counted at the desk) the amount is
    computed by fee_compute and replaces the open request's.
    """
    officer_assert_can(user=actor, dossier=dossier, action="confirm_payment")
    at = at or timezone.now()
    reference = (reference or "").strip()
    if method in (Payment.Method.CASH, Payment.Method.TRANSFER) and not reference:
        raise ValidationError(
            {"reference": _("Vui lòng nhập số biên lai hoặc mã giao dịch ngân hàng.")}
        )
    locked = _lock(dossier)
    if locked.status in CLOSED_STATES:
        raise InvalidTransition(
            _("Hồ sơ đã dừng hoặc bị từ chối, không thể thu phí."), extra={"status": locked.status}
        )
    if pages is not None or copies is not None:
        open_request = _awaiting(locked)
        if open_request is not None or not Payment.objects.filter(dossier=locked).exists():
            amount = fee_compute(
                procedure=locked.procedure, channel=locked.channel, pages=pages, copies=copies or 1
            )
            if amount <= 0:
                raise PortalError(_("Thủ tục này không thu phí, lệ phí."))
            payment_request_record(
                dossier=locked,
                amount_vnd=amount,
                actor=open_request.requested_by if open_request else actor,
                at=open_request.requested_at if open_request else at,
                pages=pages,
                copies=copies or 1,
            )
    payment = payment_record_paid(
        dossier=locked, method=method, reference=reference, actor=actor, at=at
    )
    if payment is None:
        raise PortalError(_("Hồ sơ không có khoản phí nào chờ thanh toán."))
    _settle(dossier=locked, payment=payment, actor=actor, actor_label=_name(actor), at=at)
    return payment


def payment_take_at_return(*, dossier: Dossier, actor: User, at: datetime) -> Payment:
    """The desk takes the fee in cash as it hands the result back (payments.return_fee): the
    caller (the return) holds the dossier's lock and the transaction."""
    payment = payment_record_paid(
        dossier=dossier, method=Payment.Method.CASH, reference="", actor=actor, at=at
    )
    if payment is None:
        raise PortalError(_("Hồ sơ không có khoản phí nào chờ thanh toán."))
    _settle(dossier=dossier, payment=payment, actor=actor, actor_label=_name(actor), at=at)
    return payment


@transaction.atomic(durable=True)
def payment_refund(
    *, payment: Payment, actor: User, reason: str, at: datetime | None = None
) -> Payment:
    """Give a paid fee back (e.g. paid twice, or the dossier refused): audit-logged."""
    at = at or timezone.now()
    officer_assert_can(user=actor, dossier=payment.dossier, action="confirm_payment")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Vui lòng nêu lý do hoàn trả.")})
    locked_dossier = _lock(payment.dossier)
    locked = Payment.objects.select_for_update().get(pk=payment.pk)
    if locked.state != Payment.State.PAID:
        raise InvalidTransition(
            _("Chỉ hoàn trả được khoản phí đã thanh toán."), extra={"state": locked.state}
        )
    locked.state, locked.refunded_at, locked.refund_reason = Payment.State.REFUNDED, at, reason
    locked.refunded_by = actor
    locked.save(update_fields=["state", "refunded_at", "refund_reason", "refunded_by"])
    event_append(
        dossier=locked_dossier,
        kind="payment_refund",
        from_status=locked_dossier.status,
        to_status=locked_dossier.status,
        actor=actor,
        unit_id=locked_dossier.handling_unit_id,
        at=at,
        note=reason,
        details={"payment": locked.pk, "amount_vnd": locked.amount_vnd},
    )
    AuditLog.objects.create(
        actor=actor,
        action="payment_refund",
        target=locked_dossier.code,
        details={"payment": locked.pk, "amount_vnd": locked.amount_vnd, "reason": reason},
    )
    return locked


# --- Online gateway ----------------------------------------------------------------------------


def txn_ref_new(payment: Payment) -> str:
    """Our order number at the gateway: the payment and a random part (unique per try)."""
    return f"{payment.pk}M{secrets.token_hex(5).upper()}"


@transaction.atomic(durable=True)
def payment_gateway_start(
    *,
    dossier: Dossier,
    gateway: PaymentGateway,
    return_url: str,
    client_ip: str,
    at: datetime | None = None,
) -> str:
    """Open an order at the gateway for what the dossier owes; return where to send the
    browser. Each try is a new order (PaymentAttempt); only one can ever settle the payment."""
    at = at or timezone.now()
    locked = _lock(dossier)
    reason = payment_closed_reason(dossier=locked)
    if reason:
        raise InvalidTransition(reason, extra={"status": locked.status})
    payment = _awaiting(locked)
    if payment is None:
        if locked.fee_vnd <= 0 or Payment.objects.filter(dossier=locked).exists():
            raise PortalError(_("Hồ sơ không có khoản phí nào chờ thanh toán."))
        payment = payment_request_record(
            dossier=locked, amount_vnd=locked.fee_vnd, actor=None, at=at
        )
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
    )
    return gateway.redirect_url(order)


def payment_notification_handle(
    *, gateway: PaymentGateway, params: Mapping[str, str], at: datetime | None = None
) -> Answer:
    """The gateway's server-to-server notification (IPN), idempotent.

    Steps, in the gateway's published order: read and verify the signature (else
    INVALID_SIGNATURE, or UNKNOWN_ERROR for missing data); find our order (else
    ORDER_NOT_FOUND); compare the amount (else INVALID_AMOUNT); a notification for an order
    already settled is a replay (ALREADY_CONFIRMED) and changes nothing. Then record the
    outcome: a failed payment closes the order; a successful one marks the payment paid and
    resumes a dossier awaiting payment. Any other failure rolls back and answers
    UNKNOWN_ERROR, so the gateway tries again.
    """
    try:
        return _notification_record(gateway=gateway, params=params, at=at or timezone.now())
    except GatewayError as exc:
        return exc.answer
    except (PortalError, ValidationError, IntegrityError):
        logger.exception("payment notification from %s could not be recorded", gateway.name)
        return Answer.UNKNOWN_ERROR


@transaction.atomic(durable=True)
def _notification_record(
    *, gateway: PaymentGateway, params: Mapping[str, str], at: datetime
) -> Answer:
    note = gateway.notification_read(params)
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
