"""Signed documents of a dossier: the agency's signature on what it issues (results, slips,
counter scans the receiving officer signs), the check of signed PDFs that come in, and the
count of dossiers whose result is a signed electronic document.

Signing happens before the dossier's transaction (a remote signer is an HTTP call); the facts
travel with the IncomingFile and dossier_file_store records them. Signature texts (reason,
location) are Vietnamese whatever the reader's language: they belong to the document.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext as _

from dossiers.access import officer_assert_can
from dossiers.models import Dossier, DossierFile
from dossiers.services.actions import dossier_resolve
from dossiers.services.core import person_name
from signing.checks import Status, pdf_signature_check
from signing.signers import SignatureMeta, SigningError, pdf_sign, signing_enabled

if TYPE_CHECKING:
    from dossiers.services.core import IncomingFile

log = logging.getLogger(__name__)


@dataclasses.dataclass(frozen=True)
class FileSeal:
    subject: str
    fingerprint: str
    signed_at: datetime
    signed_by: AbstractBaseUser | None
    signed_by_name: str


def file_signature_fields(incoming: IncomingFile) -> dict[str, Any]:
    """The DossierFile fields of a file's signatures (none for a file that is not a PDF)."""
    if incoming.extension != ".pdf":
        return {}
    check = incoming.check or pdf_signature_check(incoming.upload)
    incoming.upload.seek(0)
    fields: dict[str, Any] = {
        "signature_status": check.status,
        "signature_check": check.as_json(),
    }
    if incoming.seal is not None:
        fields |= {
            "signed_at": incoming.seal.signed_at,
            "signed_subject": incoming.seal.subject[:300],
            "signed_fingerprint": incoming.seal.fingerprint,
            "signed_by": incoming.seal.signed_by,
            "signed_by_name": incoming.seal.signed_by_name[:200],
        }
    return fields


def incoming_sign(
    incoming: IncomingFile, *, reason: str, location: str, officer: AbstractBaseUser | None
) -> IncomingFile:
    """The file with the agency's signature added, ready for dossier_file_store.

    Unchanged when signing is off or the file is not a PDF. A PDF whose own signatures are
    broken is not signed over (the agency would vouch for an altered document): ValidationError.
    The signer's failures raise SigningError. Call it outside any transaction.
    """
    if not signing_enabled() or incoming.extension != ".pdf":
        return incoming
    check = pdf_signature_check(incoming.upload)
    if check.status == Status.INVALID:
        raise ValidationError(
            _(
                "Tệp “%(name)s” có chữ ký số không hợp lệ (đã bị sửa sau khi ký); không thể ký "
                "số thêm. Vui lòng dùng bản gốc."
            )
            % {"name": incoming.name[:80]}
        )
    incoming.upload.seek(0)
    name = person_name(officer)
    signed = pdf_sign(
        incoming.upload.read(), meta=SignatureMeta(reason=reason, location=location, name=name)
    )
    incoming.upload.seek(0)
    assert signed is not None
    return dataclasses.replace(
        incoming,
        upload=SimpleUploadedFile(incoming.name, signed.data, content_type="application/pdf"),
        check=check,
        seal=FileSeal(
            subject=signed.subject,
            fingerprint=signed.fingerprint,
            signed_at=signed.signed_at,
            signed_by=officer,
            signed_by_name=name,
        ),
    )


def result_file_sign(
    *, dossier: Dossier, incoming: IncomingFile, officer: AbstractBaseUser
) -> IncomingFile:
    """The result document signed by the agency (the handling unit's certificate)."""
    unit = dossier.handling_unit or dossier.unit
    return incoming_sign(
        incoming,
        reason=f"Kết quả giải quyết hồ sơ {dossier.code} – {dossier.procedure.name}"[:500],
        location=unit.name,
        officer=officer,
    )


def dossier_resolve_signed(
    *,
    dossier: Dossier,
    actor: AbstractBaseUser,
    outcome: str,
    note: str = "",
    result_file: IncomingFile | None = None,
    at: datetime | None = None,
) -> Dossier:
    """The officers' resolve action: the result PDF signed first (when a signer is set), then
    dossiers.services.actions.dossier_resolve, which stores it."""
    officer_assert_can(user=actor, dossier=dossier, action="resolve")
    if result_file is not None:
        result_file = result_file_sign(dossier=dossier, incoming=result_file, officer=actor)
    return dossier_resolve(
        dossier=dossier, actor=actor, outcome=outcome, note=note, result_file=result_file, at=at
    )


def counter_files_sign(
    *,
    files: Sequence[IncomingFile],
    document_ids: set[int],
    location: str,
    officer: AbstractBaseUser,
) -> list[IncomingFile]:
    """Sign the counter scans the receiving officer chose (documents `document_ids`), with the
    agency's certificate and the officer named in the signature."""
    out = []
    for incoming in files:
        document = incoming.document
        if document is None or document.pk not in document_ids:
            out.append(incoming)
            continue
        if incoming.extension != ".pdf":
            raise ValidationError(
                {f"sign_{document.pk}": _("Chỉ ký số được tệp PDF; tệp này vẫn được nhận.")}
            )
        out.append(
            incoming_sign(
                incoming,
                reason=f"Bản chụp tiếp nhận tại Bộ phận Một cửa: {document.name}"[:500],
                location=location,
                officer=officer,
            )
        )
    return out


def document_sign(pdf: bytes, *, reason: str, location: str) -> bytes:
    """A document the system issues (a slip) signed by the agency; unsigned when signing is
    off or the signer fails (a slip is printed at the counter: it must not wait on it)."""
    if not signing_enabled():
        return pdf
    try:
        signed = pdf_sign(pdf, meta=SignatureMeta(reason=reason, location=location))
    except SigningError:
        log.exception("signing: a slip was served unsigned")
        return pdf
    return signed.data if signed is not None else pdf


# --- Reads ---------------------------------------------------------------------------------


def signed_result_files() -> QuerySet[DossierFile]:
    """Result files that are signed electronic documents: signed by the agency here, or
    uploaded with an intact signature that chains to the trust roots."""
    return DossierFile.objects.filter(kind=DossierFile.Kind.RESULT).filter(
        Q(signed_at__isnull=False) | Q(signature_status=Status.VALID)
    )


def dossiers_with_signed_result(queryset: QuerySet[Dossier] | None = None) -> QuerySet[Dossier]:
    """The dossiers (of `queryset`) whose result is a signed electronic document: the
    numerator of Decision 766's indicator on electronic results (4.1)."""
    base = queryset if queryset is not None else Dossier.objects.all()
    return base.filter(Exists(signed_result_files().filter(dossier=OuterRef("pk"))))
