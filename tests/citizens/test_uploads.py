"""dossiers.uploads.upload_validate: what may join a dossier, and the refusals' messages."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from dossiers.uploads import MAX_NAME_LENGTH, upload_clean_name, upload_validate
from portal.exceptions import UploadTooLarge
from tests.citizens.conftest import (
    doc_bytes,
    docx_bytes,
    image_bytes,
    pdf_bytes,
    zip_bytes,
)


def f(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("to-khai.pdf", pdf_bytes(), "application/pdf"),
        ("anh.png", image_bytes("PNG"), "image/png"),
        ("anh.jpg", image_bytes("JPEG"), "image/jpeg"),
        ("ANH.JPEG", image_bytes("JPEG"), "image/jpeg"),
        (
            "don.docx",
            docx_bytes(),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        ("don.doc", doc_bytes(), "application/msword"),
        ("ho-so.zip", zip_bytes({"a.txt": "x"}), "application/zip"),
        ("ho-so.rar", b"Rar!\x1a\x07\x01\x00" + b"\x00" * 64, "application/vnd.rar"),
        ("ho-so.7z", b"7z\xbc\xaf\x27\x1c" + b"\x00" * 64, "application/x-7z-compressed"),
    ],
)
def test_it_accepts_each_allowed_type_with_matching_content(name, content, content_type):
    incoming = upload_validate(f(name, content))
    assert incoming.extension == "." + name.rsplit(".", 1)[1].lower()
    assert incoming.content_type == content_type


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("anh-doi-ten.pdf", image_bytes("PNG")),  # a picture renamed .pdf
        ("van-ban.docx", zip_bytes({"a.txt": "x"})),  # a zip without word/ is not a .docx
        ("van-ban.doc", pdf_bytes()),  # not an OLE2 file
        ("anh.jpg", image_bytes("PNG")),
        ("ho-so.zip", b"MZ\x90\x00" + b"\x00" * 100),  # a Windows program
    ],
)
def test_it_refuses_content_that_does_not_match_the_extension(name, content):
    with pytest.raises(ValidationError) as exc:
        upload_validate(f(name, content))
    assert exc.value.code in {"bad_content", "corrupt"}
    assert name in exc.value.messages[0]


def test_it_refuses_an_extension_outside_the_list():
    with pytest.raises(ValidationError) as exc:
        upload_validate(f("virus.exe", b"MZ" + b"\x00" * 100))
    assert exc.value.code == "bad_extension"
    assert ".pdf" in exc.value.messages[0]


def test_it_refuses_a_file_without_extension():
    with pytest.raises(ValidationError) as exc:
        upload_validate(f("to-khai", pdf_bytes()))
    assert exc.value.code == "bad_extension"


def test_it_refuses_an_empty_file():
    with pytest.raises(ValidationError) as exc:
        upload_validate(f("rong.pdf", b""))
    assert exc.value.code == "empty"
    assert "rỗng" in exc.value.messages[0]


def test_it_refuses_a_file_over_the_limit_with_upload_too_large(settings):
    settings.UPLOAD_MAX_BYTES = 100
    with pytest.raises(UploadTooLarge) as exc:
        upload_validate(f("lon.pdf", pdf_bytes() + b"%" * 200))
    assert exc.value.status_code == 413
    assert "vượt quá dung lượng" in str(exc.value.message)


def test_a_file_at_the_limit_passes(settings):
    content = pdf_bytes()
    settings.UPLOAD_MAX_BYTES = len(content)
    assert upload_validate(f("vua.pdf", content)).name == "vua.pdf"


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("cut.pdf", pdf_bytes()[:-7]),  # lost its %%EOF
        ("hong.zip", zip_bytes({"a.txt": "x" * 100})[:-30]),
        ("cut.png", image_bytes("PNG")[:40]),
        ("cut.jpg", image_bytes("JPEG")[:60]),
        ("ngan.doc", doc_bytes()[:600]),
    ],
)
def test_it_refuses_corrupt_files(name, content):
    with pytest.raises(ValidationError) as exc:
        upload_validate(f(name, content))
    assert exc.value.code in {"corrupt", "bad_content"}


@pytest.mark.parametrize(
    "name",
    ["../../etc/passwd.pdf", "..\\..\\boot.pdf", "C:\\Users\\an\\to-khai.pdf", "/var/x.pdf", ".."],
)
def test_it_refuses_a_name_carrying_a_path(name):
    with pytest.raises(ValidationError) as exc:
        upload_clean_name(name)
    assert exc.value.code == "bad_name"


def test_upload_with_a_path_name_is_refused():
    upload = f("x.pdf", pdf_bytes())
    # Django's multipart parser and UploadedFile.name already keep only the base name; a
    # caller building uploads itself could still pass a path: refused here too.
    upload._name = "../../x.pdf"
    with pytest.raises(ValidationError) as exc:
        upload_validate(upload)
    assert exc.value.code == "bad_name"


def test_an_over_long_name_is_shortened_keeping_its_extension():
    cleaned = upload_clean_name("a" * 400 + ".PDF")
    assert cleaned == "a" * MAX_NAME_LENGTH + ".pdf"


def test_control_and_invisible_characters_are_dropped_and_vietnamese_kept():
    decomposed = "To\u0302\u0300 khai\u200b\x07  sinh\t.pdf"  # "Tồ" typed on a Mac
    assert upload_clean_name(decomposed) == "Tồ khai sinh.pdf"


def test_a_name_of_only_dots_and_spaces_gets_a_neutral_name():
    assert upload_clean_name(" . .pdf") == "tep-dinh-kem.pdf"


def test_the_validated_upload_is_rewound_for_storage():
    incoming = upload_validate(f("to-khai.pdf", pdf_bytes()))
    assert incoming.upload.read(5) == b"%PDF-"
