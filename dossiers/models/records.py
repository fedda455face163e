"""What the officers' steps leave beside a dossier: supplement requests, hand-overs between
units, apologies, lawful extensions and postal shipments."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from dossiers.models.dossier import Dossier


class SupplementRequest(models.Model):
    """Mẫu 02: every missing item at once, only from the procedure's published list."""

    dossier = models.ForeignKey(
        Dossier, on_delete=models.CASCADE, related_name="supplement_requests"
    )
    unit = models.ForeignKey("procedures.Unit", on_delete=models.PROTECT, related_name="+")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField()
    documents = models.ManyToManyField(
        "procedures.ProcedureDocument", related_name="+", verbose_name=_("giấy tờ cần bổ sung")
    )
    reason = models.TextField(_("lý do"))
    # A second request by the same agency needs a head of unit's override (recorded).
    override_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    override_note = models.TextField(blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    answer_note = models.TextField(blank=True)

    class Meta:
        ordering = ["requested_at", "id"]

    def __str__(self) -> str:
        return f"{self.dossier_id} {self.requested_at:%Y-%m-%d}"


class Handover(models.Model):
    """One row of the control slip (Mẫu 05): a hand-over between units or officers."""

    class Punctuality(models.TextChoices):
        EARLY = "early", _("Trước hạn")
        ON_TIME = "on_time", _("Đúng hạn")
        LATE = "late", _("Quá hạn")

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="handovers")
    from_unit = models.ForeignKey("procedures.Unit", on_delete=models.PROTECT, related_name="+")
    to_unit = models.ForeignKey("procedures.Unit", on_delete=models.PROTECT, related_name="+")
    from_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    to_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    given_at = models.DateTimeField()
    received_at = models.DateTimeField(null=True, blank=True)
    step_due_at = models.DateTimeField(null=True, blank=True)
    punctuality = models.CharField(max_length=8, choices=Punctuality.choices, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["given_at", "id"]

    def __str__(self) -> str:
        return f"{self.dossier_id} {self.from_unit_id}->{self.to_unit_id}"


class Apology(models.Model):
    """Mẫu 04: apology and the one new return date. The dossier still counts as late."""

    dossier = models.OneToOneField(Dossier, on_delete=models.CASCADE, related_name="apology")
    unit = models.ForeignKey("procedures.Unit", on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(_("lý do quá hạn"))
    original_due_at = models.DateTimeField()
    new_due_at = models.DateTimeField(_("ngày hẹn trả mới"))
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    issued_at = models.DateTimeField()
    # Issued later than one working day before the original due time (dossiers.deadlines).
    is_late = models.BooleanField(_("lập muộn"), default=False)

    def __str__(self) -> str:
        return f"{self.dossier_id} -> {self.new_due_at:%Y-%m-%d}"


class Extension(models.Model):
    """A lawful extension of one dossier's time limit: the legal due time moves, so the
    dossier is not late because of it (unlike an apology)."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="extensions")
    reason = models.TextField(_("lý do gia hạn"))
    legal_basis = models.CharField(_("căn cứ pháp lý"), max_length=500)
    previous_due_at = models.DateTimeField(_("hạn trước khi gia hạn"))
    new_due_at = models.DateTimeField(_("hạn mới"))
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("người phê duyệt"),
    )
    approved_at = models.DateTimeField()

    class Meta:
        verbose_name = _("gia hạn giải quyết")
        verbose_name_plural = _("gia hạn giải quyết")
        ordering = ["approved_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(new_due_at__gt=models.F("previous_due_at")),
                name="extension_moves_the_due_time_later",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.dossier_id} -> {self.new_due_at:%Y-%m-%d %H:%M}"


class Shipment(models.Model):
    """Public postal service (Decision 45/2016): dossier in, result out."""

    class Direction(models.TextChoices):
        INBOUND = "inbound", _("Gửi hồ sơ")
        OUTBOUND = "outbound", _("Trả kết quả")

    class State(models.TextChoices):
        HANDED_OVER = "handed_over", _("Đã giao bưu điện")
        IN_TRANSIT = "in_transit", _("Đang vận chuyển")
        DELIVERED = "delivered", _("Đã phát")
        RETURNED = "returned", _("Chuyển hoàn")

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="shipments")
    direction = models.CharField(max_length=8, choices=Direction.choices)
    tracking_number = models.CharField(_("số hiệu bưu gửi"), max_length=40)
    state = models.CharField(max_length=12, choices=State.choices, default=State.HANDED_OVER)
    handed_over_at = models.DateTimeField()
    delivered_at = models.DateTimeField(null=True, blank=True)
    recipient = models.CharField(_("người nhận"), max_length=200, blank=True)

    class Meta:
        ordering = ["handed_over_at", "id"]

    def __str__(self) -> str:
        return self.tracking_number
