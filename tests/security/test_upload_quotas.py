"""Uploads cannot fill the disk or burn the CPU: archives are judged by the sizes their
directory declares (never unpacked), drafts and clients have quotas, starting drafts is
throttled, and unfinished drafts go after a week."""

from __future__ import annotations

import io
import zipfile
import zlib
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from citizens.models import Draft, DraftFile
from citizens.services import draft_purge
from dossiers import uploads
from dossiers.models import Dossier
from tests.citizens.conftest import upload
from tests.citizens.test_api import SUBMIT, payload

pytestmark = pytest.mark.django_db

MEMBER_BYTES = 10 * 1024 * 1024


def _bomb(names: list[str]) -> bytes:
    """A zip whose members each unpack to 10 MB of zeros, built from one compressed copy so
    that making it costs no more than checking it should."""
    packed = zlib.compressobj(9, zlib.DEFLATED, -15)
    data = packed.compress(b"\0" * MEMBER_BYTES) + packed.flush()
    crc = zlib.crc32(b"\0" * MEMBER_BYTES)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name in names:
            info = zipfile.ZipInfo(name, date_time=(2020, 10, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.file_size, info.compress_size, info.CRC = MEMBER_BYTES, len(data), crc
            info.header_offset = out.tell()
            out.write(info.FileHeader())
            out.write(data)
            archive.filelist.append(info)
            archive.NameToInfo[name] = info
            archive.start_dir = out.tell()
    return out.getvalue()


@pytest.fixture
def no_unpacking(monkeypatch):
    """Fails the test if any member of any archive is read."""
    real_open = zipfile.ZipFile.open

    def refuse(archive, name, mode="r", *args, **kwargs):
        if mode == "r":
            raise AssertionError("an archive member was unpacked")
        return real_open(archive, name, mode, *args, **kwargs)

    monkeypatch.setattr(zipfile.ZipFile, "open", refuse)
    monkeypatch.setattr(zipfile.ZipFile, "testzip", refuse)


@pytest.mark.parametrize(
    ("name", "members"),
    [
        ("bom.zip", [f"zeros-{i}.bin" for i in range(100)]),
        (
            "bom.docx",
            ["[Content_Types].xml", *(f"word/media/image{i}.bin" for i in range(99))],
        ),
    ],
)
def test_a_one_megabyte_zip_bomb_is_refused_without_unpacking(no_unpacking, name, members):
    bomb = _bomb(members)
    assert 900_000 < len(bomb) < 1_200_000  # about 1 MB that declares about 1 GB
    with pytest.raises(ValidationError, match="tỉ lệ nén bất thường"):
        uploads.upload_validate(SimpleUploadedFile(name, bomb))


def test_an_archive_declaring_more_than_the_total_limit_is_refused(no_unpacking, settings):
    settings.UPLOAD_ARCHIVE_MAX_RATIO = 10**6
    settings.UPLOAD_ARCHIVE_MAX_UNPACKED_BYTES = 50 * 1024 * 1024
    with pytest.raises(ValidationError, match="quá lớn"):
        uploads.upload_validate(
            SimpleUploadedFile("bom.zip", _bomb(["a", "b", "c", "d", "e", "f"]))
        )


def test_an_ordinary_archive_and_docx_pass_without_unpacking(no_unpacking):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>" * 50)
        archive.writestr("word/document.xml", "<w:p>Tờ khai</w:p>" * 2000)
    for name in ("to-khai.docx", "ho-so.zip"):
        assert uploads.upload_validate(SimpleUploadedFile(name, out.getvalue())).name == name


# --- Quotas and throttles of the wizard and the API ---------------------------------------


def _to_documents(wizard, commune):
    wizard.start()
    wizard.unit(commune.code)
    wizard.applicant()


def test_a_draft_holds_a_bounded_number_of_files(wizard, commune, settings):
    settings.UPLOAD_DRAFT_MAX_FILES = 3
    _to_documents(wizard, commune)
    doc = wizard.procedure.documents.order_by("order").first()
    wizard.documents({doc.pk: [upload("a.pdf"), upload("b.pdf")]}, action="upload")
    response = wizard.documents({doc.pk: [upload("c.pdf"), upload("d.pdf")]}, action="upload")
    assert response.status_code == 200
    assert "tối đa 3 tệp" in response.content.decode()
    assert DraftFile.objects.filter(draft__token=wizard.token).count() == 2


def test_a_draft_holds_a_bounded_number_of_bytes(wizard, commune, settings):
    one = upload("a.pdf").size
    settings.UPLOAD_DRAFT_MAX_BYTES = one * 2
    _to_documents(wizard, commune)
    doc = wizard.procedure.documents.order_by("order").first()
    wizard.documents({doc.pk: [upload("a.pdf"), upload("b.pdf")]}, action="upload")
    response = wizard.documents({doc.pk: [upload("c.pdf")]}, action="upload")
    assert "Tổng dung lượng" in response.content.decode()
    assert DraftFile.objects.filter(draft__token=wizard.token).count() == 2


def test_a_client_uploading_past_its_day_gets_429_before_any_check(
    wizard, commune, settings, monkeypatch
):
    settings.UPLOAD_CLIENT_MAX_FILES = 2
    _to_documents(wizard, commune)
    doc = wizard.procedure.documents.order_by("order").first()
    wizard.documents({doc.pk: [upload("a.pdf"), upload("b.pdf")]}, action="upload")
    checked = []
    monkeypatch.setattr(
        "citizens.views.wizard.upload_validate", lambda *a, **k: checked.append(a) or None
    )
    response = wizard.documents({doc.pk: [upload("c.pdf")]}, action="upload")
    assert response.status_code == 429
    assert checked == []
    assert DraftFile.objects.filter(draft__token=wizard.token).count() == 2


def test_the_api_counts_the_same_client_quota(client, birth_registration, commune, settings):
    settings.MOTCUA_CAPTCHA_TEST_MODE = True
    settings.UPLOAD_CLIENT_MAX_FILES = birth_registration.documents.count()
    first = client.post(SUBMIT, payload(birth_registration, commune))
    assert first.status_code == 201, first.json()
    again = client.post(SUBMIT, payload(birth_registration, commune))
    assert again.status_code == 429
    assert again.json()["detail"]
    assert Dossier.objects.count() == 1


def test_starting_drafts_is_throttled_per_client(client, birth_registration, settings):
    rates = dict(settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], draft="3/hour")
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
    url = reverse("citizen-start", args=[birth_registration.code])
    statuses = [client.post(url).status_code for _ in range(4)]
    assert statuses == [302, 302, 302, 429]
    assert Draft.objects.count() == 3


def test_unfinished_drafts_go_after_a_week(wizard, commune, settings):
    from portal.celery import app

    assert settings.DRAFT_LIFETIME_DAYS == 7
    wizard.start()
    draft = Draft.objects.get(token=wizard.token)
    Draft.objects.filter(pk=draft.pk).update(updated_at=timezone.now() - timedelta(days=6))
    assert draft_purge() == 0
    Draft.objects.filter(pk=draft.pk).update(updated_at=timezone.now() - timedelta(days=8))
    assert draft_purge() == 1
    assert not Draft.objects.filter(pk=draft.pk).exists()
    scheduled = {entry["task"] for entry in app.conf.beat_schedule.values()}
    assert "citizens.tasks.draft_purge" in scheduled
