"""The signature check of an uploaded PDF: signed or not, by whom, when, valid, trusted, and
untouched since signing.

Nothing is fetched from the network (no OCSP or CRL look-up): the check runs while a file is
stored, and its trust rests on the CA certificates of PDF_SIGNING_TRUST_ROOTS alone. A signature
that is intact but whose certificate does not chain to those roots is reported as such, never
as invalid. An unsigned PDF is simply unsigned: nothing is refused for it.
"""

from __future__ import annotations

import io
import logging
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from asn1crypto import x509
from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

log = logging.getLogger(__name__)


class Status:
    UNSIGNED = "unsigned"
    VALID = "valid"  # intact, untouched since, and trusted
    UNTRUSTED = "untrusted"  # intact and untouched, but the certificate is not trusted here
    INVALID = "invalid"  # altered after signing, broken, or unreadable

    LABELS = {
        "unsigned": gettext_noop("Không có chữ ký số"),
        "valid": gettext_noop("Chữ ký số hợp lệ"),
        "untrusted": gettext_noop("Chữ ký số nguyên vẹn, chứng thư chưa được tin cậy"),
        "invalid": gettext_noop(
            "Chữ ký số không hợp lệ (tài liệu bị sửa sau khi ký hoặc chữ ký hỏng)"
        ),
    }


@dataclass
class FoundSignature:
    """One embedded signature as pyHanko judged it."""

    signer: str = ""
    fingerprint: str = ""
    signed_at: datetime | None = None
    intact: bool = False  # the signed bytes hash to the signed digest
    valid: bool = False  # ... and the signature over them verifies
    trusted: bool = False  # the certificate chains to a trust root
    untouched: bool = False  # no change after it, or only changes the rules allow
    problem: str = ""


@dataclass
class SignatureCheck:
    status: str
    signatures: list[FoundSignature] = field(default_factory=list)
    summary: str = ""

    @property
    def last(self) -> FoundSignature | None:
        return self.signatures[-1] if self.signatures else None

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        for item in data["signatures"]:
            item["signed_at"] = item["signed_at"].isoformat() if item["signed_at"] else None
        return data


def trust_roots() -> list[x509.Certificate]:
    """The CA certificates of PDF_SIGNING_TRUST_ROOTS (PEM or DER files; others are skipped)."""
    from pyhanko.keys import load_certs_from_pemder_data

    folder = settings.PDF_SIGNING_TRUST_ROOTS
    if not folder:
        return []
    roots: list[x509.Certificate] = []
    for path in sorted(Path(folder).glob("*")):
        if path.suffix.lower() not in {".pem", ".crt", ".cer", ".der"}:
            continue
        try:
            roots.extend(load_certs_from_pemder_data(path.read_bytes()))
        except Exception:  # a bad file in the folder must not break every check
            log.warning("signing: cannot read trust root %s", path)
    return roots


def _looks_signed(stream: IO[bytes]) -> bool:
    """A cheap scan for a signature dictionary, so that unsigned uploads skip the parser."""
    stream.seek(0)
    tail = b""
    while chunk := stream.read(1 << 20):
        if b"/ByteRange" in tail + chunk:
            stream.seek(0)
            return True
        tail = chunk[-16:]
    stream.seek(0)
    return False


def pdf_signatures_read(data: bytes | IO[bytes]) -> list[FoundSignature]:
    """Every signature of the PDF, oldest first, validated against the trust roots."""
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.errors import SignatureValidationError
    from pyhanko.sign.validation.status import SignatureCoverageLevel
    from pyhanko_certvalidator import ValidationContext

    from signing.signers import certificate_fingerprint, certificate_subject

    stream = io.BytesIO(data) if isinstance(data, bytes) else data
    stream.seek(0)
    reader = PdfFileReader(stream, strict=False)
    context = ValidationContext(trust_roots=trust_roots(), allow_fetching=False)
    found = []
    for embedded in reader.embedded_signatures:
        item = FoundSignature()
        try:
            cert = embedded.signer_cert
            item.signer = certificate_subject(cert)
            item.fingerprint = certificate_fingerprint(cert)
            item.signed_at = embedded.self_reported_timestamp
            status = validate_pdf_signature(embedded, context)
        except (SignatureValidationError, ValueError, KeyError, TypeError) as exc:
            item.problem = str(exc)[:300]
            found.append(item)
            continue
        item.intact, item.valid, item.trusted = status.intact, status.valid, status.trusted
        item.untouched = status.coverage == SignatureCoverageLevel.ENTIRE_FILE or (
            status.coverage == SignatureCoverageLevel.ENTIRE_REVISION and bool(status.docmdp_ok)
        )
        found.append(item)
    return found


def pdf_signature_check(data: bytes | IO[bytes]) -> SignatureCheck:
    """Check the signatures of a PDF; never raises for a bad or strange file."""
    stream = io.BytesIO(data) if isinstance(data, bytes) else data
    found: list[FoundSignature] = []
    if _looks_signed(stream):
        try:
            found = pdf_signatures_read(stream)
        except Exception as exc:  # a PDF pyHanko cannot read: report it, keep the upload
            log.info("signing: unreadable signed PDF: %s", exc)
            return SignatureCheck(
                Status.INVALID,
                summary=_("Không đọc được chữ ký số của tệp (tệp hỏng hoặc bị sửa)."),
            )
        finally:
            stream.seek(0)
    if not found:
        return SignatureCheck(Status.UNSIGNED, summary=_(Status.LABELS[Status.UNSIGNED]))
    if any(not (s.intact and s.valid and s.untouched) for s in found):
        status = Status.INVALID
    elif all(s.trusted for s in found):
        status = Status.VALID
    else:
        status = Status.UNTRUSTED
    return SignatureCheck(status, signatures=found, summary=_(Status.LABELS[status]))
