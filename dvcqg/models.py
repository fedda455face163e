"""The outbox of the synchronisation with the National Public Service Portal (DVCQG).

One row per dossier (service DongBoHoSoMC: the dossier as it is now) and one per event of its
progress (CapNhatTienDoHoSoMC). Rows are written in the transaction of the event that causes
them and sent by Celery after the commit (dvcqg.sending); the table, not the broker, is the
source of truth.

waiting → sending → acknowledged, or back to waiting with a retry time, or error (rejected
too often; an officer sees the reason, `dvcqg_resync` or the nightly job sends it again).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class SyncState(models.TextChoices):
    WAITING = "waiting", _("Chờ gửi")
    SENDING = "sending", _("Đang gửi")
    ACKNOWLEDGED = "acknowledged", _("Cổng quốc gia đã nhận")
    ERROR = "error", _("Lỗi")


class Service(models.TextChoices):
    DOSSIER = "DongBoHoSoMC", _("Hồ sơ")
    PROGRESS = "CapNhatTienDoHoSoMC", _("Tiến độ xử lý")


class SyncRow(models.Model):
    State = SyncState

    service = models.CharField(_("dịch vụ"), max_length=24, choices=Service.choices)
    dossier = models.ForeignKey(
        "dossiers.Dossier", on_delete=models.CASCADE, related_name="+", verbose_name=_("hồ sơ")
    )
    # The event a progress row reports (none for the dossier row).
    event = models.OneToOneField(
        "dossiers.DossierEvent", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    event_seq = models.PositiveIntegerField(default=0)
    state = models.CharField(
        _("trạng thái"), max_length=12, choices=SyncState.choices, default=SyncState.WAITING
    )
    attempts = models.PositiveSmallIntegerField(_("số lần gửi"), default=0)
    last_error = models.TextField(_("lý do"), blank=True)
    next_attempt_at = models.DateTimeField(_("gửi lại lúc"), null=True, blank=True)
    sending_at = models.DateTimeField(null=True, blank=True)
    acknowledged_at = models.DateTimeField(_("được nhận lúc"), null=True, blank=True)
    # A send whose answer never came (a read time-out, a worker lost mid-send): DVCQG may
    # have it. Before it goes again DVCQG is asked (TraCuuHoSo), so nothing arrives twice.
    verify = models.BooleanField(default=False)
    # The dossier row: DVCQG is known to hold the dossier, so it is sent as an update.
    held = models.BooleanField(default=False)
    # The dossier row: bumped by every event; the send that carried `sent_revision` is
    # acknowledged, and the row waits again if the dossier changed meanwhile.
    revision = models.PositiveIntegerField(default=1)
    sent_revision = models.PositiveIntegerField(default=0)
    body = models.JSONField(_("nội dung gửi gần nhất"), default=dict, blank=True)
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("dòng đồng bộ DVCQG")
        verbose_name_plural = _("đồng bộ Cổng DVC quốc gia")
        ordering = ["dossier_id", "service", "event_seq"]
        indexes = [
            models.Index(fields=["state", "next_attempt_at"], name="dvcqg_state_next"),
            models.Index(fields=["dossier", "state"], name="dvcqg_dossier_state"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["dossier"],
                condition=models.Q(service="DongBoHoSoMC"),
                name="dvcqg_one_dossier_row",
            ),
            models.CheckConstraint(
                condition=models.Q(state__in=SyncState.values), name="dvcqg_state_valid"
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(service="DongBoHoSoMC", event__isnull=True)
                    | models.Q(service="CapNhatTienDoHoSoMC", event__isnull=False)
                ),
                name="dvcqg_event_iff_progress",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.service} {self.dossier_id}#{self.event_seq} {self.state}"

    @property
    def is_dossier(self) -> bool:
        return self.service == Service.DOSSIER
