"""The pluggable signer: PAdES signatures on PDFs, by a local certificate or a remote service.

Both backends add one incremental signature (PAdES baseline B: ETSI.CAdES.detached, SHA-256)
and leave earlier signatures intact. The remote one follows hash-then-embed, as the national
eSign gateway, VNPT SmartCA and Viettel MySign do: the PDF gets its signature field and a
reserved placeholder, the digest of its byte ranges goes to the service, the detached CMS that
comes back is embedded in the placeholder. Either way the result is checked before it is
returned: intact, and signed by the certificate the backend announced.
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import io
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

from asn1crypto import cms, x509
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers
from pyhanko.sign.signers.pdf_signer import PdfTBSDocument
from pyhanko_certvalidator.registry import SimpleCertificateStore

from portal.exceptions import PortalError

if TYPE_CHECKING:  # signing.remote imports this module
    from signing.remote import HashSigningService

# Room for the CMS in the PDF (hex, so twice its DER size): a 4096-bit RSA chain of three
# certificates and the signed attributes stay well under it.
REMOTE_BYTES_RESERVED = 32768


class SigningError(PortalError):
    """The document could not be signed (the certificate, the service, the PDF)."""

    status_code = 503


@dataclass(frozen=True)
class SignatureMeta:
    """What the signature says besides the certificate: why, where, and who (an officer
    signing with the agency's certificate is named here)."""

    reason: str
    location: str
    name: str = ""


@dataclass(frozen=True)
class SignedPdf:
    data: bytes
    subject: str
    fingerprint: str  # SHA-256 of the signer's certificate (DER), hex
    signed_at: datetime


class Signer(Protocol):
    def sign(self, pdf: bytes, *, meta: SignatureMeta) -> SignedPdf: ...


def certificate_subject(cert: x509.Certificate) -> str:
    """The holder as a person reads it: common name, then organisation when it differs."""
    subject = cert.subject.native
    name = str(subject.get("common_name") or "")
    org = str(subject.get("organization_name") or "")
    if org and org != name:
        return f"{name} – {org}" if name else org
    return name or cert.subject.human_friendly


def certificate_fingerprint(cert: x509.Certificate) -> str:
    return hashlib.sha256(cert.dump()).hexdigest()


def _metadata(meta: SignatureMeta) -> signers.PdfSignatureMetadata:
    return signers.PdfSignatureMetadata(
        # A new field per signature: a document may already carry others.
        field_name=f"MotCua-{secrets.token_hex(4)}",
        reason=meta.reason,
        location=meta.location,
        name=meta.name or None,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
    )


def _writer(pdf: bytes) -> IncrementalPdfFileWriter:
    try:
        return IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    except Exception as exc:
        raise SigningError(_("Tệp không phải là PDF đọc được, không thể ký số.")) from exc


def _signed(data: bytes, cert: x509.Certificate) -> SignedPdf:
    """Check the freshly signed PDF: its last signature intact and by `cert`."""
    from signing.checks import pdf_signatures_read

    found = pdf_signatures_read(data)
    last = found[-1] if found else None
    if last is None or not last.intact or last.fingerprint != certificate_fingerprint(cert):
        raise SigningError(_("Chữ ký số nhận về không khớp với tài liệu hoặc chứng thư số."))
    return SignedPdf(
        data=data,
        subject=certificate_subject(cert),
        fingerprint=certificate_fingerprint(cert),
        signed_at=last.signed_at or timezone.now(),
    )


class Pkcs12Signer:
    """The agency's certificate and key in a PKCS#12 file (read once per process)."""

    def __init__(self, *, path: str, passphrase: str) -> None:
        try:
            with open(path, "rb") as handle:
                data = handle.read()
            self.signer = signers.SimpleSigner.load_pkcs12_data(
                data, other_certs=[], passphrase=passphrase.encode() if passphrase else None
            )
        except (OSError, ValueError) as exc:
            raise ImproperlyConfigured(
                f"PDF_SIGNING_PKCS12_PATH: cannot load the PKCS#12 file {path!r}: {exc}"
            ) from exc

    def sign(self, pdf: bytes, *, meta: SignatureMeta) -> SignedPdf:
        out = signers.PdfSigner(_metadata(meta), signer=self.signer).sign_pdf(_writer(pdf))
        cert = self.signer.signing_cert
        assert cert is not None
        return _signed(out.getvalue(), cert)


class RemoteHashSigner:
    """Hash-then-embed through a HashSigningService (signing.remote)."""

    def __init__(self, service: HashSigningService) -> None:
        self.service = service

    def sign(self, pdf: bytes, *, meta: SignatureMeta) -> SignedPdf:
        service = self.service
        chain = [x509.Certificate.load(der) for der in service.certificates()]
        if not chain:
            raise SigningError(_("Dịch vụ ký số không trả về chứng thư số."))
        # The placeholder signer only shapes the signature field; the CMS comes from afar.
        placeholder = signers.ExternalSigner(
            signing_cert=chain[0],
            cert_registry=SimpleCertificateStore.from_certs(chain[1:]),
            signature_value=512,
        )
        pdf_signer = signers.PdfSigner(_metadata(meta), signer=placeholder)
        prepared, _tbs, output = asyncio.run(
            pdf_signer.async_digest_doc_for_signing(
                _writer(pdf), bytes_reserved=REMOTE_BYTES_RESERVED
            )
        )
        signature = service.sign_hash(digest=prepared.document_digest, algorithm="sha256")
        try:
            cms.ContentInfo.load(signature).native  # noqa: B018 - parse it fully, or refuse
            PdfTBSDocument.finish_signing(output, prepared, signature)
        except Exception as exc:
            raise SigningError(_("Dịch vụ ký số trả về chữ ký không hợp lệ.")) from exc
        output.seek(0)
        return _signed(output.read(), chain[0])


@functools.lru_cache(maxsize=4)
def _build(backend: str, path: str, passphrase: str, service_path: str) -> Signer:
    if backend == "pkcs12":
        if not path:
            raise ImproperlyConfigured("PDF_SIGNING_BACKEND=pkcs12 needs PDF_SIGNING_PKCS12_PATH.")
        return Pkcs12Signer(path=path, passphrase=passphrase)
    if backend == "remote":
        return RemoteHashSigner(import_string(service_path)())
    raise ImproperlyConfigured(f"Unknown PDF_SIGNING_BACKEND {backend!r}.")


def signing_enabled() -> bool:
    return bool(settings.PDF_SIGNING_BACKEND)


def signer_get() -> Signer | None:
    """The configured signer, or None when signing is off."""
    if not signing_enabled():
        return None
    return _build(
        settings.PDF_SIGNING_BACKEND,
        settings.PDF_SIGNING_PKCS12_PATH,
        settings.PDF_SIGNING_PKCS12_PASSPHRASE,
        settings.PDF_SIGNING_REMOTE_SERVICE,
    )


def pdf_sign(pdf: bytes, *, meta: SignatureMeta) -> SignedPdf | None:
    """Sign `pdf` with the configured signer; None when signing is off."""
    signer = signer_get()
    return signer.sign(pdf, meta=meta) if signer is not None else None
