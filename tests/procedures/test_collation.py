"""Unit lists in Vietnamese alphabetical order, on PostgreSQL (ICU) and SQLite (Python) alike."""

from __future__ import annotations

import pytest

from procedures.collation import vietnamese_sort_key
from procedures.models import Unit
from procedures.selectors import unit_list

NAMES = [
    "UBND xã Đông Pao",
    "UBND xã Ân Thi",
    "UBND xã Dũng Tiến",
    "UBND xã Anh Sơn",
    "UBND xã Ba Khan",
    "UBND xã Bạ Sơn",
    "UBND xã Bà Nà",
]
ALPHABETICAL = [
    "UBND xã Anh Sơn",
    "UBND xã Ân Thi",
    "UBND xã Ba Khan",
    "UBND xã Bà Nà",
    "UBND xã Bạ Sơn",
    "UBND xã Dũng Tiến",
    "UBND xã Đông Pao",
]


def test_the_sort_key_orders_letters_then_tones():
    assert sorted(NAMES, key=vietnamese_sort_key) == ALPHABETICAL


@pytest.mark.django_db
def test_the_database_orders_unit_lists_the_same_way():
    for n, name in enumerate(NAMES):
        Unit.objects.create(code=f"x{n}", name=name, kind=Unit.Kind.COMMUNE)
    assert [u.name for u in unit_list()] == ALPHABETICAL
