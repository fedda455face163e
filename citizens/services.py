"""Writes of the citizen's side: drafts, submission, ratings, accounts, password reset."""

from __future__ import annotations

import secrets
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

from citizens.models import CitizenProfile, Draft, DraftFile, PasswordResetCode, Rating
from citizens.submission import NationalIdentity, OnlineSubmission, online_submit
from dossiers.models import Dossier
from dossiers.services.core import Applicant, IncomingFile
from portal.exceptions import InvalidTransition, NotAllowed
from portal.names import full_name_fields
from procedures.models import Procedure, Unit
from procedures.receiving import applicant_commune_find

DRAFT_STEPS = ("unit", "applicant", "documents", "delivery", "review", "confirm")
RESET_CODE_LIFETIME = timedelta(minutes=15)
RESET_CODE_ATTEMPTS = 5

# --- Drafts -------------------------------------------------------------------------------


def draft_start(*, procedure: Procedure, user: AbstractBaseUser | None = None) -> Draft:
    """A new, empty draft of an online submission (levels 3 and 4 only)."""
    if not procedure.accepts_online:
        raise NotAllowed(_("Thủ tục này chưa nhận hồ sơ trực tuyến."))
    draft = Draft(procedure=procedure, user=user if user and user.is_authenticated else None)
    units = list(procedure.units.exclude(e_id=None).exclude(e_id=""))
    if len(units) == 1:
        draft.data = {"unit": {"unit": units[0].code}, "valid": ["unit"]}
    draft.save()
    return draft


def draft_save_step(*, draft: Draft, step: str, raw: dict[str, Any], valid: bool) -> Draft:
    """Keep a step's input, valid or not: what was typed survives any error.

    `data["valid"]` lists the steps whose last input passed; submission needs them all, so an
    invalid edit anywhere blocks the last step until it is fixed.
    """
    if step not in DRAFT_STEPS:
        raise ValueError(step)
    with transaction.atomic():
        locked = Draft.objects.select_for_update().get(pk=draft.pk)
        if locked.is_submitted:
            return locked
        data = dict(locked.data)
        data[step] = raw
        valid_steps = [s for s in data.get("valid", []) if s != step]
        if valid:
            valid_steps.append(step)
        data["valid"] = [s for s in DRAFT_STEPS if s in valid_steps]
        locked.data = data
        locked.save(update_fields=["data", "updated_at"])
    draft.data = locked.data
    return locked


def draft_step_is_valid(draft: Draft, step: str) -> bool:
    return step in draft.data.get("valid", [])


def draft_file_add(*, draft: Draft, incoming: IncomingFile) -> DraftFile:
    """Store a validated file privately in the draft, with its size and SHA-256."""
    if incoming.document is None or incoming.document.procedure_id != draft.procedure_id:
        raise ValidationError(_("Giấy tờ không thuộc thủ tục này."))
    size, sha256 = incoming.measure()
    row = DraftFile(
        draft=draft,
        document=incoming.document,
        token=secrets.token_hex(16),
        extension=incoming.extension,
        original_name=incoming.name[:200],
        size=size,
        sha256=sha256,
        content_type=incoming.content_type,
    )
    row.file.save(incoming.name, incoming.upload, save=False)
    row.save()
    Draft.objects.filter(pk=draft.pk).update(updated_at=timezone.now())
    return row


def draft_file_remove(*, draft: Draft, file_id: int) -> None:
    row = DraftFile.objects.filter(draft=draft, pk=file_id).first()
    if row is None:
        return
    row.file.delete(save=False)
    row.delete()


def draft_missing_documents(*, draft: Draft) -> list[Any]:
    have = set(draft.files.values_list("document_id", flat=True))
    return [d for d in draft.procedure.documents.all() if d.required and d.pk not in have]


def draft_applicant(*, draft: Draft) -> Applicant:
    from citizens.address import address_compose

    a = draft.data.get("applicant", {})
    return Applicant(
        name=a.get("full_name", ""),
        id_number=a.get("id_number", ""),
        phone=a.get("phone_e164", ""),
        address=address_compose(
            street=a.get("street", ""), ward=a.get("ward", ""), province=a.get("province", "")
        ),
        email=a.get("email", ""),
        kind=a.get("kind", Dossier.ApplicantKind.PERSON),
        organisation_name=a.get("organisation_name", ""),
        # The address's ward (a GSO code) names the applicant's commune when it is loaded.
        commune=_commune_of_ward(a.get("ward", "")),
    )


def _commune_of_ward(ward: str) -> Unit | None:
    try:
        return applicant_commune_find(ward)
    except ValidationError:
        return None  # a ward of another province, or not loaded: unknown, not an error


