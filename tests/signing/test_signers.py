"""The two backends sign PDFs that pyHanko's validator accepts; the check of signed uploads."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from signing import pki
from signing.checks import Status, pdf_signature_check
from signing.signers import SignatureMeta, SigningError, pdf_sign, signer_get
from tests.signing.conftest import one_byte_altered, pyhanko_validate

META = SignatureMeta(reason="Kết quả giải quyết hồ sơ", location="UBND xã Mường Khoa")


def test_signing_is_off_without_a_backend(settings, result_pdf):
    settings.PDF_SIGNING_BACKEND = ""
    assert signer_get() is None
    assert pdf_sign(result_pdf, meta=META) is None


@pytest.mark.parametrize("backend", ["pkcs12_signing", "remote_service"])
def test_a_signed_pdf_validates_and_one_altered_byte_fails(request, backend, result_pdf):
    request.getfixturevalue(backend)
    test_pki = request.getfixturevalue("test_pki")
    signed = pdf_sign(result_pdf, meta=META)
    status = pyhanko_validate(signed.data, test_pki.ca)
    assert status.intact
    assert status.valid
    assert status.trusted
    assert status.bottom_line
    assert status.signing_cert.dump() == test_pki.agency.cert_der
    assert signed.subject.startswith("UBND xã Mường Khoa")
    assert signed.fingerprint == pki_fingerprint(test_pki.agency)
    altered = pyhanko_validate(one_byte_altered(signed.data), test_pki.ca)
    assert not altered.intact
    assert not altered.bottom_line


def pki_fingerprint(issued: pki.Issued) -> str:
    import hashlib

    return hashlib.sha256(issued.cert_der).hexdigest()


def test_the_signature_carries_its_reason_and_location_in_vietnamese(pkcs12_signing, result_pdf):
    import io

    from pyhanko.pdf_utils.reader import PdfFileReader

    signed = pdf_sign(result_pdf, meta=META)
    sig = PdfFileReader(io.BytesIO(signed.data)).embedded_signatures[0].sig_object
    assert sig["/Reason"] == "Kết quả giải quyết hồ sơ"
    assert sig["/Location"] == "UBND xã Mường Khoa"
    assert sig["/SubFilter"] == "/ETSI.CAdES.detached"


def test_the_remote_service_receives_the_digest_and_nothing_else(remote_service, result_pdf):
    pdf_sign(result_pdf, meta=META)
    assert len(remote_service.calls) == 1
    assert remote_service.calls[0].algorithm == "sha256"
    assert len(remote_service.calls[0].digest) == 32


def test_a_remote_service_down_raises_a_clear_error(remote_service, result_pdf):
    remote_service.mode = "fail"
    with pytest.raises(SigningError, match="Dịch vụ ký số"):
        pdf_sign(result_pdf, meta=META)


def test_a_signature_over_another_digest_is_refused(remote_service, result_pdf):
    remote_service.mode = "wrong-digest"
    with pytest.raises(SigningError, match="không khớp"):
        pdf_sign(result_pdf, meta=META)


def test_a_wrong_token_is_refused(settings, remote_service, result_pdf):
    settings.PDF_SIGNING_REMOTE_TOKEN = "wrong"
    with pytest.raises(SigningError):
        pdf_sign(result_pdf, meta=META)


def test_a_bad_pkcs12_passphrase_is_a_configuration_error(pkcs12_signing, settings, result_pdf):
    settings.PDF_SIGNING_PKCS12_PASSPHRASE = "not it"
    with pytest.raises(ImproperlyConfigured, match="PDF_SIGNING_PKCS12_PATH"):
        pdf_sign(result_pdf, meta=META)


def test_a_pdf_that_is_not_readable_is_not_signed(pkcs12_signing):
    with pytest.raises(SigningError, match="PDF"):
        pdf_sign(b"%PDF-1.4 not really a pdf", meta=META)


# --- The check of signed uploads -----------------------------------------------------------


def test_the_check_tells_valid_tampered_and_unsigned(pkcs12_signing, result_pdf):
    signed = pdf_sign(result_pdf, meta=META).data
    valid = pdf_signature_check(signed)
    assert valid.status == Status.VALID
    assert valid.last.signer.startswith("UBND xã Mường Khoa")
    assert valid.last.intact
    assert valid.last.trusted
    assert valid.last.untouched
    assert valid.last.signed_at is not None
    tampered = pdf_signature_check(one_byte_altered(signed))
    assert tampered.status == Status.INVALID
    assert pdf_signature_check(result_pdf).status == Status.UNSIGNED


def test_an_intact_signature_outside_the_trust_roots_is_untrusted(
    pkcs12_signing, settings, tmp_path, result_pdf
):
    signed = pdf_sign(result_pdf, meta=META).data
    other = pki.ca_make(common_name="Another CA", organisation="Elsewhere")
    (tmp_path / "other.pem").write_bytes(other.cert_pem)
    settings.PDF_SIGNING_TRUST_ROOTS = str(tmp_path)
    check = pdf_signature_check(signed)
    assert check.status == Status.UNTRUSTED
    assert check.last.intact
    assert not check.last.trusted
    settings.PDF_SIGNING_TRUST_ROOTS = ""
    assert pdf_signature_check(signed).status == Status.UNTRUSTED


def test_content_added_after_the_signature_is_reported(pkcs12_signing, result_pdf):
    """An incremental update after signing (a page's text changed) is not "untouched"."""
    import io

    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    signed = pdf_sign(result_pdf, meta=META).data
    writer = IncrementalPdfFileWriter(io.BytesIO(signed))
    page = writer.root["/Pages"]["/Kids"][0].get_object()
    stream = generic.StreamObject(stream_data=b"BT /F1 24 Tf 72 72 Td (Sua doi) Tj ET")
    page["/Contents"] = writer.add_object(stream)
    writer.update_container(page)
    out = io.BytesIO()
    writer.write(out)
    check = pdf_signature_check(out.getvalue())
    assert check.status == Status.INVALID
    assert check.last.intact
    assert not check.last.untouched


def test_two_signatures_both_checked(pkcs12_signing, result_pdf):
    once = pdf_sign(result_pdf, meta=META).data
    twice = pdf_sign(once, meta=SignatureMeta(reason="Ký lần hai", location="Lai Châu")).data
    check = pdf_signature_check(twice)
    assert check.status == Status.VALID
    assert len(check.signatures) == 2
