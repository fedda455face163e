"""Reads of payments: the unit's bank account, what a dossier owes, reconciliation, and the
Decision 766 online-payment rate."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Exists, OuterRef, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from dossiers.models import Dossier
from payments.models import Payment, PaymentAccount, PaymentAttempt
from payments.vietqr import vietqr_payload
from procedures.models import Unit

# What Decision 766 counts as paid online: through a gateway, or by a bank transfer (VietQR)
# instead of cash at the desk. Reports import this (reports.selectors.indicators).
ONLINE_METHODS: tuple[str, ...] = (Payment.Method.ONLINE, Payment.Method.TRANSFER)
S = Dossier.Status


def payment_account_for(*, unit: Unit) -> PaymentAccount | None:
    """The unit's account, or the nearest parent's (a commune may collect on the district's)."""
    current: Unit | None = unit
    seen: set[int] = set()
    while current is not None and current.pk not in seen:
        seen.add(current.pk)
        account = PaymentAccount.objects.filter(unit=current).first()
        if account is not None:
            return account
        current = current.parent
    return None


def payment_vietqr(*, dossier: Dossier, amount_vnd: int) -> str | None:
    """The VietQR payload of a transfer of `amount_vnd` for the dossier (its code in the
    purpose) to the unit's account; None without an amount or an account."""
    if amount_vnd <= 0:
        return None
    account = payment_account_for(unit=dossier.unit)
    if account is None:
        return None
    return vietqr_payload(
        bank_bin=account.bank_bin,
        account_number=account.account_number,
        amount_vnd=amount_vnd,
        purpose=dossier.code,
    )


def payment_current(*, dossier: Dossier) -> Payment | None:
    """The open request if any, else the latest payment (paid or refunded)."""
    payments = list(
        Payment.objects.filter(dossier=dossier)
        .exclude(state=Payment.State.CANCELLED)
        .order_by("requested_at", "id")
    )
    for payment in payments:
        if payment.state == Payment.State.AWAITING:
            return payment
    return payments[-1] if payments else None


def dossier_payment_state(*, dossier: Dossier) -> str:
    """ "awaiting", "paid", "refunded", or "" (nothing asked and no fee)."""
    payment = payment_current(dossier=dossier)
    if payment is not None:
        return payment.state
    return Payment.State.AWAITING if dossier.fee_vnd > 0 else ""


def payment_owed(*, dossier: Dossier) -> int:
    """What the applicant still owes in đồng: the open request, else the dossier's fee while
    nothing was asked or paid yet, else 0."""
    payment = payment_current(dossier=dossier)
    if payment is None:
        return dossier.fee_vnd
    return payment.amount_vnd if payment.state == Payment.State.AWAITING else 0


def payment_closed_reason(*, dossier: Dossier) -> str:
    """Why the applicant can no longer pay for this dossier (translated), or "" while paying
    still makes sense: not once it is refused, stopped, being withdrawn or its result handed
    over. The citizens' services refuse with this text (payment_open,
    payment_gateway_start); the pages ask payment_is_due."""
    status = dossier.status
    if status in (S.REFUSED, S.STOPPED):
        return _("Hồ sơ đã dừng hoặc bị từ chối, không thể thanh toán.")
    if status == S.WITHDRAWAL_REQUESTED:
        return _("Bạn đã đề nghị rút hồ sơ, không thể thanh toán phí, lệ phí.")
    if status == S.RETURNED:
        return _(
            "Hồ sơ đã trả kết quả, không thể thanh toán trực tuyến. Nếu còn khoản phí "
            "chưa nộp, vui lòng liên hệ bộ phận một cửa."
        )
    return ""


def payment_is_due(*, dossier: Dossier) -> bool:
    """Whether to offer the applicant to pay: something is owed and unpaid, and the dossier
    is in a state where paying makes sense."""
    return not payment_closed_reason(dossier=dossier) and payment_owed(dossier=dossier) > 0


def dossier_payments(*, dossier: Dossier) -> QuerySet[Payment]:
    return (
        Payment.objects.filter(dossier=dossier)
        .select_related("confirmed_by")
        .prefetch_related("attempts")
        .order_by("requested_at", "id")
    )


# --- Reconciliation ------------------------------------------------------------------------


def _of_units(unit_ids: Iterable[int], dossier: str = "dossier") -> Q:
    """The payments of these units: of dossiers received or handled there (`dossier`: the
    path to the dossier)."""
    ids = list(unit_ids)
    return Q(**{f"{dossier}__unit_id__in": ids}) | Q(**{f"{dossier}__handling_unit_id__in": ids})


def _day_bounds(day: date) -> tuple[datetime, datetime]:
    start = timezone.make_aware(datetime.combine(day, time.min))
    return start, start + timedelta(days=1)


def payments_for_reconciliation(
    *, unit_ids: Iterable[int], start: date, end: date, method: str = ""
) -> QuerySet[Payment]:
    """Payments received (paid or later refunded) from `start` to `end` (local days) by the
    dossiers of these units, oldest first, with what the list shows."""
    lower, _ = _day_bounds(start)
    _, upper = _day_bounds(end)
    qs = (
        Payment.objects.filter(_of_units(unit_ids), paid_at__gte=lower, paid_at__lt=upper)
        .exclude(state=Payment.State.AWAITING)
        .select_related("dossier", "dossier__unit", "confirmed_by")
        .order_by("paid_at", "id")
    )
    if method:
        qs = qs.filter(method=method)
    return qs


@dataclass
class DayTotal:
    day: date
    method: str
    count: int
    amount_vnd: int
    refunded_vnd: int


def payments_daily_totals(*, payments: QuerySet[Payment]) -> list[DayTotal]:
    """Per local day and method: how many and how much (refunds shown apart)."""
    rows: dict[tuple[date, str], DayTotal] = {}
    for payment in payments:
        assert payment.paid_at is not None
        day = timezone.localtime(payment.paid_at).date()
        total = rows.setdefault((day, payment.method), DayTotal(day, payment.method, 0, 0, 0))
        total.count += 1
        total.amount_vnd += payment.amount_vnd
        if payment.state == Payment.State.REFUNDED:
            total.refunded_vnd += payment.amount_vnd
    return [rows[k] for k in sorted(rows)]


def payments_open(*, unit_ids: Iterable[int]) -> QuerySet[Payment]:
    """Requests still awaiting payment in these units (to confirm transfers against)."""
    return (
        Payment.objects.filter(_of_units(unit_ids), state=Payment.State.AWAITING)
        .exclude(dossier__status__in=[Dossier.Status.REFUSED, Dossier.Status.STOPPED])
        .select_related("dossier")
        .order_by("requested_at", "id")
    )


def payments_paid_twice(*, unit_ids: Iterable[int]) -> QuerySet[PaymentAttempt]:
    """Gateway payments that arrived after the fee was already paid: to refund."""
    return (
        PaymentAttempt.objects.filter(
            _of_units(unit_ids, dossier="payment__dossier"),
            state=PaymentAttempt.State.SUCCEEDED,
            details__duplicate=True,
        )
        .select_related("payment", "payment__dossier")
        .order_by("notified_at")
    )


# --- Decision 766 ----------------------------------------------------------------------------


def payment_paid_online_exists() -> Exists:
    """For reports: Exists() of a paid, not refunded, online payment of the outer dossier_id."""
    return Exists(
        Payment.objects.filter(
            dossier_id=OuterRef("dossier_id"), state=Payment.State.PAID, method__in=ONLINE_METHODS
        )
    )


# --- Which channel paid ---------------------------------------------------------------------
#
# DVCQG's DuocThanhToanTrucTuyen (docs/NATIONAL.md §1) and Decision 766 indicator 3.6 (paid
# online through DVCQG's payment platform) need to know how a fee was paid. It is read from
# what the payment recorded: `method` online with `gateway` "national" was paid on the
# national platform; online through another gateway (VNPay), or a VietQR transfer to the
# unit's account, went through the province's own channels; cash at the desk (also the fee
# taken as the result is handed back) is the counter. A VietQR transfer counted as the
# province's online channel is our reading, not a published rule (UNCONFIRMED).

CHANNEL_NATIONAL, CHANNEL_PROVINCE, CHANNEL_COUNTER = "national", "province", "counter"
# DuocThanhToanTrucTuyen: "1" through DVCQG, "2" through the province's gateway, "3" not online.
ONLINE_PAYMENT_CODES: dict[str, str] = {
    CHANNEL_NATIONAL: "1",
    CHANNEL_PROVINCE: "2",
    CHANNEL_COUNTER: "3",
}
NATIONAL_GATEWAY = "national"


def payment_channel(*, payment: Payment) -> str:
    """ "national", "province" or "counter" for a paid (or refunded) payment."""
    if payment.method == Payment.Method.ONLINE and payment.gateway == NATIONAL_GATEWAY:
        return CHANNEL_NATIONAL
    if payment.method in ONLINE_METHODS:
        return CHANNEL_PROVINCE
    return CHANNEL_COUNTER


def dossier_online_payment_code(*, dossier: Dossier) -> str:
    """DuocThanhToanTrucTuyen of a dossier: "1" its fee was paid on the national platform,
    "2" through the province's gateway or a transfer, "3" otherwise (at the counter, not yet,
    or no fee). A refunded payment does not count."""
    paid = (
        Payment.objects.filter(dossier=dossier, state=Payment.State.PAID)
        .order_by("-paid_at", "-id")
        .first()
    )
    if paid is None:
        return ONLINE_PAYMENT_CODES[CHANNEL_COUNTER]
    return ONLINE_PAYMENT_CODES[payment_channel(payment=paid)]


def dvcqg_payment_channel(dossier: Dossier) -> str:
    """DuocThanhToanTrucTuyen for the DVCQG synchronisation, the default of the
    DVCQG_PAYMENT_CHANNEL setting: dvcqg calls it by dotted path with the dossier as its one
    positional argument (it does not import payments)."""
    return dossier_online_payment_code(dossier=dossier)


def payment_bill_for(*, dossier: Dossier, attempt_id: int) -> PaymentAttempt | None:
    """The national platform's stored receipt (GET_BILL) of one of the dossier's orders."""
    return (
        PaymentAttempt.objects.filter(pk=attempt_id, payment__dossier=dossier)
        .exclude(bill="")
        .first()
    )


def payments_sum(*, payments: QuerySet[Payment]) -> int:
    return int(payments.aggregate(total=Sum("amount_vnd"))["total"] or 0)