def draft_delivery_address(*, draft: Draft) -> str:
    from citizens.address import address_compose

    d = draft.data.get("delivery", {})
    if d.get("delivery") != Dossier.Delivery.POST:
        return ""
    return address_compose(
        street=d.get("street", ""), ward=d.get("ward", ""), province=d.get("province", "")
    )


def draft_unit(*, draft: Draft) -> Unit | None:
    code = draft.data.get("unit", {}).get("unit")
    if not code:
        return None
    return draft.procedure.units.exclude(e_id=None).filter(code=code).first()


def draft_submit(
    *,
    draft: Draft,
    payment_method: str,
    captcha_key: str,
    captcha_value: str,
    citizen: AbstractBaseUser | None = None,
    national: NationalIdentity | None = None,
) -> Dossier:
    """Turn a complete draft into a dossier, exactly once (citizens.submission.online_submit).

    The draft's token is the idempotency key: a double click finds the first dossier. Before
    the captcha: every step is valid and the required documents are there. The draft's files
    were checked when uploaded; they are copied into the dossier's private storage, and the
    draft's copies go once that is committed.
    """

    def wanted() -> OnlineSubmission:
        missing_steps = [s for s in DRAFT_STEPS[:-1] if not draft_step_is_valid(draft, s)]
        if missing_steps:
            raise ValidationError(
                _("Hồ sơ chưa khai đủ thông tin. Vui lòng hoàn thành các bước còn thiếu."),
                code="incomplete",
            )
        if draft_missing_documents(draft=draft):
            raise ValidationError(_("Còn thiếu giấy tờ bắt buộc."), code="missing_documents")
        unit = draft_unit(draft=draft)
        if unit is None:
            raise ValidationError(_("Vui lòng chọn cơ quan tiếp nhận."), code="no_unit")
        owner = citizen if citizen is not None and citizen.is_authenticated else draft.user
        return OnlineSubmission(
            procedure=draft.procedure,
            unit=unit,
            applicant=draft_applicant(draft=draft),
            delivery=draft.data.get("delivery", {}).get("delivery", Dossier.Delivery.COUNTER),
            delivery_address=draft_delivery_address(draft=draft),
            payment_method=payment_method,
            citizen=owner,
            files=lambda: _draft_files_open(draft),
            made=lambda dossier: _draft_mark_submitted(draft, dossier, payment_method),
            national=national,
        )

    dossier = online_submit(
        idempotency_key=draft.token,
        captcha_key=captcha_key,
        captcha_value=captcha_value,
        submission=wanted,
    )
    draft.dossier = dossier
    return dossier


@contextmanager
def _draft_files_open(draft: Draft) -> Iterator[list[IncomingFile]]:
    files: list[IncomingFile] = []
    opened: list[Any] = []
    try:
        for row in draft.files.select_related("document").order_by("document__order", "id"):
            handle = row.file.open("rb")
            opened.append(handle)
            files.append(
                IncomingFile(
                    document=row.document,
                    upload=File(handle, name=row.original_name),
                    name=row.original_name,
                    extension=row.extension,
                    content_type=row.content_type,
                )
            )
        yield files
    finally:
        for handle in opened:
            handle.close()


def _draft_mark_submitted(draft: Draft, dossier: Dossier, payment_method: str) -> None:
    locked = Draft.objects.select_for_update().get(pk=draft.pk)
    locked.dossier = dossier
    locked.submitted_at = timezone.now()
    locked.data = {**locked.data, "confirm": {"payment_method": payment_method}}
    locked.save(update_fields=["dossier", "submitted_at", "data", "updated_at"])
    transaction.on_commit(lambda: draft_files_release(draft=locked))


def draft_purge(*, now: Any = None) -> int:
    """Delete drafts untouched for settings.DRAFT_LIFETIME_DAYS and the files they hold."""
    now = now or timezone.now()
    count = 0
    cutoff = now - timedelta(days=settings.DRAFT_LIFETIME_DAYS)
    for draft in Draft.objects.filter(updated_at__lt=cutoff):
        draft_delete(draft=draft)
        count += 1
    return count


def draft_delete(*, draft: Draft) -> None:
    """A draft and the files it holds."""
    for row in draft.files.all():
        row.file.delete(save=False)
    draft.delete()


def draft_files_release(*, draft: Draft) -> None:
    """After submission the dossier holds its own copies; the draft's go."""
    for row in draft.files.all():
        row.file.delete(save=False)
        row.delete()


# --- Ratings ------------------------------------------------------------------------------


def rating_create(*, dossier: Dossier, score: int, comment: str = "") -> Rating:
    """Rate the service once, after the result has been returned."""
    if dossier.status != Dossier.Status.RETURNED:
        raise InvalidTransition(_("Bạn có thể đánh giá sau khi đã nhận kết quả."))
    rating = Rating(dossier=dossier, score=score, comment=(comment or "").strip())
    rating.full_clean(exclude=["dossier"])
    try:
        with transaction.atomic():
            rating.save()
    except IntegrityError:
        raise InvalidTransition(_("Hồ sơ này đã được đánh giá. Cảm ơn bạn!")) from None
    return rating


