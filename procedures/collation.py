"""Names in Vietnamese alphabetical order (a ă â b c d đ e ê …, then the tones).

Lists order by `vietnamese_order("name")`, a collation called "vietnamese" on every database:
on PostgreSQL an ICU collation (`vi`) made by the migration `procedures/0003`, and on SQLite
`vietnamese_compare`, registered on each new connection (`procedures.apps`).
"""

from __future__ import annotations

import unicodedata

from django.db.models import F
from django.db.models.functions import Collate

COLLATION = "vietnamese"
_ALPHABET = "aăâbcdđeêghiklmnoôơpqrstuưvxy"
_RANK = {letter: n for n, letter in enumerate(_ALPHABET)}
# The dictionaries' tone order: level, huyền, hỏi, ngã, sắc, nặng.
_TONES = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}


def vietnamese_order(field: str) -> Collate:
    return Collate(F(field), COLLATION)


def vietnamese_sort_key(text: str) -> tuple[tuple[tuple[int, int], ...], tuple[int, ...]]:
    """Letters first (with ă, â, đ, ê, ô, ơ, ư as letters of their own), tones second."""
    letters: list[tuple[int, int]] = []
    tones: list[int] = []
    for char in text.lower():
        base, *marks = unicodedata.normalize("NFD", char)
        tone = 0
        for mark in marks:
            if mark in _TONES:
                tone = _TONES[mark]
            else:
                base = unicodedata.normalize("NFC", base + mark)
        if base in _RANK:
            letters.append((1, _RANK[base]))
        else:  # spaces, digits and punctuation before letters, by code point
            letters.append((0, ord(base)))
        tones.append(tone)
    return tuple(letters), tuple(tones)


def vietnamese_compare(a: str, b: str) -> int:
    key_a, key_b = vietnamese_sort_key(a), vietnamese_sort_key(b)
    return (key_a > key_b) - (key_a < key_b)
