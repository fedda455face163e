"""Fees asked of applicants, their payment and refund, the units' collection accounts and the
orders sent to online gateways.

The tables keep the names they had when payments lived inside the dossiers app
(`dossiers_payment`, ...): the move changed no data.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class Payment(models.Model):
    """A financial obligation asked of the applicant (state 6) and its confirmation."""

    class State(models.TextChoices):
        AWAITING = "awaiting", _("Chờ thanh toán")
        PAID = "paid", _("Đã thanh toán")
        REFUNDED = "refunded", _("Đã hoàn trả")
        # Replaced by a request for another amount: its orders at a gateway can no longer
        # settle the fee (money arriving for one is kept for a refund).
        CANCELLED = "cancelled", _("Đã hủy")

    class Method(models.TextChoices):
        CASH = "cash", _("Tiền mặt")
        TRANSFER = "transfer", _("Chuyển khoản (VietQR)")
        ONLINE = "online", _("Thanh toán trực tuyến")

    dossier = models.ForeignKey(
        "dossiers.Dossier", on_delete=models.CASCADE, related_name="payments"
    )
    amount_vnd = models.PositiveIntegerField(_("số tiền (đồng)"))
    requested_at = models.DateTimeField()
    # Empty when the fee was asked at an online submission (level 4), not by an officer.
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    paid_at = models.DateTimeField(null=True, blank=True)
    method = models.CharField(_("hình thức thanh toán"), max_length=20, blank=True)
    reference = models.CharField(_("số chứng từ"), max_length=100, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    state = models.CharField(
        _("tình trạng"), max_length=10, choices=State.choices, default=State.AWAITING, db_index=True
    )
    # The gateway that took an online payment (payments.gateways), if any.
    gateway = models.CharField(_("cổng thanh toán"), max_length=20, blank=True)
    # The computation behind amount_vnd (procedures.fees.fee_lines): shown on the
    # receipt. pages/copies are what a per-page or per-copy fee was computed from.
    pages = models.PositiveIntegerField(_("số trang"), null=True, blank=True)
    copies = models.PositiveSmallIntegerField(_("số bản"), default=1)
    fee_detail = models.JSONField(_("cách tính phí"), default=list, blank=True)
    refunded_at = models.DateTimeField(null=True, blank=True)
    refunded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    refund_reason = models.TextField(_("lý do hoàn trả"), blank=True)

    class Meta:
        db_table = "dossiers_payment"
        ordering = ["requested_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount_vnd__gt=0), name="payment_amount_positive"
            ),
            # Paid or refunded means a payment time; refunded means a refund time.
            models.CheckConstraint(
                condition=models.Q(state__in=["awaiting", "cancelled"])
                | models.Q(paid_at__isnull=False),
                name="payment_paid_has_time",
            ),
            models.CheckConstraint(
                condition=~models.Q(state="refunded") | models.Q(refunded_at__isnull=False),
                name="payment_refund_has_time",
            ),
            # One open request per dossier: a second "pay" click or a concurrent IPN can
            # never create a twin.
            models.UniqueConstraint(
                fields=["dossier"],
                condition=models.Q(state="awaiting"),
                name="payment_one_awaiting_per_dossier",
            ),
        ]
        # Reconciliation by day.
        indexes = [
            models.Index(fields=["paid_at", "method"], name="dossiers_pa_paid_at_411ebd_idx")
        ]

    def __str__(self) -> str:
        return f"{self.dossier_id} {self.amount_vnd}"

    @property
    def receipt_number(self) -> str:
        """The electronic receipt's number: stable, unique, printed on the PDF."""
        return f"BL-{self.pk:08d}" if self.pk else ""


BANK_BIN_VALIDATOR = RegexValidator(r"^\d{6}$", _("Mã BIN ngân hàng gồm 6 chữ số."))
ACCOUNT_NUMBER_VALIDATOR = RegexValidator(
    r"^[0-9A-Za-z]{1,19}$", _("Số tài khoản gồm tối đa 19 chữ số hoặc chữ cái.")
)


class PaymentAccount(models.Model):
    """The bank account a unit collects fees on, for VietQR transfers (NAPAS 247).

    A unit without its own account uses the nearest parent's (payments.selectors).
    """

    unit = models.OneToOneField(
        "procedures.Unit",
        on_delete=models.CASCADE,
        related_name="payment_account",
        verbose_name=_("đơn vị"),
    )
    bank_bin = models.CharField(
        _("mã BIN ngân hàng"), max_length=6, validators=[BANK_BIN_VALIDATOR]
    )
    bank_name = models.CharField(_("ngân hàng"), max_length=120)
    account_number = models.CharField(
        _("số tài khoản"), max_length=19, validators=[ACCOUNT_NUMBER_VALIDATOR]
    )
    account_name = models.CharField(_("tên tài khoản"), max_length=70)
    # Demo accounts are fake: pages say so, so nobody transfers real money to them.
    is_demo = models.BooleanField(_("tài khoản minh họa"), default=False)

    class Meta:
        db_table = "dossiers_paymentaccount"
        verbose_name = _("tài khoản thu phí")
        verbose_name_plural = _("tài khoản thu phí")

    def __str__(self) -> str:
        return f"{self.bank_name} {self.account_number}"


class PaymentAttempt(models.Model):
    """One trip to an online gateway: the order (vnp_TxnRef) and what the gateway said.

    The IPN is idempotent on this row: only a pending attempt can succeed or fail, once.
    """

    class State(models.TextChoices):
        PENDING = "pending", _("Đang chờ cổng thanh toán")
        SUCCEEDED = "succeeded", _("Thành công")
        FAILED = "failed", _("Không thành công")

    payment = models.ForeignKey(Payment, on_delete=models.CASCADE, related_name="attempts")
    gateway = models.CharField(max_length=20)
    txn_ref = models.CharField(max_length=40, unique=True)
    amount_vnd = models.PositiveIntegerField()
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    created_at = models.DateTimeField()
    # From the gateway's IPN: its response code, transaction number, bank, and every
    # parameter it sent (signature excluded), for reconciliation with the gateway's report.
    response_code = models.CharField(max_length=4, blank=True)
    transaction_no = models.CharField(max_length=40, blank=True)
    bank_code = models.CharField(max_length=20, blank=True)
    notified_at = models.DateTimeField(null=True, blank=True)
    details = models.JSONField(default=dict, blank=True)
    # The gateway's own receipt of a paid order (the national platform's GET_BILL), a PDF
    # under a random name: the citizen (with the key) and the officers download it.
    bill = models.FileField(upload_to="payments/bills/", max_length=200, blank=True)

    class Meta:
        db_table = "dossiers_paymentattempt"
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount_vnd__gt=0), name="payment_attempt_amount_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.gateway} {self.txn_ref} {self.state}"
