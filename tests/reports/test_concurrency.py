"""Summary rows under real concurrency (PostgreSQL only: SQLite serialises every writer)."""

from __future__ import annotations

import pytest

from dossiers.models import Dossier
from reports.models import Grain, SummaryRow
from reports.summary_rebuild import summaries_rebuild
from tests.concurrency import POSTGRES_ONLY, run_in_threads
from tests.reports.conftest import at, receive, resolve

pytestmark = POSTGRES_ONLY


@pytest.mark.django_db(transaction=True)
def test_concurrent_moves_in_one_unit_lose_no_count(commune, birth_registration):
    """Twelve dossiers of the same unit, procedure and day resolved at the same instant, on a
    day without a summary row yet, all add to the one row they create together; a concurrent
    rebuild neither loses nor doubles them."""
    dossiers = [receive(birth_registration, commune, at("2020-10-05", 8)) for _ in range(12)]

    def work(index: int):
        if index == 12:
            return summaries_rebuild(unit_ids=[commune.pk])
        return resolve(Dossier.objects.get(pk=dossiers[index].pk), at("2020-10-06", 10))

    results = run_in_threads(13, work)
    assert not [r for r in results if isinstance(r, Exception)], results
    row = SummaryRow.objects.get(
        grain=Grain.DAY, period="2020-10-06", unit=commune, channel="counter"
    )
    assert row.resolved_late == 12  # a same-day procedure, decided the next day
    assert summaries_rebuild().ok
