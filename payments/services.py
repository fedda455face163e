"""Writes of payments: ask, pay (cash, transfer, gateway), refund.

Every entry point owns its transaction and locks the dossier row first, so a payment and a
move of the dossier never interleave. Only dossier_transition changes a dossier's status: a
payment that settles a dossier awaiting payment (state 6) moves it back to processing through
it, which also resumes the deadline clock.
"""

from __future__ import annotations

import logging
from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dossiers.access import officer_assert_can
from dossiers.models import Dossier
from dossiers.services.core import dossier_transition
from dossiers.services.events import event_append
from payments.models import Payment
from payments.selectors import payment_closed_reason
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


def _awaiting_or_fee(dossier: Dossier, *, actor: User | None, at: datetime) -> Payment | None:
    """The open request, else a request for the dossier's fee when nothing was asked or paid
    yet (the caller holds the dossier's lock). None: no fee, or already paid."""
    payment = _awaiting(dossier)
    if payment is not None:
        return payment
    if dossier.fee_vnd <= 0 or Payment.objects.filter(dossier=dossier).exists():
        return None
    return payment_request_record(dossier=dossier, amount_vnd=dossier.fee_vnd, actor=actor, at=at)


@transaction.atomic(durable=True)
def payment_open(*, dossier: Dossier, at: datetime | None = None) -> Payment | None:
    """What the applicant can pay now: the open request, or the dossier's fee when nothing
    was asked or paid yet (a level 4 dossier pays at submission). None: nothing to pay, or
    the dossier can no longer be paid for (selectors.payment_closed_reason)."""
    at = at or timezone.now()
    locked = _lock(dossier)
    if payment_closed_reason(dossier=locked):
        return None
    return _awaiting_or_fee(locked, actor=None, at=at)


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
    payment = _awaiting_or_fee(dossier, actor=actor, at=at)
    if payment is None:
        return None
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
    return _paid_at_desk(dossier=locked, method=method, reference=reference, actor=actor, at=at)


def payment_take_at_return(*, dossier: Dossier, actor: User, at: datetime) -> Payment:
    """The desk takes the fee in cash as it hands the result back (payments.return_fee): the
    caller (the return) holds the dossier's lock and the transaction."""
    return _paid_at_desk(
        dossier=dossier, method=Payment.Method.CASH, reference="", actor=actor, at=at
    )


def _paid_at_desk(
    *, dossier: Dossier, method: str, reference: str, actor: User, at: datetime
) -> Payment:
    """An officer's payment recorded and settled (the caller holds the dossier's lock)."""
    payment = payment_record_paid(
        dossier=dossier, method=method, reference=reference, actor=actor, at=at
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
