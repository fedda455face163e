"""Sums of summary rows over a period, grouped as a report needs (one query each)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from decimal import ROUND_HALF_UP, Decimal
from functools import wraps
from typing import Any, ParamSpec, TypeVar

from django.db import connection, transaction
from django.db.models import Sum

from reports.models import COUNTERS, SummaryRow
from reports.selectors.periods import Period, cover_q

FINISHED = ("resolved_early", "resolved_on_time", "resolved_late")


def period_sums(
    *,
    period: Period,
    unit_ids: Iterable[int],
    group: Iterable[str],
    counters: Iterable[str] = COUNTERS,
    unit_field: str = "unit_id",
) -> list[dict[str, Any]]:
    """One dict per group with the sums of `counters` over exactly `period`, for the units
    as receiving units (unit_field "unit_id") or as handling units ("handling_unit_id")."""
    rows = (
        SummaryRow.objects.filter(cover_q(period), **{f"{unit_field}__in": list(unit_ids)})
        .values(*group)
        .annotate(**{f"s_{c}": Sum(c) for c in counters})
        .order_by()
    )
    result = []
    for row in rows:
        out = {k: v for k, v in row.items() if not k.startswith("s_")}
        out.update({c: int(row[f"s_{c}"] or 0) for c in counters})
        result.append(out)
    return result


def rate_pct(numerator: int, denominator: int) -> float | None:
    """A percentage with one decimal, rounded half up; None when the base is 0."""
    if not denominator:
        return None
    value = (Decimal(numerator) * 100 / Decimal(denominator)).quantize(
        Decimal("0.1"), rounding=ROUND_HALF_UP
    )
    return float(value)


def level_bucket(level: int) -> int:
    """The letter's levels: 1 and 2 both count as level 2 (no online submission)."""
    return max(2, min(4, int(level)))


P = ParamSpec("P")
R = TypeVar("R")


@contextmanager
def jit_off() -> Iterator[None]:
    """Run report queries without PostgreSQL's JIT compiler.

    Their cost estimates (aggregates over summary rows, correlated EXISTS) cross the JIT
    threshold although they run in milliseconds; compiling them took longer than running
    them (docs/BENCHMARKS.md, reports). Elsewhere this is a no-op.
    """
    if connection.vendor != "postgresql":
        yield
        return
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL jit = off")
        yield


def without_jit(fn: Callable[P, R]) -> Callable[P, R]:
    @wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        with jit_off():
            return fn(*args, **kwargs)

    return wrapper
