"""Summary rows under real concurrency (PostgreSQL only: SQLite serialises every writer)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from dossiers.models import Dossier
from reports.models import Grain, SummaryRow
from reports.summaries import summaries_rebuild
from tests.reports.conftest import at, receive, resolve

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks"),
]


def run_in_threads(count: int, work) -> list[object]:
    results: list[object] = [None] * count
    barrier = threading.Barrier(count)

    def runner(index: int) -> None:
        try:
            barrier.wait()
            results[index] = work(index)
        except Exception as exc:  # collected and asserted by the test
            results[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=runner, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


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
    row = SummaryRow.objects.get(grain=Grain.DAY, period="2020-10-06", unit=commune,
                                 channel="counter")
    assert row.resolved_late == 12  # a same-day procedure, decided the next day
    assert summaries_rebuild().ok
