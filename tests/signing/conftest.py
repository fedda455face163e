"""A test CA and agency certificate made at test time, and the two signing backends."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import PdfSignatureStatus
from pyhanko_certvalidator import ValidationContext

from procedures.pdf import html_to_pdf
from signing import pki
from signing.signers import _build
from tests.fakes.signing import FakeSigningService

PASSPHRASE = "test-passphrase"


@dataclass(frozen=True)
class TestPki:
    ca: pki.Issued
    agency: pki.Issued
    p12: Path
    trust: Path


@pytest.fixture(scope="session")
def test_pki(tmp_path_factory) -> TestPki:
    folder = tmp_path_factory.mktemp("pki")
    ca = pki.ca_make(common_name="MotCua Test CA", organisation="MotCua tests")
    agency = pki.signer_issue(
        ca, common_name="UBND xã Mường Khoa", organisation="UBND xã Mường Khoa"
    )
    p12 = folder / "agency.p12"
    p12.write_bytes(pki.pkcs12_bytes(agency, chain=[ca], passphrase=PASSPHRASE))
    (folder / "trust").mkdir()
    (folder / "trust" / "ca.pem").write_bytes(ca.cert_pem)
    return TestPki(ca=ca, agency=agency, p12=p12, trust=folder / "trust")


@pytest.fixture(scope="session")
def result_pdf() -> bytes:
    return html_to_pdf("<h1>Giấy chứng nhận</h1><p>Kết quả giải quyết thủ tục hành chính.</p>")


@pytest.fixture(autouse=True)
def _fresh_signer():
    _build.cache_clear()
    yield
    _build.cache_clear()


@pytest.fixture
def pkcs12_signing(settings, test_pki):
    settings.PDF_SIGNING_BACKEND = "pkcs12"
    settings.PDF_SIGNING_PKCS12_PATH = str(test_pki.p12)
    settings.PDF_SIGNING_PKCS12_PASSPHRASE = PASSPHRASE
    settings.PDF_SIGNING_TRUST_ROOTS = str(test_pki.trust)
    return test_pki


@pytest.fixture
def remote_service(settings, test_pki):
    with FakeSigningService(holder=test_pki.agency, chain=[test_pki.ca], token="s3cret") as fake:
        settings.PDF_SIGNING_BACKEND = "remote"
        settings.PDF_SIGNING_REMOTE_URL = fake.url
        settings.PDF_SIGNING_REMOTE_TOKEN = "s3cret"
        settings.PDF_SIGNING_REMOTE_TIMEOUT = 5
        settings.PDF_SIGNING_TRUST_ROOTS = str(test_pki.trust)
        yield fake


def pyhanko_validate(data: bytes, trust: pki.Issued) -> PdfSignatureStatus:
    """pyHanko's own validator on the last signature, trusting only `trust`."""
    import io

    reader = PdfFileReader(io.BytesIO(data), strict=False)
    embedded = reader.embedded_signatures[-1]
    context = ValidationContext(trust_roots=[_asn1(trust)], allow_fetching=False)
    return validate_pdf_signature(embedded, context)


def _asn1(issued: pki.Issued):
    from asn1crypto import x509

    return x509.Certificate.load(issued.cert_der)


def one_byte_altered(data: bytes) -> bytes:
    """The signed PDF with one byte of its signed content changed (inside the first range)."""
    altered = bytearray(data)
    position = data.index(b"stream") + 20  # a byte of the first content stream
    altered[position] ^= 0x01
    return bytes(altered)
