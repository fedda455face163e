"""The numbered slips: per-agency yearly counters, the numbers once given, and the written
guidance handed to walk-in applicants at the counter."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from dossiers.models.dossier import Dossier


class SlipCounter(models.Model):
    """Per agency, per year and per form: the last slip number given (row-locked, gap-free)."""

    unit = models.ForeignKey("procedures.Unit", on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    form = models.CharField(max_length=12)
    last_value = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["unit", "year", "form"], name="slip_counter_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.year} {self.form} {self.last_value}"


class IssuedSlip(models.Model):
    """A slip's number once given (dossiers.slip_forms): printed again, it keeps it."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="issued_slips")
    form = models.CharField(max_length=12)
    # Which act the slip is for when a dossier may have several (a supplement request's id).
    ref = models.CharField(max_length=40, blank=True)
    unit = models.ForeignKey("procedures.Unit", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    number = models.PositiveIntegerField()
    issued_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["dossier", "form", "ref"], name="issued_slip_once"),
            models.UniqueConstraint(
                fields=["unit", "year", "form", "number"], name="issued_slip_number_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.form} {self.number}/{self.year}"


class CounterGuidance(models.Model):
    """Written guidance handed at the counter to a walk-in applicant, no dossier received:
    Mẫu 02 listing what is missing from the procedure's published list (once, completely), or
    Mẫu 03 with the reasons the request cannot be received. Kept: who, when, what."""

    class Kind(models.TextChoices):
        SUPPLEMENT = "supplement", _("Hướng dẫn bổ sung, hoàn thiện hồ sơ (Mẫu 02)")
        REFUSAL = "refusal", _("Từ chối tiếp nhận hồ sơ (Mẫu 03)")

    unit = models.ForeignKey(
        "procedures.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("đơn vị")
    )
    procedure = models.ForeignKey(
        "procedures.Procedure",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("thủ tục"),
    )
    kind = models.CharField(_("loại phiếu"), max_length=12, choices=Kind.choices)
    applicant_name = models.CharField(_("họ và tên người nộp"), max_length=200)
    applicant_id_number = models.CharField(_("số định danh / mã số"), max_length=20, blank=True)
    applicant_phone = models.CharField(_("số điện thoại"), max_length=16, blank=True)
    applicant_address = models.CharField(_("địa chỉ"), max_length=300, blank=True)
    documents = models.ManyToManyField(
        "procedures.ProcedureDocument",
        blank=True,
        related_name="+",
        verbose_name=_("giấy tờ cần bổ sung"),
    )
    reason = models.TextField(_("lý do"))
    given_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    given_at = models.DateTimeField(db_index=True)
    # The slip's number in the agency's year, the same series as the dossiers' Mẫu 02 / 03.
    year = models.PositiveSmallIntegerField()
    number = models.PositiveIntegerField()

    class Meta:
        verbose_name = _("hướng dẫn tại quầy")
        verbose_name_plural = _("hướng dẫn tại quầy")
        ordering = ["-given_at", "-id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.number}/{self.year} {self.applicant_name}"
