"""The leaders' dashboard: per-unit KPIs, monthly trends, least-using units, late dossiers."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import Count, Sum
from django.utils import timezone

from dossiers.models import Apology, Dossier
from dossiers.selectors import late_q
from procedures.models import Channel, Unit
from reports.access import HANDLING, report_units_default, unit_tree_map
from reports.models import Grain, SummaryRow
from reports.selectors.overdue import (
    overdue_counts,
    overdue_now_counts,
    period_open,
    reference_time,
)
from reports.selectors.periods import Period, month_period, months_back
from reports.selectors.sums import rate_pct, without_jit

TREND_MONTHS = 12
LEAST_USING = 5
LATE_LIST = 20


class _Rates:
    """The two rates of anything counting received/online and resolved/on-time dossiers."""

    received: int
    received_online: int
    resolved: int
    resolved_on_time: int

    @property
    def on_time_rate_pct(self) -> float | None:
        return rate_pct(self.resolved_on_time, self.resolved)

    @property
    def online_rate_pct(self) -> float | None:
        return rate_pct(self.received_online, self.received)


@dataclass
class UnitKpi(_Rates):
    unit: Unit | None
    name: str
    code: str
    received: int = 0
    received_online: int = 0
    resolved: int = 0
    resolved_on_time: int = 0
    overdue: int = 0  # in progress and overdue at the board's reference time
    apologies: int = 0


FIGURES = ("received", "received_online", "resolved", "resolved_on_time", "overdue", "apologies")


@dataclass
class MonthPoint(_Rates):
    month: dt.date
    received: int
    received_online: int
    resolved: int
    resolved_on_time: int


@dataclass
class Dashboard:
    period: Period
    kpis: list[UnitKpi]
    total: UnitKpi
    trends: list[MonthPoint]
    least_using: list[dict[str, Any]]
    late: list[Dossier]
    late_count: int
    now: datetime
    as_of: datetime  # the month's end, or now for the current month
    # The same KPIs for the units that handle the dossiers (departments, commune committees).
    handling: list[UnitKpi] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)


@without_jit
def dashboard_compute(
    *,
    month: dt.date,
    units: list[Unit],
    scope: set[int],
    now: datetime | None = None,
    predecessors: bool = False,
) -> Dashboard:
    """Everything on the dashboard, in a few queries whatever the number of dossiers.

    Steps: one pass over twelve months of month summary rows (per unit and channel) gives
    the trends, the month's received/online/resolved/on-time per receiving unit and per
    handling unit, and the units that received least over the last three months; dossiers
    overdue at the month's end (now, for the current month) and apologies of the month are
    counted per receiving unit and per handling unit (the one that apologised); the oldest
    late dossiers to chase are listed. With `predecessors` every row, receiving and
    handling, also counts the units closed into its units (reports.access.unit_tree_map);
    the receiving rows follow the units picked (report_units_pick marks them).
    """
    now = now or timezone.now()
    period = month_period(month)
    mapping = unit_tree_map(units=units, scope=scope)
    ids = set(mapping)
    handling_units = report_units_default(scope=scope, role=HANDLING, period=period)
    for unit in handling_units:
        unit.report_predecessors = predecessors
    handling_map = unit_tree_map(units=handling_units, scope=scope)
    handling = [UnitKpi(unit=u, name=u.name, code=u.code) for u in handling_units]
    months = months_back(month, TREND_MONTHS)
    recent = set(months[-3:])
    points = {m: MonthPoint(m, 0, 0, 0, 0) for m in months}
    kpis = [UnitKpi(unit=unit, name=unit.name, code=unit.code) for unit in units]
    used: dict[int, dict[str, int]] = {i: {"received": 0, "online": 0} for i in range(len(units))}
    # One pass over twelve months of month rows gives the trends, the month's KPIs and the
    # least-using ranking.
    rows = (
        # The dossiers received in the scope: their handling units lie in it too, and the
        # covering index on (period, unit) answers the query alone.
        SummaryRow.objects.filter(
            grain=Grain.MONTH, period__gte=months[0], period__lte=months[-1], unit_id__in=ids
        )
        .values("period", "unit_id", "handling_unit_id", "channel")
        .annotate(
            received=Sum("received"),
            early=Sum("resolved_early"),
            on_time=Sum("resolved_on_time"),
            late=Sum("resolved_late"),
        )
        .order_by()
    )
    for row in rows:
        received, online = row["received"] or 0, row["channel"] == Channel.ONLINE
        in_time = (row["early"] or 0) + (row["on_time"] or 0)
        resolved = in_time + (row["late"] or 0)
        point = points[row["period"]]
        point.received += received
        point.received_online += received if online else 0
        point.resolved += resolved
        point.resolved_on_time += in_time
        if row["period"] == months[-1]:
            month_kpis = [kpis[i] for i in mapping.get(row["unit_id"], [])]
            month_kpis += [handling[i] for i in handling_map.get(row["handling_unit_id"], [])]
            for kpi in month_kpis:
                kpi.received += received
                kpi.received_online += received if online else 0
                kpi.resolved += resolved
                kpi.resolved_on_time += in_time
        for index in mapping.get(row["unit_id"], []):
            if row["period"] in recent:
                used[index]["received"] += received
                used[index]["online"] += received if online else 0
    for unit_id, n in overdue_counts(period=period, unit_ids=ids, now=now).items():
        for index in mapping.get(unit_id, []):
            kpis[index].overdue += n
    overdue_handling = overdue_counts(
        period=period,
        unit_ids=set(handling_map),
        now=now,
        group=("handling_unit_id",),
        unit_field="handling_unit_id",
    )
    for unit_id, n in overdue_handling.items():
        for index in handling_map.get(unit_id, []):
            handling[index].overdue += n
    apology_rows = (
        Apology.objects.filter(
            issued_at__gte=period.start_at, issued_at__lt=period.end_at, dossier__unit_id__in=ids
        )
        .values("dossier__unit_id", "unit_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in apology_rows:
        for index in mapping.get(row["dossier__unit_id"], []):
            kpis[index].apologies += row["n"]
        for index in handling_map.get(row["unit_id"], []):
            handling[index].apologies += row["n"]
    total = UnitKpi(unit=None, name="", code="")
    for kpi in kpis:
        for attr in FIGURES:
            setattr(total, attr, getattr(total, attr) + getattr(kpi, attr))

    window = Period(months[-3], period.end)
    # Only a unit that still exists at the month's end can be asked to use the system more.
    ranked = sorted(
        (i for i in range(len(units)) if units[i].is_open_on(period.end)),
        key=lambda i: (used[i]["received"], units[i].name),
    )
    least = [
        {
            "unit": units[i],
            "received": used[i]["received"],
            "online": used[i]["online"],
            "online_rate_pct": rate_pct(used[i]["online"], used[i]["received"]),
        }
        for i in ranked[:LEAST_USING]
    ]

    late_qs = Dossier.objects.filter(late_q(at=now), unit_id__in=ids)
    late = list(
        late_qs.select_related("procedure", "unit", "handling_unit", "assigned_to").order_by(
            "due_at", "pk"
        )[:LATE_LIST]
    )
    return Dashboard(
        period=period,
        kpis=kpis,
        total=total,
        trends=[points[m] for m in months],
        least_using=least,
        late=late,
        late_count=(
            total.overdue
            if period_open(period=period, now=now)
            else sum(overdue_now_counts(unit_ids=ids, now=now).values())
        ),
        as_of=reference_time(period=period, now=now),
        handling=handling,
        now=now,
        extra={"window": window},
    )
