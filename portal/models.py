"""Cross-cutting records: officers' roles in units, and the audit log of sensitive writes."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    DESK = "desk", _("Cán bộ tiếp nhận và trả kết quả")
    SPECIALIST = "specialist", _("Chuyên viên xử lý")
    HEAD = "head", _("Lãnh đạo đơn vị")
    LEADER = "leader", _("Lãnh đạo UBND")
    REPORTING = "reporting", _("Cán bộ báo cáo, thống kê")
    ADMIN = "admin", _("Quản trị hệ thống")


class Membership(models.Model):
    """An officer holds a role in a unit. A user may hold several."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("cán bộ"),
    )
    unit = models.ForeignKey(
        "procedures.Unit",
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("đơn vị"),
    )
    role = models.CharField(_("vai trò"), max_length=20, choices=Role.choices)
    title = models.CharField(_("chức danh"), max_length=120, blank=True)
    phone = models.CharField(_("điện thoại"), max_length=20, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("phân quyền cán bộ")
        verbose_name_plural = _("phân quyền cán bộ")
        constraints = [
            models.UniqueConstraint(fields=["user", "unit", "role"], name="membership_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} - {self.get_role_display()} - {self.unit}"


class AuditLogManager(models.Manager["AuditLog"]):
    def create(self, **fields: Any) -> AuditLog:
        """Append a row to the chain (portal.audit): the one way rows are written."""
        from portal.audit import audit_append

        return audit_append(**fields)


class AuditLog(models.Model):
    """Append-only record of sensitive writes other than dossier moves (roles, overrides...),
    hash-chained with a key kept outside the database like the dossier events (portal.audit).
    An actor who has rows here cannot be deleted (deactivate the account): the row's digest
    covers the actor."""

    seq = models.PositiveBigIntegerField(unique=True)
    at = models.DateTimeField(db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    action = models.CharField(max_length=64)
    target = models.CharField(max_length=200, blank=True)
    details = models.JSONField(default=dict, blank=True)
    prev_hash = models.CharField(max_length=64, blank=True)
    hash = models.CharField(max_length=64)

    objects = AuditLogManager()

    class Meta:
        verbose_name = _("nhật ký hệ thống")
        verbose_name_plural = _("nhật ký hệ thống")
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.target}"


class AuditChainHead(models.Model):
    """The one row sealing the audit log's last entry (portal.audit); appends lock it."""

    seq = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64, blank=True)
    seal = models.CharField(max_length=64, blank=True)

    def __str__(self) -> str:
        return f"audit head #{self.seq}"


class OfficerTOTP(models.Model):
    """An officer's two-factor secret (RFC 6238, portal.totp). Until `confirmed_at` is set the
    officer is still enrolling and signs in with the password alone; afterwards every sign-in
    (page and API token) also needs a code. `last_step` makes each code good once."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="totp",
        verbose_name=_("cán bộ"),
    )
    secret = models.CharField(_("khóa bí mật"), max_length=64)
    confirmed_at = models.DateTimeField(_("kích hoạt lúc"), null=True, blank=True)
    last_step = models.BigIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("xác thực hai bước")
        verbose_name_plural = _("xác thực hai bước")

    def __str__(self) -> str:
        return f"{self.user} ({'on' if self.confirmed_at else 'enrolling'})"
