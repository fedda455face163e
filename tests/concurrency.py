"""Run work in real threads, each on its own database connection (PostgreSQL row locks)."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from django.db import connection, connections

# The marks of a module of such tests: SQLite serialises every writer, so they need PostgreSQL.
POSTGRES_ONLY = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks"),
]


def run_in_threads(count: int, work: Callable[[int], object]) -> list[object]:
    """Start `count` threads together (behind a barrier), each calling `work(index)`.

    Returns what each call returned, or the exception it raised, in index order; every
    thread closes its connections when done."""
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
