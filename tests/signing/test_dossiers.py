"""Results, slips and counter scans signed; the citizen's signed download; the upload check
shown to the officer; the count of dossiers with a signed electronic result."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile

from dossiers.models import Dossier, DossierFile
from dossiers.services import actions
from dossiers.services.core import dossier_create
from dossiers.signatures import dossier_resolve_signed, dossiers_with_signed_result
from dossiers.slips import slip_pdf
from dossiers.uploads import upload_validate
from portal.models import Role
from signing.checks import Status
from signing.signers import SignatureMeta, pdf_sign
from tests.conftest import make_officer
from tests.dossiers.conftest import APPLICANT, incoming
from tests.signing.conftest import one_byte_altered, pyhanko_validate

S = Dossier.Status


@pytest.fixture(autouse=True)
def _settings(settings):
    settings.MOTCUA_CAPTCHA_TEST_MODE = True
    settings.SMS_BACKEND = "outbox"
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def boss(commune):
    return make_officer("boss", commune, Role.ADMIN)


def _processing(procedure, unit, actor) -> tuple[Dossier, str]:
    dossier, key = dossier_create(
        procedure=procedure,
        unit=unit,
        channel="online",
        applicant=APPLICANT,
        files=[incoming(d) for d in procedure.documents.all()],
    )
    dossier = actions.dossier_receive(dossier=dossier, actor=actor)
    return actions.dossier_transfer(dossier=dossier, actor=actor, to_unit=unit), key


def _pdf_file(data: bytes, name: str = "ket-qua.pdf"):
    return upload_validate(SimpleUploadedFile(name, data, content_type="application/pdf"))


@pytest.mark.parametrize("backend", ["pkcs12_signing", "remote_service"])
def test_the_stored_result_validates_and_one_altered_byte_fails(
    request, backend, birth_registration, commune, boss, result_pdf
):
    request.getfixturevalue(backend)
    test_pki = request.getfixturevalue("test_pki")
    dossier, _key = _processing(birth_registration, commune, boss)
    dossier_resolve_signed(
        dossier=dossier, actor=boss, outcome="approved", result_file=_pdf_file(result_pdf)
    )
    row = DossierFile.objects.get(dossier=dossier, kind=DossierFile.Kind.RESULT)
    stored = row.file.read()
    status = pyhanko_validate(stored, test_pki.ca)
    assert status.intact
    assert status.trusted
    assert status.bottom_line
    assert status.signing_cert.dump() == test_pki.agency.cert_der
    assert not pyhanko_validate(one_byte_altered(stored), test_pki.ca).intact
    assert row.signed_at is not None
    assert row.signed_subject.startswith("UBND xã Mường Khoa")
    assert row.signed_by == boss
    assert len(row.signed_fingerprint) == 64
    assert row.signature_status == Status.UNSIGNED  # as it was uploaded
    assert list(dossiers_with_signed_result()) == [Dossier.objects.get(pk=dossier.pk)]


def test_without_a_signer_the_result_is_stored_as_given(
    settings, birth_registration, commune, boss, result_pdf
):
    settings.PDF_SIGNING_BACKEND = ""
    dossier, _key = _processing(birth_registration, commune, boss)
    dossier_resolve_signed(
        dossier=dossier, actor=boss, outcome="approved", result_file=_pdf_file(result_pdf)
    )
    row = DossierFile.objects.get(dossier=dossier, kind=DossierFile.Kind.RESULT)
    assert row.file.read() == result_pdf
    assert row.signed_at is None
    assert not dossiers_with_signed_result().exists()


def test_a_signer_down_leaves_the_dossier_unresolved(
    remote_service, birth_registration, commune, boss, result_pdf
):
    remote_service.mode = "fail"
    dossier, _key = _processing(birth_registration, commune, boss)
    from signing.signers import SigningError

    with pytest.raises(SigningError):
        dossier_resolve_signed(
            dossier=dossier, actor=boss, outcome="approved", result_file=_pdf_file(result_pdf)
        )
    assert Dossier.objects.get(pk=dossier.pk).status == S.PROCESSING


def test_the_officer_resolves_on_the_page_and_sees_who_signed(
    client, pkcs12_signing, birth_registration, commune, boss, result_pdf
):
    dossier, _key = _processing(birth_registration, commune, boss)
    client.force_login(boss)
    response = client.post(
        f"/can-bo/ho-so/{dossier.code}/giai-quyet/",
        {
            "outcome": "approved",
            "result_file": SimpleUploadedFile("qd.pdf", result_pdf, "application/pdf"),
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    page = client.get(f"/can-bo/ho-so/{dossier.code}/").content.decode()
    assert "Đã ký số: UBND xã Mường Khoa" in page


def test_slips_are_signed_when_a_signer_is_configured(
    pkcs12_signing, birth_registration, commune, boss, settings
):
    dossier, _key = _processing(birth_registration, commune, boss)
    receipt = slip_pdf(dossier=dossier, form="receipt")
    status = pyhanko_validate(receipt, pkcs12_signing.ca)
    assert status.bottom_line
    settings.PDF_SIGNING_BACKEND = ""
    assert b"/ByteRange" not in slip_pdf(dossier=dossier, form="receipt")


def test_the_citizen_downloads_the_signed_result_with_the_key_only(
    client, pkcs12_signing, birth_registration, commune, boss, result_pdf
):
    dossier, key = _processing(birth_registration, commune, boss)
    dossier_resolve_signed(
        dossier=dossier, actor=boss, outcome="approved", result_file=_pdf_file(result_pdf)
    )
    row = DossierFile.objects.get(dossier=dossier, kind=DossierFile.Kind.RESULT)
    url = f"/tra-cuu/ho-so/{dossier.code}/ket-qua/{row.pk}/"
    refused = client.get(url)
    assert refused.status_code == 302
    assert "/tra-cuu/" in refused["Location"]
    assert client.post("/tra-cuu/", {"code": dossier.code, "key": key}).status_code == 302
    page = client.get(f"/tra-cuu/ho-so/{dossier.code}/").content.decode()
    assert url in page
    assert "Đã ký số: UBND xã Mường Khoa" in page
    response = client.get(url)
    assert response.status_code == 200
    body = b"".join(response.streaming_content)
    assert pyhanko_validate(body, pkcs12_signing.ca).bottom_line
    # A file of the dossier that is not its result is not served here.
    other = DossierFile.objects.filter(dossier=dossier).exclude(pk=row.pk).first()
    assert client.get(f"/tra-cuu/ho-so/{dossier.code}/ket-qua/{other.pk}/").status_code == 404


def test_the_result_is_not_downloadable_before_the_decision(
    client, birth_registration, commune, boss
):
    dossier, key = _processing(birth_registration, commune, boss)
    actions.dossier_resolve(
        dossier=dossier, actor=boss, outcome="approved", result_file=incoming(name="kq.pdf")
    )
    row = DossierFile.objects.get(dossier=dossier, kind=DossierFile.Kind.RESULT)
    Dossier.objects.filter(pk=dossier.pk).update(status=S.PROCESSING)
    client.post("/tra-cuu/", {"code": dossier.code, "key": key})
    assert client.get(f"/tra-cuu/ho-so/{dossier.code}/ket-qua/{row.pk}/").status_code == 404


def test_uploads_are_checked_valid_tampered_unsigned_and_none_refused(
    client, pkcs12_signing, birth_registration, commune, boss, result_pdf
):
    signed = pdf_sign(result_pdf, meta=SignatureMeta(reason="Bản sao", location="Hà Nội")).data
    documents = list(birth_registration.documents.all())
    uploads = {"valid": signed, "invalid": one_byte_altered(signed), "unsigned": result_pdf}
    files = [
        upload_validate(
            SimpleUploadedFile(f"{name}.pdf", data, "application/pdf"), document=documents[0]
        )
        for name, data in uploads.items()
    ]
    dossier, _key = dossier_create(
        procedure=birth_registration,
        unit=commune,
        channel="online",
        applicant=APPLICANT,
        files=files,
    )
    rows = {f.original_name: f for f in dossier.files.all()}
    assert rows["valid.pdf"].signature_status == Status.VALID
    assert rows["valid.pdf"].signature_last["signer"].startswith("UBND xã Mường Khoa")
    assert rows["invalid.pdf"].signature_status == Status.INVALID
    assert rows["unsigned.pdf"].signature_status == Status.UNSIGNED
    assert all(r.signed_at is None for r in rows.values())  # checked, not signed by us
    client.force_login(boss)
    page = client.get(f"/can-bo/ho-so/{dossier.code}/").content.decode()
    assert "Chữ ký số hợp lệ" in page
    assert "Chữ ký số không hợp lệ" in page
    assert "Không có chữ ký số" in page


def test_the_receiving_officer_signs_a_scan_at_the_counter(
    client, pkcs12_signing, birth_registration, commune, result_pdf
):
    desk = make_officer("desk", commune, Role.DESK)
    documents = list(birth_registration.documents.order_by("order", "id"))
    client.force_login(desk)
    data = {
        "unit": commune.pk,
        "procedure": birth_registration.pk,
        "channel": "counter",
        "applicant_name": "Lò Văn Páo",
        "applicant_id_number": "012345678901",
        "applicant_phone": "0912345678",
        "applicant_address": "Bản Nà Khoa",
        "delivery": "counter",
        "checklist": [str(d.pk) for d in documents],
        f"document_{documents[0].pk}": SimpleUploadedFile(
            "scan.pdf", result_pdf, "application/pdf"
        ),
        f"sign_{documents[0].pk}": "on",
    }
    form_page = client.get(
        "/can-bo/tiep-nhan/", {"unit": commune.pk, "procedure": birth_registration.pk}
    )
    assert f"sign_{documents[0].pk}" in form_page.content.decode()
    response = client.post("/can-bo/tiep-nhan/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    row = DossierFile.objects.get(original_name="scan.pdf")
    assert row.signed_by == desk
    assert row.signed_by_name == "desk"
    assert pyhanko_validate(row.file.read(), pkcs12_signing.ca).bottom_line
    import io

    from pyhanko.pdf_utils.reader import PdfFileReader

    row.file.seek(0)
    sig = PdfFileReader(io.BytesIO(row.file.read())).embedded_signatures[0].sig_object
    assert sig["/Name"] == "desk"
