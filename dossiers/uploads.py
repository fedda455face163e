"""Checking an uploaded file before it joins a dossier (citizens' pages, API and officers).

`upload_validate` answers one question: may this file be stored? It refuses, with a Vietnamese
message meant to be shown next to the file:
- a file over settings.UPLOAD_MAX_BYTES (UploadTooLarge, an HTTP 413 in the API);
- an empty file;
- an extension outside settings.UPLOAD_ALLOWED_EXTENSIONS;
- content that does not match the extension (magic bytes, read with puremagic, plus a look at
  the container: a .docx is a zip holding word/, a .doc an OLE2 file);
- a corrupt file (a zip whose directory does not open, a PDF without its end, an image that
  does not decode);
- an archive (.zip, .docx) that declares a zip bomb's sizes (zip_inspect: the directory's
  sizes and ratios only; nothing is unpacked). .rar and .7z are checked by their signature
  alone: they are stored as sent and never unpacked on the server;
- a name carrying a path ("../x.pdf", "C:\\x.pdf"): browsers send a bare name, so a path means
  a forged request. Such a name is refused rather than guessed at.

Names are otherwise cleaned, not refused: control and invisible characters are dropped,
whitespace is collapsed, and a name over MAX_NAME_LENGTH characters is shortened keeping its
extension. The cleaned name is only ever displayed: files are stored under a random token
(dossiers.models.dossier_file_path), never under a name the client chose.
"""

from __future__ import annotations

import re
import unicodedata
import zipfile
from typing import IO

import puremagic
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from dossiers.services.core import IncomingFile
from portal.exceptions import UploadTooLarge
from procedures.models import ProcedureDocument

MAX_NAME_LENGTH = 150
_HEAD = 8192

CONTENT_TYPES: dict[str, str] = {
    ".pdf": "application/pdf",
    ".doc": "application/msword",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".zip": "application/zip",
    ".rar": "application/vnd.rar",
    ".7z": "application/x-7z-compressed",
}

