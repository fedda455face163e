"""The workbench's list and search at a province's scale: a page holding every match is read
without walking the order index, and a wide scope's name search takes the cheaper way to the
same dossiers."""

from __future__ import annotations

import pytest

from dossiers import selectors
from dossiers.models import Dossier
from dossiers.selectors import dossier_list, dossier_page, rows_cheaper_than_index
from tests.dossiers.conftest import online_dossier

pytestmark = pytest.mark.django_db


def newest_first(dossiers):
    return [d.pk for d in sorted(dossiers, key=lambda d: (d.submitted_at, d.pk), reverse=True)]


def test_a_page_holding_every_match_keeps_the_order_and_none_reads_no_page(
    birth_registration, commune, django_assert_num_queries
):
    made = [online_dossier(birth_registration, commune) for _ in range(3)]
    qs = Dossier.objects.filter(pk__in=[d.pk for d in made]).order_by("-submitted_at", "-id")
    page = dossier_page(qs, number=1)
    assert [d.pk for d in page.object_list] == newest_first(made)
    assert all(d.procedure.name for d in page.object_list)  # related rows joined
    assert [d.pk for d in dossier_page(qs, number=2, per_page=2).object_list] == [
        newest_first(made)[-1]
    ]
    with django_assert_num_queries(1):  # the count; no page to read
        page = dossier_page(qs.filter(code="không có"), number=1)
    assert list(page.object_list) == []
    assert page.paginator.count == 0


def test_a_common_name_is_read_row_by_row_and_a_rare_one_through_the_index():
    # At 1,000,000 dossiers: "lo van nguoi 5" (about 50,000 expected, the index gathers
    # every "van … nguoi": 600,000), "van nguoi 123456" (a handful), "tran thi" (the index
    # gathers what matches).
    assert rows_cheaper_than_index(total=1e6, matching=50_000, gathered=600_000)
    assert not rows_cheaper_than_index(total=1e6, matching=5, gathered=5)
    assert not rows_cheaper_than_index(total=1e6, matching=66_000, gathered=66_000)
    assert not rows_cheaper_than_index(total=1e6, matching=5_000, gathered=400_000)


def test_a_wide_scope_finds_the_same_dossiers_either_way(
    birth_registration, commune, leader, monkeypatch
):
    made = online_dossier(birth_registration, commune)
    other = online_dossier(birth_registration, commune)
    Dossier.objects.filter(pk=made.pk).update(search_text="lo thi mai")
    Dossier.objects.filter(pk=other.pk).update(search_text="nguyen van an")
    monkeypatch.setattr(selectors, "NARROW_SCOPE_UNITS", 0)  # the leader's scope is wide
    for row_by_row in (True, False):
        monkeypatch.setattr(selectors, "names_read_row_by_row", lambda search, r=row_by_row: r)
        for text, expected in (("Mai Lò", {made}), ("an", {other}), ("thi", {made})):
            assert set(dossier_list(user=leader, search=text)) == expected


def test_the_decision_needs_no_estimate_for_digits_or_words_the_index_cannot_read():
    assert not selectors.names_read_row_by_row("0912 345")  # a number: never a name
    assert selectors.names_read_row_by_row("Lê An") is (
        selectors.connection.vendor == "postgresql"  # no trigram in "le" or "an"
    )
