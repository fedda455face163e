"""What reports keep of their own: summary rows, one fact row per received dossier, exports.

Every figure of a report is a sum over `SummaryRow`s, which the dossier workflow keeps current
event by event (reports.summaries.summary_record_event, called by dossier_transition) and a
nightly job rebuilds from the dossiers and checks. Nothing here is ever typed in by hand.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from procedures.models import Channel


class Grain(models.TextChoices):
    DAY = "day", _("Ngày")
    MONTH = "month", _("Tháng")


# The counters of a summary row, in the order they are stored (see SummaryRow).
COUNTERS: tuple[str, ...] = (
    "received",
    "resolved_early",
    "resolved_on_time",
    "resolved_late",
    "withdrawn",
    "due",
    "due_met",
)


class SummaryRow(models.Model):
    """Counts for one receiving unit, handling unit, procedure version and channel over one
    day or month.

    A month row is the sum of the month's day rows: a long period reads whole months, and
    only its ragged ends read days. The counters, each on the day (or month) it happened:
    - received: dossiers received (the clock started);
    - resolved_early / resolved_on_time / resolved_late: dossiers finished (resolved, or
      stopped after a withdrawal) on a date before the due date / on the due date / after
      it; withdrawn counts the stopped ones among them;
    - due: received dossiers whose due time falls on that day (a paused dossier whose clock
      stopped before its due time has no due day until it resumes);
    - due_met: dossiers finished without being late, counted on their due day (or on the
      day they were withdrawn, when that came after it: a withdrawal is never late).
    So the dossiers in progress and overdue at the end of day T are
    Σ≤T due − Σ≤T due_met − Σ≤T resolved_late (reports.selectors.periods).
    """

    grain = models.CharField(max_length=5, choices=Grain.choices)
    period = models.DateField(help_text="the day, or the first day of the month")
    unit = models.ForeignKey("procedures.Unit", on_delete=models.CASCADE, related_name="+")
    # The unit that handles the dossiers (a department, a commune committee, or the desk
    # itself): reports by handling unit read the same rows grouped by this column.
    handling_unit = models.ForeignKey(
        "procedures.Unit", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    procedure = models.ForeignKey(
        "procedures.Procedure", on_delete=models.CASCADE, related_name="+"
    )
    channel = models.CharField(max_length=10, choices=Channel.choices)
    received = models.IntegerField(default=0)
    resolved_early = models.IntegerField(default=0)
    resolved_on_time = models.IntegerField(default=0)
    resolved_late = models.IntegerField(default=0)
    withdrawn = models.IntegerField(default=0)
    due = models.IntegerField(default=0)
    due_met = models.IntegerField(default=0)

    class Meta:
        verbose_name = _("dòng tổng hợp báo cáo")
        verbose_name_plural = _("dòng tổng hợp báo cáo")
        constraints = [
            models.UniqueConstraint(
                fields=["grain", "period", "unit", "handling_unit", "procedure", "channel"],
                name="summary_row_unique",
            ),
        ]
        indexes = [models.Index(fields=["grain", "period"], name="summary_grain_period")]

    def __str__(self) -> str:
        return f"{self.grain} {self.period} u{self.unit_id} p{self.procedure_id} {self.channel}"


class DossierFact(models.Model):
    """What the summaries currently count for one received dossier.

    Kept so that an event can take back what the dossier's previous state contributed
    before adding what its new state contributes; also the index behind drill-down lists.
    """

    class Finish(models.TextChoices):
        EARLY = "early", _("Trước hạn")
        ON_TIME = "on_time", _("Đúng hạn")
        LATE = "late", _("Quá hạn")

    dossier = models.OneToOneField(
        "dossiers.Dossier", on_delete=models.CASCADE, primary_key=True, related_name="report_fact"
    )
    unit = models.ForeignKey("procedures.Unit", on_delete=models.CASCADE, related_name="+")
    handling_unit = models.ForeignKey(
        "procedures.Unit", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    procedure = models.ForeignKey(
        "procedures.Procedure", on_delete=models.CASCADE, related_name="+"
    )
    channel = models.CharField(max_length=10, choices=Channel.choices)
    received_day = models.DateField()
    due_day = models.DateField(null=True, blank=True)
    finished_day = models.DateField(null=True, blank=True)
    finish = models.CharField(max_length=8, choices=Finish.choices, blank=True)
    withdrawn = models.BooleanField(default=False)
    # For the Decision 766 payment indicator (3.6's base), without reading the dossiers.
    with_fee = models.BooleanField(default=False)
    # The payment method chosen at submission. Not 3.6's numerator: choosing is not paying
    # (3.6 reads the payments recorded).
    online_payment = models.BooleanField(default=False)
    # Decision 766 indicator 2.1 compares times, not dates: resolved after the due time
    # (a withdrawal never is). Kept here so the indicator needs no join to the dossiers.
    finished_late = models.BooleanField(default=False)
    # Indicator 4.5: the applicant's national account was verified by VNeID.
    vneid_verified = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("dữ kiện báo cáo của hồ sơ")
        verbose_name_plural = _("dữ kiện báo cáo của hồ sơ")
        indexes = [
            models.Index(fields=["unit", "received_day"], name="fact_unit_received"),
            models.Index(fields=["unit", "finished_day"], name="fact_unit_finished"),
            models.Index(fields=["unit", "due_day"], name="fact_unit_due"),
            # The dossiers still open, by due day: "late now" without reading the dossiers.
            models.Index(
                fields=["unit", "due_day"],
                name="fact_open_due",
                condition=models.Q(finished_day__isnull=True),
            ),
            models.Index(fields=["handling_unit", "received_day"], name="fact_handling_received"),
            models.Index(fields=["handling_unit", "finished_day"], name="fact_handling_finished"),
            models.Index(
                fields=["handling_unit", "due_day"],
                name="fact_handling_open_due",
                condition=models.Q(finished_day__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"fact {self.dossier_id}"


def export_path(instance: ExportJob, filename: str) -> str:
    return f"reports/exports/{instance.pk}/{filename}"


class ExportJob(models.Model):
    """A report file built by a Celery task; its page shows progress and offers the file."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Đang chờ")
        RUNNING = "running", _("Đang tạo tệp")
        DONE = "done", _("Đã xong")
        FAILED = "failed", _("Lỗi")

    class Kind(models.TextChoices):
        APPENDIX = "appendix", _("Phụ lục tình hình giải quyết TTHC")
        II06A = "ii06a", _("Biểu II.06a")
        DOSSIERS = "dossiers", _("Danh sách hồ sơ")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="report_exports"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    file_format = models.CharField(max_length=4, choices=[("csv", "CSV"), ("xlsx", "XLSX")])
    params = models.JSONField(default=dict)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)
    file = models.FileField(upload_to=export_path, blank=True, max_length=300)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("tệp báo cáo")
        verbose_name_plural = _("tệp báo cáo")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(progress__lte=100), name="export_progress_0_100"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.file_format} {self.status}"
