"""Which dossiers in progress are overdue, and at what moment a report judges it.

A report's balances are taken at its reference time: the end of the period, or now when the
period has not ended yet (then a dossier not yet due is never overdue, although its due day
may fall before the period's last day). A dossier in progress is overdue when its due time is
before the reference time (dossiers.selectors.late_q; while paused, judged when the pause
began).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.db.models import Count
from django.utils import timezone

from dossiers.models import Dossier
from dossiers.selectors import late_q
from reports.models import DossierFact
from reports.selectors.periods import Period, day_start
from reports.selectors.sums import period_sums


def period_open(*, period: Period, now: datetime) -> bool:
    """The period has not ended: its balances are taken now."""
    return period.end_at > now


def reference_time(*, period: Period, now: datetime) -> datetime:
    return min(period.end_at, now)


def _key(row: dict[str, Any], group: Sequence[str]) -> Any:
    return row[group[0]] if len(group) == 1 else tuple(row[g] for g in group)


def overdue_now_counts(
    *,
    unit_ids: set[int],
    now: datetime,
    group: Sequence[str] = ("unit_id",),
    unit_field: str = "unit_id",
) -> dict[Any, int]:
    """Dossiers overdue now (late_q at `now`), counted per `group` (fields that the dossier
    facts and the dossiers both have: unit_id, handling_unit_id, procedure__field_id).

    Those due before today are counted from the open dossiers' facts (a small partial
    index); those due earlier today from the dossiers themselves. The same answer as late_q
    on the whole table, without reading every open dossier. `unit_field` says which unit the
    ids are: the receiving unit (unit_id) or the handling unit (handling_unit_id).
    """
    today = timezone.localtime(now).date()
    counts: dict[Any, int] = {}
    # COUNT(*): the partial index holds all the query needs (an index-only scan).
    earlier = (
        DossierFact.objects.filter(
            **{f"{unit_field}__in": unit_ids}, finished_day__isnull=True, due_day__lt=today
        )
        .values(*group)
        .annotate(n=Count("*"))
        .order_by()
    )
    # A late dossier is due before now (before its pause, if paused): a narrow due_at range.
    due_today = (
        Dossier.objects.filter(
            late_q(at=now),
            **{f"{unit_field}__in": unit_ids},
            due_at__gte=day_start(today),
            due_at__lt=now,
            received_at__isnull=False,
        )
        .values(*group)
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in (*earlier, *due_today):
        key = _key(row, group)
        counts[key] = counts.get(key, 0) + row["n"]
    return counts


def overdue_counts(
    *,
    period: Period,
    unit_ids: set[int],
    now: datetime,
    group: Sequence[str] = ("unit_id",),
    unit_field: str = "unit_id",
) -> dict[Any, int]:
    """Dossiers in progress and overdue at the period's reference time, per `group`.

    A period that has ended reads its summary rows up to its last day (due − due_met −
    resolved_late: what was overdue then stays so, whatever happened later); a period not
    yet ended counts the dossiers overdue now.
    """
    if period_open(period=period, now=now):
        return overdue_now_counts(unit_ids=unit_ids, now=now, group=group, unit_field=unit_field)
    counts: dict[Any, int] = {}
    for item in period_sums(
        period=period.up_to_end,
        unit_ids=unit_ids,
        group=group,
        counters=("due", "due_met", "resolved_late"),
        unit_field=unit_field,
    ):
        key = _key(item, group)
        counts[key] = counts.get(key, 0) + item["due"] - item["due_met"] - item["resolved_late"]
    return counts
