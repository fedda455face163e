"""Online submission (levels 3–4): one service for the wizard and the API.

Both doors go through `online_submit`, in this order: an earlier try with the same idempotency
key gives back its dossier; what is submitted is put together without reading any file; the
captcha is checked (and used up, right or wrong) before any file is read; then, in the
dossier's transaction and one try per key at a time, the files are read and checked, the rules
of every online submission are applied (`submission_check`) and the dossier is made.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, replace

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils.translation import gettext as _

from citizens.captcha import captcha_check
from dossiers.models import Dossier
from dossiers.services.core import Applicant, IncomingFile, dossier_create, procedure_fee
from procedures.models import Channel, Procedure, Unit

# How the fee can be paid. Level 3 (partly online): at the counter when the result is
# collected. Level 4 (fully online) adds paying online; post adds cash on delivery.
PAYMENT_COUNTER = "counter"
PAYMENT_ONLINE = "online"
PAYMENT_POSTAL = "postal_cod"
PAYMENT_NONE = "none"

FileReader = Callable[[], AbstractContextManager[Sequence[IncomingFile]]]


@dataclass(frozen=True)
class NationalIdentity:
    """What a national sign-in (citizens.national) proved about the account submitting: read
    from the server-side session, never from what the form sent."""

    tech_id: str
    vneid_verified: bool
    # The identity numbers the national account stated (personal ID, old ID, tax code).
    id_numbers: frozenset[str] = frozenset()

    def applied_to(self, applicant: Applicant) -> Applicant:
        """The applicant with the national account's TechID and verification, when the
        applicant is that account's holder: same identity number, or none stated. Someone
        submitting for another person gets neither."""
        if self.id_numbers and applicant.id_number.strip() not in self.id_numbers:
            return replace(applicant, tech_id="", vneid_verified=False)
        return replace(applicant, tech_id=self.tech_id, vneid_verified=self.vneid_verified)


@dataclass(frozen=True)
class OnlineSubmission:
    """What a citizen submits. `files` opens the files (and checks them) only when called;
    `made` records the new dossier elsewhere (the wizard's draft) in the same transaction."""

    procedure: Procedure
    unit: Unit
    applicant: Applicant
    delivery: str
    delivery_address: str
    payment_method: str
    citizen: AbstractBaseUser | None
    files: FileReader
    made: Callable[[Dossier], None] | None = None
    national: NationalIdentity | None = None

    def applicant_to_record(self) -> Applicant:
        """The applicant as the dossier records it: the national fields come from `national`
        only, whatever the applicant was built from."""
        if self.national is None:
            return replace(self.applicant, tech_id="", vneid_verified=False)
        return self.national.applied_to(self.applicant)


def online_payment_label() -> str:
    """What paying online means on this portal, promising only what is configured: the
    national platform, the province's gateway (the settings payments.views.gateways_enabled
    reads), else a bank transfer from the payment page."""
    if (
        settings.NATIONAL_PAY_URL
        and settings.NATIONAL_PAY_PARTNER_CODE
        and settings.NATIONAL_PAY_SECRET
    ):
        return _("Thanh toán trực tuyến qua Cổng Dịch vụ công quốc gia (thẻ ngân hàng, ví điện tử)")
    if settings.VNPAY_TMN_CODE and settings.VNPAY_HASH_SECRET:
        return _("Thanh toán trực tuyến qua cổng thanh toán VNPay (thẻ ngân hàng, ví điện tử)")
    return _("Chuyển khoản qua ngân hàng sau khi nộp hồ sơ (hướng dẫn trên trang thanh toán)")


def payment_methods(*, procedure: Procedure, delivery: str, fee: int) -> list[tuple[str, str]]:
    if fee <= 0:
        return [(PAYMENT_NONE, _("Không mất phí, lệ phí"))]
    methods = [(PAYMENT_COUNTER, _("Nộp trực tiếp tại bộ phận một cửa khi nhận kết quả"))]
    if procedure.level >= 4:
        methods.insert(0, (PAYMENT_ONLINE, online_payment_label()))
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
    fee = procedure_fee(procedure=procedure, channel=Channel.ONLINE)
    allowed = {m for m, _label in payment_methods(procedure=procedure, delivery=delivery, fee=fee)}
    if payment_method not in allowed:
        errors.setdefault("payment_method", []).append(
            _("Vui lòng chọn hình thức thanh toán trong danh sách.")
        )
    if errors:
        raise ValidationError(errors)


def submission_made(*, idempotency_key: str | None) -> Dossier | None:
    """The dossier an earlier try with this idempotency key made, if any."""
    if not idempotency_key:
        return None
    return Dossier.objects.filter(idempotency_key=idempotency_key).first()


def _one_try_at_a_time(idempotency_key: str | None) -> None:
    """Tries with the same key wait here for the first one's commit (PostgreSQL; SQLite's
    immediate transactions already run one at a time)."""
    if idempotency_key and connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [idempotency_key])


def online_submit(
    *,
    idempotency_key: str | None,
    captcha_key: str,
    captcha_value: str,
    submission: Callable[[], OnlineSubmission],
) -> Dossier:
    """Make the dossier of an online submission, once per idempotency key (module docstring);
    without a key every call is a new try.

    `submission()` puts together what is submitted and may refuse it (ValidationError) without
    reading a file. A wrong captcha raises ValidationError on `captcha_value`.
    """
    made = submission_made(idempotency_key=idempotency_key)
    if made is not None:
        return made
    wanted = submission()
    if not captcha_check(key=captcha_key, value=captcha_value):
        raise ValidationError(
            {"captcha_value": _("Mã xác nhận không đúng hoặc đã hết hạn. Vui lòng nhập mã mới.")}
        )
    with transaction.atomic(durable=True):
        _one_try_at_a_time(idempotency_key)
        made = submission_made(idempotency_key=idempotency_key)
        if made is not None:
            return made
        with wanted.files() as files:
            submission_check(
                procedure=wanted.procedure,
                files=files,
                delivery=wanted.delivery,
                payment_method=wanted.payment_method,
            )
            dossier, _key = dossier_create(
                procedure=wanted.procedure,
                unit=wanted.unit,
                channel=Channel.ONLINE,
                applicant=wanted.applicant_to_record(),
                files=files,
                delivery=wanted.delivery,
                delivery_address=wanted.delivery_address,
                payment_method=wanted.payment_method,
                citizen=wanted.citizen,
                idempotency_key=idempotency_key,
            )
        if wanted.made is not None:
            wanted.made(dossier)
    return dossier
