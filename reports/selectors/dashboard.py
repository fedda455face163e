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
from reports.access import unit_tree_map
from reports.models import Grain, SummaryRow
from reports.selectors.ii06a import ii06a_compute
from reports.selectors.periods import Period, month_period, months_back
from reports.selectors.sums import FINISHED, period_sums, rate_pct, without_jit

TREND_MONTHS = 12
LEAST_USING = 5
LATE_LIST = 20


@dataclass
class UnitKpi:
    unit: Unit | None
    name: str
    code: str
    received: int = 0
    received_online: int = 0
    resolved: int = 0
    resolved_on_time: int = 0
    late_now: int = 0
    apologies: int = 0

    @property
    def on_time_rate_pct(self) -> float | None:
        return rate_pct(self.resolved_on_time, self.resolved)

    @property
    def online_rate_pct(self) -> float | None:
        return rate_pct(self.received_online, self.received)


@dataclass
class MonthPoint:
    month: dt.date
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
class Dashboard:
    period: Period
    kpis: list[UnitKpi]
    total: UnitKpi
    trends: list[MonthPoint]
    least_using: list[dict[str, Any]]
    late: list[Dossier]
    late_count: int
    now: datetime
    extra: dict[str, Any] = field(default_factory=dict)


def _trends(*, month: dt.date, unit_ids: set[int]) -> list[MonthPoint]:
    months = months_back(month, TREND_MONTHS)
    points = {m: MonthPoint(m, 0, 0, 0, 0) for m in months}
    rows = (SummaryRow.objects.filter(grain=Grain.MONTH, period__gte=months[0],
                                      period__lte=months[-1], unit_id__in=unit_ids)
            .values("period", "channel")
            .annotate(received=Sum("received"), early=Sum("resolved_early"),
                      on_time=Sum("resolved_on_time"), late=Sum("resolved_late"))
            .order_by())
    for row in rows:
        point = points[row["period"]]
        point.received += row["received"] or 0
        if row["channel"] == Channel.ONLINE:
            point.received_online += row["received"] or 0
        point.resolved += (row["early"] or 0) + (row["on_time"] or 0) + (row["late"] or 0)
        point.resolved_on_time += (row["early"] or 0) + (row["on_time"] or 0)
    return [points[m] for m in months]


@without_jit
def dashboard_compute(*, month: dt.date, units: list[Unit], scope: set[int],
                      now: datetime | None = None) -> Dashboard:
    """Everything on the dashboard, in about ten queries whatever the number of dossiers.

    Steps: the month's II.06a per unit (received, online, resolved, on time) from the
    summary rows; dossiers late now and apologies of the month counted per receiving unit;
    twelve months of trends from the month rows; the units that received least over the
    last three months; the oldest late dossiers to chase.
    """
    now = now or timezone.now()
    period = month_period(month)
    mapping = unit_tree_map(units=units, scope=scope)
    ids = set(mapping)
    report = ii06a_compute(period=period, units=units, scope=scope)
    kpis = []
    for unit, row in zip(units, report.rows, strict=True):
        v = row.values
        kpis.append(UnitKpi(unit=unit, name=unit.name, code=unit.code,
                            received=v["received_online"] + v["received_counter_post"],
                            received_online=v["received_online"],
                            resolved=v["resolved_total"],
                            resolved_on_time=v["resolved_early"] + v["resolved_on_time"]))
    late_rows = (Dossier.objects.filter(late_q(at=now), unit_id__in=ids)
                 .values("unit_id").annotate(n=Count("pk")).order_by())
    for row in late_rows:
        for index in mapping.get(row["unit_id"], []):
            kpis[index].late_now += row["n"]
    apology_rows = (Apology.objects.filter(issued_at__gte=period.start_at,
                                           issued_at__lt=period.end_at, dossier__unit_id__in=ids)
                    .values("dossier__unit_id").annotate(n=Count("pk")).order_by())
    for row in apology_rows:
        for index in mapping.get(row["dossier__unit_id"], []):
            kpis[index].apologies += row["n"]
    total = UnitKpi(unit=None, name="", code="")
    for kpi in kpis:
        for attr in ("received", "received_online", "resolved", "resolved_on_time",
                     "late_now", "apologies"):
            setattr(total, attr, getattr(total, attr) + getattr(kpi, attr))

    window = Period(months_back(month, 3)[0], period.end)
    used: dict[int, dict[str, int]] = {i: {"received": 0, "online": 0}
                                       for i in range(len(units))}
    for item in period_sums(period=window, unit_ids=ids, group=("unit_id", "channel"),
                            counters=("received", *FINISHED)):
        for index in mapping.get(item["unit_id"], []):
            used[index]["received"] += item["received"]
            if item["channel"] == Channel.ONLINE:
                used[index]["online"] += item["received"]
    ranked = sorted(range(len(units)), key=lambda i: (used[i]["received"], units[i].name))
    least = [{"unit": units[i], "received": used[i]["received"],
              "online": used[i]["online"],
              "online_rate_pct": rate_pct(used[i]["online"], used[i]["received"])}
             for i in ranked[:LEAST_USING]]

    late_qs = Dossier.objects.filter(late_q(at=now), unit_id__in=ids)
    late = list(late_qs.select_related("procedure", "unit", "handling_unit", "assigned_to")
                .order_by("due_at", "pk")[:LATE_LIST])
    return Dashboard(period=period, kpis=kpis, total=total,
                     trends=_trends(month=month, unit_ids=ids), least_using=least, late=late,
                     late_count=total.late_now, now=now,
                     extra={"window": window})