# --- Accounts -----------------------------------------------------------------------------


def _username_for(*, phone: str | None, email: str | None) -> str:
    # A prefix keeps citizens' usernames apart from officers' (officers log in by username).
    return f"cd-{phone}" if phone else f"cd-{(email or '').lower()}"


@transaction.atomic
def citizen_register(
    *, full_name: str, password: str, phone: str | None = None, email: str | None = None
) -> AbstractBaseUser:
    """A citizen's account, identified by a mobile number (E.164) or an e-mail address."""
    email = (email or "").strip().lower() or None
    phone = phone or None
    if not phone and not email:
        raise ValidationError(_("Vui lòng nhập số điện thoại di động hoặc thư điện tử."))
    if phone and CitizenProfile.objects.filter(phone=phone).exists():
        raise ValidationError({"login": _("Số điện thoại này đã có tài khoản.")})
    if email and CitizenProfile.objects.filter(email=email).exists():
        raise ValidationError({"login": _("Thư điện tử này đã có tài khoản.")})
    User = get_user_model()
    user = User(
        username=_username_for(phone=phone, email=email),
        email=email or "",
        **full_name_fields(full_name),
    )
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    CitizenProfile.objects.create(user=user, full_name=full_name.strip(), phone=phone, email=email)
    return user


def citizen_find(*, login: str) -> AbstractBaseUser | None:
    """The citizen account for a phone number or e-mail as typed; officers are not found."""
    from notifications.phone import phone_normalise

    login = (login or "").strip()
    if not login:
        return None
    if "@" in login:
        profile = CitizenProfile.objects.filter(email=login.lower()).first()
    else:
        try:
            phone = phone_normalise(login)
        except ValidationError:
            return None
        profile = CitizenProfile.objects.filter(phone=phone).first()
    if profile is None or not profile.user.is_active:
        return None
    return profile.user


def _code_hash(user_id: int, code: str) -> str:
    return salted_hmac("motcua.password-reset", f"{user_id}:{code}").hexdigest()


@transaction.atomic
def password_reset_start(*, login: str) -> None:
    """Send a 6-digit code to the account's phone (SMS) or e-mail. Silent when unknown, so the
    form does not reveal who has an account."""
    from notifications.services import email_queue, sms_queue_body

    user = citizen_find(login=login)
    if user is None:
        return
    profile = user.citizen_profile
    now = timezone.now()
    if (
        PasswordResetCode.objects.filter(
            user=user, created_at__gte=now - timedelta(hours=1)
        ).count()
        >= 3
    ):
        return
    code = f"{secrets.randbelow(1_000_000):06d}"
    PasswordResetCode.objects.filter(user=user, used_at__isnull=True).update(used_at=now)
    PasswordResetCode.objects.create(
        user=user, code_hash=_code_hash(user.pk, code), expires_at=now + RESET_CODE_LIFETIME
    )
    text = _(
        "Mã đặt lại mật khẩu MotCua của bạn là %(code)s, có hiệu lực 15 phút. Không chia "
        "sẻ mã này cho người khác."
    ) % {"code": code}
    by_phone = profile.phone and "@" not in login
    if by_phone or not profile.email:
        sms_queue_body(to=profile.phone, body=text, template="password_reset")
    else:
        email_queue(
            to=profile.email,
            subject=_("Đặt lại mật khẩu MotCua"),
            body=text,
            template="password_reset",
        )


@transaction.atomic
def password_reset_finish(*, login: str, code: str, password: str) -> bool:
    """Set a new password when `code` is the latest unused, unexpired code (5 tries)."""
    user = citizen_find(login=login)
    if user is None:
        return False
    row = (
        PasswordResetCode.objects.select_for_update()
        .filter(user=user, used_at__isnull=True, expires_at__gt=timezone.now())
        .order_by("-created_at")
        .first()
    )
    if row is None or row.attempts >= RESET_CODE_ATTEMPTS:
        return False
    if not constant_time_compare(row.code_hash, _code_hash(user.pk, (code or "").strip())):
        row.attempts += 1
        row.save(update_fields=["attempts"])
        return False
    row.used_at = timezone.now()
    row.save(update_fields=["used_at"])
    user.set_password(password)
    user.save(update_fields=["password"])
    return True


def citizen_dossiers(*, user: AbstractBaseUser) -> Sequence[Dossier]:
    return list(
        Dossier.objects.filter(citizen=user)
        .select_related("procedure", "unit")
        .order_by("-submitted_at")
    )
