"""The outbox (one row per SMS or e-mail to send) and the editable message templates.

A row is written in the same transaction as the event that causes it and is sent by a Celery
task after the commit; the table, not the broker, is the source of truth (healthchecks'
Notification, HackSoft's Email). A periodic job re-queues rows whose task was lost.
"""

from __future__ import annotations

from django.db import models
from django.template import Template, TemplateSyntaxError
from django.utils.translation import gettext_lazy as _


class OutboxStatus(models.TextChoices):
    QUEUED = "queued", _("Chờ gửi")
    SENDING = "sending", _("Đang gửi")
    SENT = "sent", _("Đã gửi")
    DELIVERED = "delivered", _("Đã đến máy")
    FAILED = "failed", _("Lỗi")


class OutboxRow(models.Model):
    """What an SMS and an e-mail share: the send state machine and its times.

    queued → sending → sent → delivered (SMS, from the provider's callback), or failed.
    A transient error puts the row back to queued with `retry_at`; the periodic re-queue job
    leaves it alone until then.
    """

    Status = OutboxStatus

    template = models.CharField(_("mẫu"), max_length=40, blank=True)
    dossier = models.ForeignKey(
        "dossiers.Dossier",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("hồ sơ"),
    )
    event = models.ForeignKey(
        "dossiers.DossierEvent", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(
        _("trạng thái"), max_length=10, choices=OutboxStatus.choices, default=OutboxStatus.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(_("số lần gửi"), default=0)
    last_error = models.TextField(_("lỗi gần nhất"), blank=True)
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    # When the row was last (re)queued: the re-queue job only picks rows queued long ago.
    queued_at = models.DateTimeField(_("xếp hàng lúc"))
    # After a transient error: the retry is scheduled for this time.
    retry_at = models.DateTimeField(_("gửi lại lúc"), null=True, blank=True)
    sending_at = models.DateTimeField(_("bắt đầu gửi lúc"), null=True, blank=True)
    sent_at = models.DateTimeField(_("gửi lúc"), null=True, blank=True)
    failed_at = models.DateTimeField(_("lỗi lúc"), null=True, blank=True)
    # The update key the body carries, kept only until the message has left for the phone or
    # mailbox: then the body's copy is masked, so the outbox never shows a working key.
    secret = models.CharField(_("mã bí mật trong tin"), max_length=64, blank=True)

    class Meta:
        abstract = True


class SmsMessage(OutboxRow):
    class Encoding(models.TextChoices):
        GSM7 = "gsm7", "GSM-7"
        UCS2 = "ucs2", "UCS-2"

    # E.164 (+84...). A number that could not be normalised is kept as typed, on a failed row.
    to = models.CharField(_("số điện thoại"), max_length=32)
    body = models.TextField(_("nội dung"))
    segments = models.PositiveSmallIntegerField(_("số tin"), default=1)
    encoding = models.CharField(
        _("bảng mã"), max_length=4, choices=Encoding.choices, default=Encoding.GSM7
    )
    provider_message_id = models.CharField(
        _("mã tin của nhà mạng"), max_length=64, blank=True, db_index=True
    )
    # The provider's own last word (queued, sent, delivered, undelivered, failed...).
    provider_status = models.CharField(_("trạng thái nhà mạng"), max_length=20, blank=True)
    delivered_at = models.DateTimeField(_("đến máy lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("tin nhắn SMS")
        verbose_name_plural = _("hộp thư đi SMS")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "queued_at"], name="sms_status_queued")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=OutboxStatus.values), name="sms_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"SMS #{self.pk} {self.to} {self.status}"


class EmailMessage(OutboxRow):
    to = models.EmailField(_("địa chỉ nhận"))
    subject = models.CharField(_("tiêu đề"), max_length=250)
    body = models.TextField(_("nội dung"))
    # A message that must go out once only (e.g. one digest per officer, unit and day).
    dedupe_key = models.CharField(max_length=120, unique=True, null=True, blank=True)

    class Meta:
        verbose_name = _("thư điện tử")
        verbose_name_plural = _("hộp thư đi e-mail")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "queued_at"], name="email_status_queued")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(
                    status__in=[
                        OutboxStatus.QUEUED,
                        OutboxStatus.SENDING,
                        OutboxStatus.SENT,
                        OutboxStatus.FAILED,
                    ]
                ),
                name="email_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"E-mail #{self.pk} {self.to} {self.status}"


class TemplateName(models.TextChoices):
    SUBMITTED = "submitted", _("Đã nộp trực tuyến (mã hồ sơ, mã tra cứu)")
    SUBMITTED_RECEIVED = (
        "submitted_received",
        _("Tiếp nhận trực tiếp/bưu chính (mã, mã tra cứu, hẹn trả)"),
    )
    RECEIVED = "received", _("Đã tiếp nhận (hẹn trả kết quả)")
    SUPPLEMENT = "supplement", _("Yêu cầu bổ sung hồ sơ")
    PAYMENT = "payment", _("Yêu cầu nộp phí, lệ phí")
    RESOLVED = "resolved", _("Đã có kết quả (nơi nhận)")
    RETURNED = "returned", _("Đã trả kết quả / đã gửi bưu chính")
    APOLOGY = "apology", _("Thư xin lỗi, hẹn lại ngày trả")
    REFUSED = "refused", _("Không được tiếp nhận (lý do)")
    STOPPED = "stopped", _("Dừng xử lý")
    KEY_RESEND = "key_resend", _("Gửi lại mã tra cứu")


class SmsTemplate(models.Model):
    """The text of one kind of message, a Django template edited in the admin.

    The same text is the SMS and the e-mail body; `email_subject` is the e-mail's subject.
    A missing row falls back to the default in notifications/defaults.py.
    """

    name = models.CharField(_("loại tin"), max_length=40, unique=True, choices=TemplateName.choices)
    body = models.TextField(
        _("nội dung"),
        help_text=_("Cú pháp mẫu Django, ví dụ {{ code }}. Các biến dùng được xem ở mô tả."),
    )
    email_subject = models.CharField(_("tiêu đề e-mail"), max_length=200)
    updated_at = models.DateTimeField(_("cập nhật lúc"), auto_now=True)

    class Meta:
        verbose_name = _("mẫu tin nhắn")
        verbose_name_plural = _("mẫu tin nhắn")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.get_name_display()

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        errors = {}
        for field in ("body", "email_subject"):
            try:
                Template(getattr(self, field))
            except TemplateSyntaxError as exc:
                errors[field] = _("Mẫu không hợp lệ: %(error)s") % {"error": exc}
        if errors:
            raise ValidationError(errors)
