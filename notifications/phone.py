"""Vietnamese mobile numbers in E.164 (+84...): the one normaliser everyone imports."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# Separators people type between digit groups: "+84 912.345-678", "(091) 234 5678".
_SEPARATORS = re.compile(r"[\s.\-()/]")
# Since the 2018 renumbering, mobile numbers are 0 + 9 digits starting 3, 5, 7, 8 or 9.
_MOBILE = re.compile(r"[35789]\d{8}")


def phone_normalise(raw: str) -> str:
    """Return a Vietnamese mobile number as E.164, e.g. "0912 345 678" → "+84912345678".

    Accepts the national form (0912345678), the international one with or without "+" or "00"
    (84912345678, +84 912 345 678, 0084912345678), with spaces, dots, dashes or brackets.
    Raises ValidationError (Vietnamese message) for anything else, landlines included: they
    cannot receive SMS.
    """
    digits = _SEPARATORS.sub("", str(raw or ""))
    if digits.startswith("+84"):
        national = digits[3:]
    elif digits.startswith("0084"):
        national = digits[4:]
    elif digits.startswith("84") and len(digits) == 11:
        national = digits[2:]
    elif digits.startswith("0"):
        national = digits[1:]
    else:
        national = ""
    if not _MOBILE.fullmatch(national):
        raise ValidationError(
            _(
                "Số điện thoại di động không hợp lệ. Vui lòng nhập số di động Việt Nam gồm "
                "10 chữ số, ví dụ 0912 345 678."
            ),
            code="invalid_phone",
        )
    return f"+84{national}"


def phone_display(e164: str) -> str:
    """ "+84912345678" → "0912 345 678" (for pages and slips)."""
    if e164.startswith("+84") and len(e164) == 12:
        national = "0" + e164[3:]
        return f"{national[:4]} {national[4:7]} {national[7:]}"
    return e164
