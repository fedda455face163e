"""Uploads cannot exhaust disk or memory: the request size is refused before its body is
read, large files stream to temporary files, archives are stored as they came (never
unpacked) and checking an archive or an image is bounded whatever its header declares."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import (
    InMemoryUploadedFile,
    SimpleUploadedFile,
    TemporaryUploadedFile,
)
from django.http.multipartparser import MultiPartParser
from django.test.client import BOUNDARY, MULTIPART_CONTENT, FakePayload, encode_multipart

from dossiers import uploads
from dossiers.models import Dossier, DossierFile
from portal.exceptions import UploadTooLarge
from tests.citizens.test_api import payload

pytestmark = pytest.mark.django_db


class _Unreadable(FakePayload):
    """A request body that fails the test if anyone reads it."""

    def read(self, *args, **kwargs):  # pragma: no cover - must never run
        raise AssertionError("the body was read")


def test_a_declared_length_over_the_limit_is_refused_before_reading(client, settings):
    settings.REQUEST_MAX_BYTES = 1024 * 1024
    response = client.generic(
        "POST",
        "/api/v1/dossiers/",
        b"",
        MULTIPART_CONTENT,
        CONTENT_LENGTH=str(1024 * 1024 + 1),
        **{"wsgi.input": _Unreadable(b"")},
    )
    assert response.status_code == 413
    assert "quá lớn" in response.json()["detail"]


def test_pages_are_bounded_too(client, settings):
    settings.REQUEST_MAX_BYTES = 1024
    response = client.generic(
        "POST",
        "/tra-cuu/",
        b"",
        "application/x-www-form-urlencoded",
        CONTENT_LENGTH="5000",
        **{"wsgi.input": _Unreadable(b"")},
    )
    assert response.status_code == 413


def _parse(body_files: dict[str, bytes]):
    data = encode_multipart(
        BOUNDARY,
        {name: SimpleUploadedFile(name + ".pdf", content) for name, content in body_files.items()},
    )
    meta = {"CONTENT_TYPE": MULTIPART_CONTENT, "CONTENT_LENGTH": str(len(data))}
    from django.core.files.uploadhandler import load_handler
    from django.test import RequestFactory

    request = RequestFactory().post("/")
    handlers = [
        load_handler(h, request)
        for h in [
            "django.core.files.uploadhandler.MemoryFileUploadHandler",
            "django.core.files.uploadhandler.TemporaryFileUploadHandler",
        ]
    ]
    return MultiPartParser(meta, io.BytesIO(data), handlers).parse()[1]


def test_a_file_over_the_memory_threshold_streams_to_a_temporary_file(settings):
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 64 * 1024
    assert isinstance(_parse({"small": b"x" * 1000})["small"], InMemoryUploadedFile)
    files = _parse({"big": b"y" * (64 * 1024 + 1)})
    assert isinstance(files["big"], TemporaryUploadedFile)
    assert Path(files["big"].temporary_file_path()).stat().st_size == 64 * 1024 + 1


def test_the_production_thresholds_keep_memory_small():
    from django.conf import settings

    assert settings.FILE_UPLOAD_MAX_MEMORY_SIZE <= 5 * 1024 * 1024
    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE <= 5 * 1024 * 1024
    assert settings.REQUEST_MAX_BYTES <= 256 * 1024 * 1024
    assert (
        "django.core.files.uploadhandler.TemporaryFileUploadHandler"
        in settings.FILE_UPLOAD_HANDLERS
    )


def test_a_file_over_the_per_file_limit_is_413_in_the_api(
    client, settings, birth_registration, commune
):
    settings.MOTCUA_CAPTCHA_TEST_MODE = True
    settings.UPLOAD_MAX_BYTES = 10_000
    doc = birth_registration.documents.first()
    big = b"%PDF-1.4\n" + b"0" * 20_000 + b"\n%%EOF\n"
    data = payload(
        birth_registration, commune, **{f"document_{doc.pk}": [SimpleUploadedFile("to.pdf", big)]}
    )
    response = client.post("/api/v1/dossiers/", data)
    assert response.status_code == 413
    assert not Dossier.objects.exists()


def _zip(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return out.getvalue()


def test_an_archive_is_stored_as_it_came_and_never_unpacked(
    client, settings, birth_registration, commune
):
    settings.MOTCUA_CAPTCHA_TEST_MODE = True
    archive = _zip({"a.txt": b"a" * 1000, "sub/b.txt": b"b" * 1000, "../evil.txt": b"x"})
    doc = birth_registration.documents.first()
    data = payload(
        birth_registration,
        commune,
        **{f"document_{doc.pk}": [SimpleUploadedFile("ho-so.zip", archive)]},
    )
    response = client.post("/api/v1/dossiers/", data)
    assert response.status_code == 201, response.json()
    stored = DossierFile.objects.get(original_name="ho-so.zip")
    assert stored.file.read() == archive
    media = Path(settings.MEDIA_ROOT)
    names = {p.name for p in media.rglob("*") if p.is_file()}
    assert not names & {"a.txt", "b.txt", "evil.txt"}
    assert not (media.parent / "evil.txt").exists()


def test_an_archive_with_too_many_members_is_refused_before_it_is_opened(monkeypatch):
    monkeypatch.setattr(uploads, "ZIP_MAX_MEMBERS", 50)
    archive = _zip({f"{i}.txt": b"" for i in range(51)})
    opened = []
    real = zipfile.ZipFile
    monkeypatch.setattr(
        uploads.zipfile, "ZipFile", lambda *a, **k: opened.append(1) or real(*a, **k)
    )
    with pytest.raises(ValidationError, match="quá nhiều tệp"):
        uploads.upload_validate(SimpleUploadedFile("nhieu.zip", archive))
    assert opened == []


def test_an_archive_declaring_too_much_content_is_refused_unchecked(settings):
    settings.UPLOAD_ARCHIVE_MAX_UNPACKED_BYTES = 1024 * 1024
    settings.UPLOAD_ARCHIVE_MAX_RATIO = 10**6
    bomb = _zip({"zeros.bin": b"\0" * (2 * 1024 * 1024)})
    assert len(bomb) < 10_000  # a small file...
    with pytest.raises(ValidationError, match="quá lớn"):
        uploads.upload_validate(SimpleUploadedFile("bom.zip", bomb))


@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")
def test_an_image_declaring_a_huge_size_is_refused_without_decoding():
    from PIL import Image

    out = io.BytesIO()
    Image.new("1", (10_000, 10_000)).save(out, format="PNG")  # 100 Mpx in a few KB
    assert out.tell() < 200_000
    with pytest.raises(ValidationError, match="quá lớn"):
        uploads.upload_validate(SimpleUploadedFile("anh.png", out.getvalue()))


def test_an_ordinary_scan_still_passes():
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (2480, 3508), (255, 255, 255)).save(out, format="JPEG")  # A4, 300 dpi
    incoming = uploads.upload_validate(SimpleUploadedFile("scan.jpg", out.getvalue()))
    assert incoming.extension == ".jpg"


def test_the_per_file_limit_raises_upload_too_large(settings):
    settings.UPLOAD_MAX_BYTES = 10
    with pytest.raises(UploadTooLarge):
        uploads.upload_validate(SimpleUploadedFile("a.pdf", b"%PDF-1.4 0123456789 %%EOF"))


def test_a_nul_in_a_submitted_procedure_code_is_a_400_not_a_server_error(client):
    response = client.post("/api/v1/dossiers/", {"procedure": "1.00\x001193", "unit": "x"})
    assert response.status_code == 400