# The extensions puremagic may report for content that is fine under each of ours. A .docx
# is reported as one of the OOXML family (they share the zip header); a .zip may hold one.
_MAGIC_FAMILY: dict[str, set[str]] = {
    ".pdf": {".pdf"},
    ".doc": {".doc"},
    ".docx": {".docx", ".zip", ".pptx", ".xlsx", ".xlsb", ".xltm", ".jar"},
    ".jpg": {".jpg", ".jpeg", ".jfif", ".jpe"},
    ".jpeg": {".jpg", ".jpeg", ".jfif", ".jpe"},
    ".png": {".png"},
    ".zip": {".zip", ".docx", ".pptx", ".xlsx", ".xlsb", ".xltm", ".jar", ".odt", ".epub"},
    ".rar": {".rar"},
    ".7z": {".7z"},
}
# Signatures we check ourselves as well: puremagic's database is broad, ours is exact.
_SIGNATURES: dict[str, tuple[bytes, ...]] = {
    ".pdf": (b"%PDF-",),
    ".doc": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",),
    ".docx": (b"PK\x03\x04",),
    ".zip": (b"PK\x03\x04",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
    ".png": (b"\x89PNG\r\n\x1a\n",),
    ".rar": (b"Rar!\x1a\x07\x00", b"Rar!\x1a\x07\x01\x00"),
    ".7z": (b"7z\xbc\xaf\x27\x1c",),
}

_INVISIBLE = {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}
_SPACES = re.compile(r"\s+")


def allowed_extensions() -> list[str]:
    return [
        e.lower() if e.startswith(".") else f".{e.lower()}"
        for e in settings.UPLOAD_ALLOWED_EXTENSIONS
    ]


def upload_accept_attribute() -> str:
    """The `accept` attribute of file inputs: the same list the server enforces."""
    return ",".join(allowed_extensions())


def upload_clean_name(raw: str) -> str:
    """A displayable file name, or ValidationError when it carries a path.

    Steps: refuse separators and "..", normalise to NFC (Vietnamese typed on macOS arrives
    decomposed), drop control/invisible characters, collapse whitespace, trim dots and spaces
    at the ends, shorten an over-long stem keeping the extension.
    """
    name = str(raw or "")
    if "/" in name or "\\" in name or name.strip() in {".", ".."} or "\x00" in name:
        raise ValidationError(
            _(
                "Tên tệp “%(name)s” không hợp lệ (chứa đường dẫn thư mục). Vui lòng đổi tên tệp "
                "rồi tải lên lại."
            )
            % {"name": _printable(name)[:80]},
            code="bad_name",
        )
    name = unicodedata.normalize("NFC", name)
    name = "".join(ch for ch in name if unicodedata.category(ch) not in _INVISIBLE)
    name = _SPACES.sub(" ", name).strip()
    stem, dot, ext = name.rpartition(".")
    if not dot:
        stem, ext = name, ""
    stem = stem.strip(" .")  # leading dots would hide the file; trailing ones confuse Windows
    ext = ext.strip().lower()
    if len(stem) > MAX_NAME_LENGTH:
        stem = stem[:MAX_NAME_LENGTH].rstrip(" .")
    if not stem:
        stem = _("tep-dinh-kem")
    return f"{stem}.{ext}" if ext else stem


def _printable(name: str) -> str:
    return "".join(ch for ch in name if unicodedata.category(ch) not in _INVISIBLE)


def upload_validate(
    upload: UploadedFile, *, document: ProcedureDocument | None = None
) -> IncomingFile:
    """Check one uploaded file; return it ready for dossier_file_store, or raise.

    Raises UploadTooLarge over the size limit and ValidationError for every other refusal;
    each message names the file.
    """
    name = upload_clean_name(getattr(upload, "name", "") or "")
    size = upload.size or 0
    shown = name[:80]
    if size > settings.UPLOAD_MAX_BYTES:
        raise UploadTooLarge(
            _(
                "Tệp “%(name)s” (%(size)s) vượt quá dung lượng cho phép %(limit)s. Vui lòng "
                "giảm độ phân giải khi quét hoặc chia thành nhiều tệp."
            )
            % {
                "name": shown,
                "size": filesizeformat(size),
                "limit": filesizeformat(settings.UPLOAD_MAX_BYTES),
            },
            extra={"code": "too_large"},
        )
    if size == 0:
        raise ValidationError(
            _("Tệp “%(name)s” rỗng (0 byte). Vui lòng chọn lại tệp.") % {"name": shown},
            code="empty",
        )
    extension = ("." + name.rsplit(".", 1)[1].lower()) if "." in name else ""
    allowed = allowed_extensions()
    if extension not in allowed:
        raise ValidationError(
            _("Tệp “%(name)s” có định dạng không được chấp nhận. Chỉ nhận các tệp: %(allowed)s.")
            % {"name": shown, "allowed": ", ".join(allowed)},
            code="bad_extension",
        )
    upload.seek(0)
    head = upload.read(_HEAD)
    upload.seek(0)
    if not _content_matches(extension, head):
        raise ValidationError(
            _(
                "Nội dung tệp “%(name)s” không đúng với đuôi %(ext)s (ví dụ ảnh được đổi tên "
                "thành .pdf). Vui lòng lưu lại đúng định dạng rồi tải lên."
            )
            % {"name": shown, "ext": extension},
            code="bad_content",
        )
    try:
        _check_structure(extension, upload, size)
    except _Corrupt as exc:
        raise ValidationError(
            _("Tệp “%(name)s” bị hỏng hoặc không đọc được (%(why)s). Vui lòng kiểm tra lại tệp.")
            % {"name": shown, "why": exc.why},
            code="corrupt",
        ) from None
    finally:
        upload.seek(0)
    return IncomingFile(
        document=document,
        upload=upload,
        name=name,
        extension=extension,
        content_type=CONTENT_TYPES.get(extension, "application/octet-stream"),
    )


def _content_matches(extension: str, head: bytes) -> bool:
    signatures = _SIGNATURES.get(extension)
    if signatures is not None and not head.startswith(signatures):
        return False
    try:
        found = {m.extension.lower() for m in puremagic.magic_string(head)}
    except puremagic.PureError:
        found = set()
    family = _MAGIC_FAMILY.get(extension, {extension})
    return bool(found & family)


class _Corrupt(Exception):
    def __init__(self, why: str) -> None:
        super().__init__(why)
        self.why = why


# Bounds on what checking a file may cost: a small archive or image may declare a huge
# content. An A4 page scanned at 600 dpi is 35 Mpx.
ZIP_MAX_MEMBERS = 10_000
# A member this small may compress at any ratio (a page of blank XML does).
ZIP_RATIO_FLOOR_BYTES = 1024 * 1024
IMAGE_MAX_PIXELS = 60_000_000


def _zip_assert_bounded(upload: IO[bytes]) -> None:
    """Refuse, from the end record alone, an archive whose directory would not fit in memory
    (ZipFile builds one object per member when it opens)."""
    end = zipfile._EndRecData(upload)
    if end is None:
        raise _Corrupt(_("tệp nén không mở được"))
    if end[zipfile._ECD_ENTRIES_TOTAL] > ZIP_MAX_MEMBERS:
        raise _Corrupt(_("tệp nén chứa quá nhiều tệp"))
    upload.seek(0)


def zip_inspect(upload: IO[bytes], size: int) -> list[str]:
    """The member names of a zip (or .docx), judged by what its directory declares, without
    unpacking anything: members that would unpack to more than UPLOAD_ARCHIVE_MAX_RATIO
    times their packed size, or a total over UPLOAD_ARCHIVE_MAX_UNPACKED_BYTES (a zip bomb),
    are refused, and so are packed sizes that add up to more than the file itself. Archives are
    stored as sent and never unpacked on the server."""
    _zip_assert_bounded(upload)
    with zipfile.ZipFile(upload) as archive:
        members = archive.infolist()
    if sum(m.compress_size for m in members) > size:
        raise _Corrupt(_("tệp nén bị lỗi"))
    if sum(m.file_size for m in members) > settings.UPLOAD_ARCHIVE_MAX_UNPACKED_BYTES:
        raise _Corrupt(_("tệp nén giải nén ra quá lớn"))
    for member in members:
        ratio = member.file_size / max(member.compress_size, 1)
        if member.file_size > ZIP_RATIO_FLOOR_BYTES and ratio > settings.UPLOAD_ARCHIVE_MAX_RATIO:
            raise _Corrupt(_("tệp nén có tỉ lệ nén bất thường"))
    return [m.filename for m in members]


def _check_structure(extension: str, upload: IO[bytes], size: int) -> None:
    """Open the container far enough to know the file is whole."""
    if extension in {".zip", ".docx"}:
        upload.seek(0)
        try:
            names = zip_inspect(upload, size)
        except (zipfile.BadZipFile, EOFError, OSError, ValueError):
            raise _Corrupt(_("tệp nén không mở được")) from None
        if extension == ".docx" and not (
            any(n.startswith("word/") for n in names) and "[Content_Types].xml" in names
        ):
            raise _Corrupt(_("không phải văn bản Word .docx"))
    elif extension == ".pdf":
        upload.seek(max(0, size - 2048))
        tail = upload.read(2048)
        if b"%%EOF" not in tail:
            raise _Corrupt(_("tệp PDF không trọn vẹn"))
    elif extension in {".jpg", ".jpeg", ".png"}:
        from PIL import Image

        upload.seek(0)
        try:
            with Image.open(upload) as image:
                if image.width * image.height > IMAGE_MAX_PIXELS:  # before decoding
                    raise _Corrupt(_("ảnh có kích thước điểm ảnh quá lớn"))
                image.load()  # decodes everything: a truncated image fails here
        except _Corrupt:
            raise
        except Exception:
            raise _Corrupt(_("ảnh không mở được")) from None
    elif extension == ".doc" and size < 1536:
        raise _Corrupt(_("tệp Word .doc quá ngắn"))
