"""Dossiers, their files, events, the code sequence and the access log; the records of the
officers' steps are in records.py."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from procedures.models import Channel
from procedures.text import fold


class DossierStatus(models.TextChoices):
    """A dossier's states, spelled Dossier.Status: defined ahead of the model so that its
    Meta (the active queues' index) can name them."""

    # The national status code (DOMAIN.md §4) of each state is in STATUS_CODES below.
    SUBMITTED = "submitted", _("Mới đăng ký")
    RECEIVED = "received", _("Đã tiếp nhận")
    REFUSED = "refused", _("Không được tiếp nhận")
    PROCESSING = "processing", _("Đang xử lý")
    SUPPLEMENT_REQUESTED = "supplement_requested", _("Yêu cầu bổ sung hồ sơ")
    AWAITING_PAYMENT = "awaiting_payment", _("Chờ thực hiện nghĩa vụ tài chính")
    WITHDRAWAL_REQUESTED = "withdrawal_requested", _("Công dân yêu cầu rút hồ sơ")
    STOPPED = "stopped", _("Dừng xử lý")
    RESOLVED = "resolved", _("Đã xử lý xong")
    RETURNED = "returned", _("Đã trả kết quả")


# Received and not finished: the clock runs (or is paused) for these.
OPEN_STATES = (
    DossierStatus.RECEIVED,
    DossierStatus.PROCESSING,
    DossierStatus.SUPPLEMENT_REQUESTED,
    DossierStatus.AWAITING_PAYMENT,
    DossierStatus.WITHDRAWAL_REQUESTED,
)
# Every queue of the workbench but "all" holds only dossiers in these states: the counts
# (dossiers.selectors.queue_counts) read these rows only, through the index
# dossier_active_queues, not a province's years of finished dossiers.
ACTIVE_STATES = (DossierStatus.SUBMITTED, *OPEN_STATES, DossierStatus.RESOLVED)


class Dossier(models.Model):
    Status = DossierStatus

    class ApplicantKind(models.TextChoices):
        PERSON = "person", _("Cá nhân")
        ORGANISATION = "organisation", _("Tổ chức")

    class Delivery(models.TextChoices):
        COUNTER = "counter", _("Nhận tại cơ quan")
        POST = "post", _("Nhận qua bưu chính")
        ELECTRONIC = "electronic", _("Nhận bản điện tử")

    class Outcome(models.TextChoices):
        APPROVED = "approved", _("Giải quyết")
        DENIED = "denied", _("Từ chối giải quyết")

    code = models.CharField(_("mã hồ sơ"), max_length=60, unique=True)
    procedure = models.ForeignKey(
        "procedures.Procedure",
        on_delete=models.PROTECT,
        related_name="dossiers",
        verbose_name=_("thủ tục"),
    )
    unit = models.ForeignKey(
        "procedures.Unit",
        on_delete=models.PROTECT,
        related_name="dossiers",
        verbose_name=_("cơ quan tiếp nhận"),
    )
    handling_unit = models.ForeignKey(
        "procedures.Unit",
        on_delete=models.PROTECT,
        related_name="handled_dossiers",
        verbose_name=_("cơ quan đang xử lý"),
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_dossiers",
        verbose_name=_("cán bộ đang xử lý"),
    )
    channel = models.CharField(_("hình thức nộp"), max_length=10, choices=Channel.choices)
    status = models.CharField(
        _("trạng thái"),
        max_length=24,
        choices=Status.choices,
        default=Status.SUBMITTED,
        db_index=True,
    )

    applicant_kind = models.CharField(
        max_length=12, choices=ApplicantKind.choices, default=ApplicantKind.PERSON
    )
    applicant_name = models.CharField(_("họ và tên người nộp"), max_length=200)
    applicant_id_number = models.CharField(_("số định danh / mã số"), max_length=20)
    applicant_phone = models.CharField(_("số điện thoại"), max_length=16)
    applicant_email = models.EmailField(_("thư điện tử"), blank=True)
    applicant_address = models.CharField(_("địa chỉ"), max_length=300)
    # The commune/ward the applicant lives in (or the organisation sits in), when known: it
    # decides the competent unit (procedures.receiving).
    applicant_commune = models.ForeignKey(
        "procedures.Unit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("xã, phường nơi cư trú"),
    )
    organisation_name = models.CharField(_("tên tổ chức"), max_length=300, blank=True)
    # The applicant's national account, when they signed in with it (VNeID through the
    # National Public Service Portal): its stable TechID, sent to DVCQG as MaDoiTuong, and
    # whether the identity was verified by VNeID (Decision 766 indicator 4.5).
    applicant_tech_id = models.CharField(
        _("mã định danh tài khoản quốc gia"), max_length=64, blank=True
    )
    applicant_vneid_verified = models.BooleanField(_("xác thực qua VNeID"), default=False)
    delivery = models.CharField(
        _("hình thức nhận kết quả"),
        max_length=10,
        choices=Delivery.choices,
        default=Delivery.COUNTER,
    )
    delivery_address = models.CharField(_("địa chỉ nhận kết quả"), max_length=300, blank=True)
    payment_method = models.CharField(_("hình thức thanh toán"), max_length=20, blank=True)
    fee_vnd = models.PositiveIntegerField(_("phí, lệ phí (đồng)"), default=0)
    note = models.TextField(_("ghi chú"), blank=True)

    # The update key is sent by SMS only; only its hash is kept. A re-sent key waits in
    # update_key_pending_hash until first used (dossiers.services.keys).
    update_key_hash = models.CharField(max_length=128, blank=True)
    update_key_pending_hash = models.CharField(max_length=128, blank=True)
    # The keyed seal of the last event and the status (dossiers.services.events).
    event_seal = models.CharField(max_length=64, blank=True, editable=False)
    key_failures = models.PositiveSmallIntegerField(default=0)
    key_locked_until = models.DateTimeField(null=True, blank=True)
    citizen = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="citizen_dossiers",
    )
    # A retried or double-clicked submission carries the same token: one dossier, not two.
    idempotency_key = models.CharField(max_length=64, unique=True, null=True, blank=True)

    submitted_at = models.DateTimeField(_("thời điểm nộp"))
    received_at = models.DateTimeField(_("thời điểm tiếp nhận"), null=True, blank=True)
    # due_at is the legal appointment, moved only by pauses; lateness is judged against it.
    due_at = models.DateTimeField(_("hẹn trả kết quả"), null=True, blank=True, db_index=True)
    paused_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(_("thời điểm giải quyết xong"), null=True, blank=True)
    returned_at = models.DateTimeField(_("thời điểm trả kết quả"), null=True, blank=True)
    outcome = models.CharField(
        _("kết quả giải quyết"), max_length=10, choices=Outcome.choices, blank=True
    )
    # How the result was handed back (Mẫu 06 "cách thức nhận kết quả") and to whom.
    return_method = models.CharField(
        _("cách thức trả kết quả"), max_length=10, choices=Delivery.choices, blank=True
    )
    return_recipient = models.CharField(_("người nhận kết quả"), max_length=200, blank=True)
    # The desk's checklist at reception (Mẫu 01): [{"document_id", "name", "originals",
    # "copies"}], in the procedure's order.
    received_documents = models.JSONField(_("giấy tờ đã nhận"), default=list, blank=True)
    # Derived: the applicant's name folded (no diacritics, lower case) for officers' search.
    search_text = models.CharField(max_length=300, blank=True, editable=False, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("hồ sơ")
        verbose_name_plural = _("hồ sơ")
        ordering = ["-submitted_at", "-id"]
        indexes = [
            models.Index(fields=["unit", "status"]),
            models.Index(fields=["handling_unit", "status"]),
            models.Index(fields=["unit", "received_at"]),
            # The workbench's order (newest first): a page is an index walk, not a sort.
            models.Index(fields=["submitted_at", "id"], name="dossier_submitted_order"),
            # The queue counts (dossiers.selectors.queue_counts): an index-only scan of the
            # active dossiers.
            models.Index(
                fields=["unit", "handling_unit", "status", "due_at", "paused_at"],
                name="dossier_active_queues",
                condition=models.Q(status__in=ACTIVE_STATES),
            ),
        ]

    def __str__(self) -> str:
        return self.code

    def save(self, *args: Any, **kwargs: Any) -> None:
        # A derived column, not a rule: diacritic-insensitive search on every database.
        self.search_text = fold(f"{self.applicant_name} {self.organisation_name}")[:300]
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and {"applicant_name", "organisation_name"} & set(
            update_fields
        ):
            kwargs["update_fields"] = {*update_fields, "search_text"}
        super().save(*args, **kwargs)

    @property
    def status_code(self) -> int:
        return STATUS_CODES[self.status]


STATUS_CODES: dict[str, int] = {
    Dossier.Status.SUBMITTED: 1,
    Dossier.Status.RECEIVED: 2,
    Dossier.Status.REFUSED: 3,
    Dossier.Status.PROCESSING: 4,
    Dossier.Status.SUPPLEMENT_REQUESTED: 5,
    Dossier.Status.AWAITING_PAYMENT: 6,
    Dossier.Status.WITHDRAWAL_REQUESTED: 7,
    Dossier.Status.STOPPED: 8,
    Dossier.Status.RESOLVED: 9,
    Dossier.Status.RETURNED: 10,
}


def dossier_file_path(instance: DossierFile, filename: str) -> str:
    # Never the citizen's name in the path: a random, unguessable name under the dossier.
    return f"dossiers/{instance.dossier_id}/{instance.token}{instance.extension}"


class DossierFile(models.Model):
    class Kind(models.TextChoices):
        SUBMISSION = "submission", _("Thành phần hồ sơ")
        SUPPLEMENT = "supplement", _("Bổ sung")
        RESULT = "result", _("Kết quả giải quyết")
        SLIP = "slip", _("Phiếu")

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="files")
    document = models.ForeignKey(
        "procedures.ProcedureDocument",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.SUBMISSION)
    token = models.CharField(max_length=32, unique=True)
    extension = models.CharField(max_length=8)
    file = models.FileField(upload_to=dossier_file_path, max_length=300)
    original_name = models.CharField(_("tên tệp"), max_length=200)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    content_type = models.CharField(max_length=100, blank=True)
    uploaded_at = models.DateTimeField(auto_now_add=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The check of the signatures the file came with (signing.checks): "" for a file that is
    # not a PDF, else unsigned / valid / untrusted / invalid, with the details in the JSON.
    signature_status = models.CharField(max_length=12, blank=True, default="")
    signature_check = models.JSONField(default=dict, blank=True)
    # The agency's own signature, added when the file was stored (a result, a counter scan):
    # who holds the certificate, its SHA-256 fingerprint, when, and the officer who signed.
    signed_at = models.DateTimeField(null=True, blank=True)
    signed_subject = models.CharField(max_length=300, blank=True, default="")
    signed_fingerprint = models.CharField(max_length=64, blank=True, default="")
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    signed_by_name = models.CharField(max_length=200, blank=True, default="")

    class Meta:
        verbose_name = _("tệp hồ sơ")
        verbose_name_plural = _("tệp hồ sơ")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.original_name

    @property
    def signature_label(self) -> str:
        """The check of the signatures it came with, in words ("" when not a PDF)."""
        from signing.checks import Status

        label = Status.LABELS.get(self.signature_status)
        return str(_(label)) if label else ""

    @property
    def signature_last(self) -> dict[str, Any] | None:
        """The latest signature it came with: signer, fingerprint, time (aware datetime)."""
        found = (self.signature_check or {}).get("signatures") or []
        if not found:
            return None
        last = dict(found[-1])
        last["signed_at"] = (
            datetime.fromisoformat(last["signed_at"]) if last.get("signed_at") else None
        )
        return last


class DossierEvent(models.Model):
    """One move of a dossier (or a notable act on it). Append-only and hash-chained."""

    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="events")
    seq = models.PositiveIntegerField()
    kind = models.CharField(max_length=32, default="transition")
    from_status = models.CharField(max_length=24, blank=True)
    to_status = models.CharField(max_length=24)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_label = models.CharField(max_length=200, blank=True)
    unit = models.ForeignKey(
        "procedures.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(db_index=True)
    note = models.TextField(blank=True)
    details = models.JSONField(default=dict, blank=True)
    prev_hash = models.CharField(max_length=64, blank=True)
    hash = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("nhật ký hồ sơ")
        verbose_name_plural = _("nhật ký hồ sơ")
        ordering = ["dossier_id", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["dossier", "seq"], name="event_seq_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.dossier_id}#{self.seq} {self.from_status}->{self.to_status}"


class DailySequence(models.Model):
    """The per-agency, per-day counter behind dossier codes (gap-free, row-locked)."""

    unit = models.ForeignKey("procedures.Unit", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    last_value = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["unit", "day"], name="daily_sequence_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.day} {self.last_value}"


class DossierAccess(models.Model):
    """Who opened a dossier or downloaded one of its files, and when (shown to the citizen)."""

    class Action(models.TextChoices):
        VIEW = "view", _("Xem hồ sơ")
        DOWNLOAD = "download", _("Tải tệp")

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="accesses")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey(
        "procedures.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    action = models.CharField(max_length=10, choices=Action.choices)
    file = models.ForeignKey(
        DossierFile, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.dossier_id} {self.action} {self.at:%Y-%m-%d %H:%M}"
