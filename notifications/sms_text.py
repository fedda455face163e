"""SMS text: segment counting (GSM-7 versus UCS-2) and the optional removal of diacritics."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

# 3GPP TS 23.038 default alphabet (one septet each) ...
GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
# ... and its extension table, reached through an escape: two septets each.
GSM7_EXTENSION = frozenset("^{}\\[~]|€\f")

GSM7_SINGLE, GSM7_MULTI = 160, 153  # septets; a multipart header (UDH) takes 7
UCS2_SINGLE, UCS2_MULTI = 70, 67  # UTF-16 code units


@dataclass(frozen=True)
class SmsSize:
    encoding: str  # "gsm7" | "ucs2" (SmsMessage.Encoding values)
    units: int  # septets (GSM-7) or UTF-16 code units (UCS-2)
    segments: int


def _pack(sizes: list[int], single: int, multi: int) -> int:
    """Segments needed for characters of the given sizes; a character is never split."""
    total = sum(sizes)
    if total <= single:
        return 1
    segments, used = 1, 0
    for size in sizes:
        if used + size > multi:
            segments += 1
            used = 0
        used += size
    return segments


def sms_size(text: str) -> SmsSize:
    """Encoding and number of segments an operator bills for `text`.

    GSM-7 when every character is in the default alphabet or its extension (which costs two
    septets): 160 septets in one SMS, 153 per part when longer. Otherwise UCS-2: 70 UTF-16
    code units in one SMS, 67 per part (a character outside the BMP takes two). Escapes and
    surrogate pairs are never split across parts, as handsets require.
    """
    if all(ch in GSM7_BASIC or ch in GSM7_EXTENSION for ch in text):
        sizes = [2 if ch in GSM7_EXTENSION else 1 for ch in text]
        return SmsSize("gsm7", sum(sizes), _pack(sizes, GSM7_SINGLE, GSM7_MULTI))
    sizes = [len(ch.encode("utf-16-le")) // 2 for ch in text]
    return SmsSize("ucs2", sum(sizes), _pack(sizes, UCS2_SINGLE, UCS2_MULTI))


# Typography that sneaks into templates pasted from word processors, and its GSM-7 stand-in.
_PLAIN = str.maketrans(
    {
        "đ": "d",
        "Đ": "D",
        "“": '"',
        "”": '"',
        "‘": "'",
        "’": "'",
        "–": "-",
        "—": "-",
        "…": "...",
        "\u00a0": " ",
    }
)


def strip_diacritics(text: str) -> str:
    """Vietnamese without tone and vowel marks, case kept: "Hồ sơ Đã nhận" → "Ho so Da nhan".

    As many Vietnamese brand-name SMS are sent: the text then fits GSM-7 (160 characters per
    SMS instead of 70).
    """
    decomposed = unicodedata.normalize("NFD", text.translate(_PLAIN))
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return unicodedata.normalize("NFC", stripped)
