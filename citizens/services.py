"""Writes of the citizen's side: drafts, submission, ratings, accounts, password reset."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

from citizens.models import CitizenProfile, Draft, DraftFile, PasswordResetCode, Rating
from dossiers.models import Dossier
from dossiers.services.core import Applicant, IncomingFile, dossier_create
from portal.exceptions import InvalidTransition, NotAllowed
from procedures.models import Channel, Procedure, Unit

DRAFT_STEPS = ("unit", "applicant", "documents", "delivery", "review", "confirm")
DRAFT_LIFETIME = timedelta(days=30)
RESET_CODE_LIFETIME = timedelta(minutes=15)
RESET_CODE_ATTEMPTS = 5

# How the fee can be paid. Level 3 (partly online): at the counter when the result is
# collected. Level 4 (fully online) adds paying online; post adds cash on delivery.
PAYMENT_COUNTER = "counter"
PAYMENT_ONLINE = "online"
PAYMENT_POSTAL = "postal_cod"
PAYMENT_NONE = "none"


def payment_methods(*, procedure: Procedure, delivery: str, fee: int) -> list[tuple[str, str]]:
    if fee <= 0:
        return [(PAYMENT_NONE, _("Không mất phí, lệ phí"))]
    methods = [(PAYMENT_COUNTER, _("Nộp trực tiếp tại bộ phận một cửa khi nhận kết quả"))]
    if procedure.level >= 4:
        methods.insert(
            0,
            (
                PAYMENT_ONLINE,
                _(
                    "Thanh toán trực tuyến qua Cổng Dịch vụ công "
                    "quốc gia (thẻ ngân hàng, ví điện tử)"
                ),
            ),
        )
    if delivery == Dossier.Delivery.POST:
        methods.append((PAYMENT_POSTAL, _("Trả cho nhân viên bưu điện khi nhận kết quả")))
    return methods


def submission_check(
    *, procedure: Procedure, files: Sequence[IncomingFile], delivery: str, payment_method: str
) -> None:
    """The rules every online submission follows, from the pages or the API.

    Level 3–4 only; every required document has a file and no file belongs to another
    procedure; post only where the procedure allows it; a payment method offered for the fee.
    """
    errors: dict[str, list[str]] = {}
    if not procedure.accepts_online:
        raise ValidationError(
            _(
                "Thủ tục này chưa cung cấp dịch vụ công trực tuyến; vui lòng "
                "nộp trực tiếp hoặc qua bưu chính."
            ),
            code="not_online",
        )
    given = {f.document.pk for f in files if f.document is not None}
    for f in files:
        if f.document is None or f.document.procedure_id != procedure.pk:
            errors.setdefault("__all__", []).append(
                _("Có tệp không thuộc thành phần hồ sơ của thủ tục.")
            )
            break
    for doc in procedure.documents.all():
        if doc.required and doc.pk not in given:
            errors.setdefault(f"document_{doc.pk}", []).append(
                _("Vui lòng đính kèm “%(doc)s” (giấy tờ bắt buộc).") % {"doc": doc.name}
            )
    if delivery not in {Dossier.Delivery.COUNTER, Dossier.Delivery.POST}:
        errors.setdefault("delivery", []).append(_("Hình thức nhận kết quả không hợp lệ."))
    elif delivery == Dossier.Delivery.POST and not procedure.postal_allowed:
        errors.setdefault("delivery", []).append(_("Thủ tục này không trả kết quả qua bưu chính."))
    from dossiers.services.core import procedure_fee

    fee = procedure_fee(procedure=procedure, channel=Channel.ONLINE)
    allowed = {m for m, _label in payment_methods(procedure=procedure, delivery=delivery, fee=fee)}
    if payment_method not in allowed:
        errors.setdefault("payment_method", []).append(
            _("Vui lòng chọn hình thức thanh toán trong danh sách.")
        )
    if errors:
        raise ValidationError(errors)


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
    digest = hashlib.sha256()
    size = 0
    incoming.upload.seek(0)
    for chunk in incoming.upload.chunks():
        digest.update(chunk)
        size += len(chunk)
    incoming.upload.seek(0)
    row = DraftFile(
        draft=draft,
        document=incoming.document,
        token=secrets.token_hex(16),
        extension=incoming.extension,
        original_name=incoming.name[:200],
        size=size,
        sha256=digest.hexdigest(),
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
    )


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


@transaction.atomic(durable=True)
def draft_submit(
    *, draft: Draft, payment_method: str, citizen: AbstractBaseUser | None = None
) -> Dossier:
    """Turn a complete draft into a dossier, exactly once.

    Steps: lock the draft (a double click waits here, then finds the dossier); check every
    step is valid and required documents are there; create the dossier with the draft token
    as idempotency key (its first event queues the SMS with code and key); remember it on the
    draft. The draft's files are copied into the dossier's private storage.
    """
    locked = Draft.objects.select_for_update().select_related("procedure").get(pk=draft.pk)
    if locked.dossier_id is not None:
        return Dossier.objects.get(pk=locked.dossier_id)
    missing_steps = [s for s in DRAFT_STEPS[:-1] if not draft_step_is_valid(locked, s)]
    if missing_steps:
        raise ValidationError(
            _("Hồ sơ chưa khai đủ thông tin. Vui lòng hoàn thành các bước còn thiếu."),
            code="incomplete",
        )
    if draft_missing_documents(draft=locked):
        raise ValidationError(_("Còn thiếu giấy tờ bắt buộc."), code="missing_documents")
    unit = draft_unit(draft=locked)
    if unit is None:
        raise ValidationError(_("Vui lòng chọn cơ quan tiếp nhận."), code="no_unit")
    files: list[IncomingFile] = []
    opened: list[Any] = []
    try:
        for row in locked.files.select_related("document").order_by("document__order", "id"):
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
        delivery = locked.data.get("delivery", {}).get("delivery", Dossier.Delivery.COUNTER)
        submission_check(
            procedure=locked.procedure,
            files=files,
            delivery=delivery,
            payment_method=payment_method,
        )
        owner = citizen if citizen is not None and citizen.is_authenticated else locked.user
        dossier, _key = dossier_create(
            procedure=locked.procedure,
            unit=unit,
            channel=Channel.ONLINE,
            applicant=draft_applicant(draft=locked),
            files=files,
            delivery=delivery,
            delivery_address=draft_delivery_address(draft=locked),
            payment_method=payment_method,
            citizen=owner,
            idempotency_key=locked.token,
        )
    finally:
        for handle in opened:
            handle.close()
    locked.dossier = dossier
    locked.submitted_at = timezone.now()
    data = dict(locked.data)
    data["confirm"] = {"payment_method": payment_method}
    locked.data = data
    locked.save(update_fields=["dossier", "submitted_at", "data", "updated_at"])
    # The dossier holds its own copies now; the draft's go once that is committed.
    transaction.on_commit(lambda: draft_files_release(draft=locked))
    draft.dossier = dossier
    return dossier


def draft_purge(*, now: Any = None) -> int:
    """Delete drafts untouched for DRAFT_LIFETIME and the files they hold."""
    now = now or timezone.now()
    count = 0
    for draft in Draft.objects.filter(updated_at__lt=now - DRAFT_LIFETIME):
        for row in draft.files.all():
            row.file.delete(save=False)
        draft.delete()
        count += 1
    return count


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
        first_name=full_name.strip()[:150],
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
