"""Validators of free text shared by the pages and the API."""

from __future__ import annotations

import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# Control characters (Cc: line breaks, tabs, NUL), invisible formatting (Cf: bidi overrides and
# isolates, zero-width characters), surrogates, private use and unassigned code points (Cs, Co,
# Cn), and the line and paragraph separators (Zl, Zp).
_REFUSED = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})


def validate_single_line(value: str) -> None:
    """A name or an address is one visible line: what is typed is what a slip prints.

    A line break could print a line of its own (a fake "Mã tra cứu" on a slip), and a bidi
    override reorders what follows it on screen and on paper.
    """
    if any(unicodedata.category(ch) in _REFUSED for ch in str(value)):
        raise ValidationError(
            _("Chỉ nhập chữ trên một dòng, không có ký tự điều khiển hay ký tự ẩn."),
            code="invisible_characters",
        )
