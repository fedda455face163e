"""Links DVCQG can download a dossier's files from (TaiLieuNop, DanhSachGiayToKetQua).

A link carries the file's id signed with the site's key and a time stamp; it is valid for
DVCQG_FILE_LINK_DAYS days and names no citizen. dvcqg.views.file_download serves it.
"""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.urls import reverse

SALT = "dvcqg.file-link"


def file_token(file_id: int) -> str:
    return signing.TimestampSigner(salt=SALT).sign(str(file_id))


def file_link(file_id: int) -> str:
    return settings.SITE_URL + reverse("dvcqg-file", args=[file_token(file_id)])


def file_id_from(token: str) -> int | None:
    """The file id of a valid, unexpired token; None otherwise."""
    try:
        value = signing.TimestampSigner(salt=SALT).unsign(
            token, max_age=settings.DVCQG_FILE_LINK_DAYS * 86400
        )
    except signing.BadSignature:
        return None
    return int(value) if value.isdigit() else None
