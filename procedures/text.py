"""Vietnamese text helpers."""

import re
import unicodedata

# In Vietnamese spelling a syllable ending in "i" after a consonant may be written with "y"
# and mean the same ("kí"/"ký", "lí"/"lý", "mĩ"/"mỹ", "quí"/"quý"). "y" alone, or after a
# vowel ("tay", "uy"), is a different sound and stays.
_FINAL_Y = re.compile(r"\b([bcdghklmnpqrstvx]h?|qu|gi|ng|ngh|tr)y\b")


def fold(text: str) -> str:
    """Lower-case `text` and strip Vietnamese diacritics ("Đăng ký" -> "dang ky").

    NFD splits a letter from its tone marks; đ/Đ are letters of their own and need mapping.
    """
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return " ".join(stripped.lower().split())


def search_key(text: str) -> str:
    """`fold` with the i/y spellings of one syllable made one ("Đăng ký" -> "dang ki")."""
    return _FINAL_Y.sub(r"\1i", fold(text))
