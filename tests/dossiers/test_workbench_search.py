"""The workbench's list and search at a province's scale: a page holding every match is read
without walking the order index."""

from __future__ import annotations

import pytest

from dossiers.models import Dossier
from dossiers.selectors import dossier_page
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
