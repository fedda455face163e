"""The citizen's side: submission drafts, ratings, accounts and the key-resend log."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


def draft_token_new() -> str:
    return secrets.token_urlsafe(24)


class Draft(models.Model):
    """A submission being written: every step is saved here, so nothing typed is lost.

    Keyed by a random token that sits in the URL and in the browser's session (or belongs to
    the logged-in account). `data` holds each step's raw input and whether it passed
    validation: {"unit": {...}, "applicant": {...}, "delivery": {...}, "confirm": {...},
    "valid": ["unit", ...]}. Once submitted, `dossier` points at the dossier made from it.
    """

    token = models.CharField(max_length=64, unique=True, default=draft_token_new)
    procedure = models.ForeignKey(
        "procedures.Procedure",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("thủ tục"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="citizen_drafts",
    )
    data = models.JSONField(default=dict, blank=True)
    dossier = models.OneToOneField(
        "dossiers.Dossier",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="citizen_draft",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("hồ sơ đang soạn")
        verbose_name_plural = _("hồ sơ đang soạn")
        ordering = ["-updated_at"]

    def __str__(self) -> str:
        return f"{self.procedure.code} {self.token[:8]}…"

    @property
    def is_submitted(self) -> bool:
        return self.dossier_id is not None


def draft_file_path(instance: DraftFile, filename: str) -> str:
    # Private and unguessable: never under a public URL, never the client's name.
    return f"drafts/{instance.draft.token}/{instance.token}{instance.extension}"


class DraftFile(models.Model):
    """A file attached to a draft: already validated by dossiers.uploads.upload_validate."""

    draft = models.ForeignKey(Draft, on_delete=models.CASCADE, related_name="files")
    document = models.ForeignKey(
        "procedures.ProcedureDocument", on_delete=models.CASCADE, related_name="+"
    )
    token = models.CharField(max_length=32, unique=True)
    extension = models.CharField(max_length=8)
    file = models.FileField(upload_to=draft_file_path, max_length=300)
    original_name = models.CharField(max_length=200)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    content_type = models.CharField(max_length=100, blank=True)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.original_name


class Rating(models.Model):
    """The citizen's rating of one dossier's service, once, after the result is returned."""

    class Score(models.IntegerChoices):
        VERY_SATISFIED = 5, _("Rất hài lòng")
        SATISFIED = 4, _("Hài lòng")
        NEUTRAL = 3, _("Bình thường")
        DISSATISFIED = 2, _("Không hài lòng")
        VERY_DISSATISFIED = 1, _("Rất không hài lòng")

    dossier = models.OneToOneField(
        "dossiers.Dossier", on_delete=models.CASCADE, related_name="rating"
    )
    score = models.PositiveSmallIntegerField(
        _("mức độ hài lòng"),
        choices=Score.choices,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    comment = models.TextField(_("góp ý"), blank=True, max_length=2000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("đánh giá")
        verbose_name_plural = _("đánh giá của công dân")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(score__gte=1, score__lte=5), name="rating_score_1_5"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.dossier_id}: {self.score}"


class KeyResend(models.Model):
    """One re-sent update key: the log behind the per-dossier and per-client limits."""

    dossier = models.ForeignKey("dossiers.Dossier", on_delete=models.CASCADE, related_name="+")
    # A keyed hash of the client's address: enough to count, not to identify.
    client = models.CharField(max_length=64, blank=True, db_index=True)
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.dossier_id} {self.at:%Y-%m-%d %H:%M}"


class CitizenProfile(models.Model):
    """Marks a user account as a citizen's, with the phone or e-mail they log in with, or
    the national account they sign in through.

    Officers have Memberships and log in at /can-bo/dang-nhap/; the citizens' login only
    accepts accounts with a profile.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="citizen_profile"
    )
    full_name = models.CharField(_("họ và tên"), max_length=200)
    phone = models.CharField(_("số điện thoại"), max_length=16, unique=True, null=True, blank=True)
    email = models.EmailField(_("thư điện tử"), unique=True, null=True, blank=True)
    # The national account (DVCQG's sign-in, VNeID) linked to this one (citizens.national):
    # its stable TechID, the personal ID number or tax code it stated, and its kind
    # (LoaiTaiKhoan: "1" citizen, "2" enterprise, "3" organisation).
    tech_id = models.CharField(
        _("mã định danh tài khoản quốc gia (TechID)"),
        max_length=64,
        unique=True,
        null=True,
        blank=True,
    )
    id_number = models.CharField(
        _("số định danh cá nhân"), max_length=20, blank=True, db_index=True
    )
    tax_code = models.CharField(_("mã số thuế"), max_length=20, blank=True, db_index=True)
    national_kind = models.CharField(_("loại tài khoản quốc gia"), max_length=2, blank=True)
    national_signed_in_at = models.DateTimeField(
        _("đăng nhập bằng tài khoản quốc gia lần cuối"), null=True, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("tài khoản công dân")
        verbose_name_plural = _("tài khoản công dân")
        constraints = [
            # Signed in with a password (phone or e-mail) or through the national account.
            models.CheckConstraint(
                condition=models.Q(phone__isnull=False)
                | models.Q(email__isnull=False)
                | models.Q(tech_id__isnull=False),
                name="citizen_profile_login",
            ),
        ]

    def __str__(self) -> str:
        return self.full_name


class PasswordResetCode(models.Model):
    """A one-time code sent by SMS or e-mail to reset a citizen's password."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    code_hash = models.CharField(max_length=128)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.user_id} {self.created_at:%Y-%m-%d %H:%M}"
