"""The letter's appendix (Công văn 1980/UBND-VP, phụ lục) for any period and set of units."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count
from django.utils.translation import gettext as _

from procedures.models import Channel, Procedure, Unit
from procedures.selectors import in_force, unit_descendant_ids
from reports.access import RECEIVING, UNIT_FIELDS, district_of, unit_tree_map
from reports.selectors.periods import Period
from reports.selectors.sums import FINISHED, level_bucket, period_sums, rate_pct, without_jit

# The columns, named as in the header of the letter's table as data
# (reports/data/appendix-tan-uyen-2020-10.csv), in its order.
COLUMNS: tuple[str, ...] = (
    "received_total",
    "procedures_total",
    "l2_received",
    "l2_procedures",
    "l3_received_direct",
    "l3_received_online",
    "l3_procedures",
    "l4_received_direct",
    "l4_received_online",
    "l4_procedures",
    "backlog",
    "received_one_stop",
    "received_online",
    "resolved_l2",
    "resolved_l3",
    "resolved_l4",
    "unresolved",
    "resolution_rate_pct",
)
PROCEDURE_COLUMNS: tuple[str, ...] = (
    "procedures_total",
    "l2_procedures",
    "l3_procedures",
    "l4_procedures",
)
# Counts of dossiers: the total row is their sum.
ADDITIVE: tuple[str, ...] = tuple(
    c for c in COLUMNS if c not in PROCEDURE_COLUMNS and c != "resolution_rate_pct"
)


@dataclass
class AppendixRow:
    stt: int | None
    unit_code: str
    unit_name: str
    values: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "stt": self.stt,
            "unit_code": self.unit_code,
            "unit_name": self.unit_name,
            **{c: self.values.get(c) for c in COLUMNS},
        }


@dataclass
class Appendix:
    period: Period
    rows: list[AppendixRow]
    total: AppendixRow

    def as_dict(self) -> dict[str, Any]:
        return {
            "from": self.period.start.isoformat(),
            "to": self.period.end.isoformat(),
            "rows": [r.as_dict() for r in self.rows],
            "total": self.total.as_dict(),
        }


def _received_column(level: int, channel: str) -> str:
    if level == 2:
        return "l2_received"
    way = "online" if channel == Channel.ONLINE else "direct"
    return f"l{level}_received_{way}"


def _finish_rate(values: dict[str, Any]) -> None:
    values["received_total"] = sum(
        values[c]
        for c in (
            "l2_received",
            "l3_received_direct",
            "l3_received_online",
            "l4_received_direct",
            "l4_received_online",
        )
    )
    resolved = values["resolved_l2"] + values["resolved_l3"] + values["resolved_l4"]
    base = values["backlog"] + values["received_total"]
    values["unresolved"] = base - resolved
    values["resolution_rate_pct"] = rate_pct(resolved, base)


def procedure_counts(*, period: Period, unit_ids: set[int]) -> dict[str, int]:
    """The TTHC columns: procedures (distinct codes) in force on the last day of the period,
    per level, handled by at least one unit of `unit_ids`."""
    counts = dict.fromkeys(PROCEDURE_COLUMNS, 0)
    rows = (
        Procedure.objects.filter(in_force(on=period.end), units__in=unit_ids)
        .values("level")
        .annotate(n=Count("code", distinct=True))
        .order_by()
    )
    for row in rows:
        counts[f"l{level_bucket(row['level'])}_procedures"] += row["n"]
    total = (
        Procedure.objects.filter(in_force(on=period.end), units__in=unit_ids)
        .values("code")
        .distinct()
        .count()
    )
    counts["procedures_total"] = total
    return counts


@without_jit
def appendix_compute(
    *, period: Period, units: list[Unit], scope: set[int], role: str = RECEIVING
) -> Appendix:
    """The appendix: one row per unit (its dossiers and those of the units below it), and
    the total row; the dossiers a unit received, or those it handles (`role`).

    Steps: three aggregate queries over the summary rows (received and finished in the
    period by unit, level and channel; what was open before the period by unit), folded into
    the rows; the TTHC columns count the procedures in force at the end of the period in the
    row's district (see reports/README.md); the total row adds the rows up.
    """
    mapping = unit_tree_map(units=units, scope=scope)
    unit_field = UNIT_FIELDS[role]
    rows = [
        AppendixRow(
            stt=index + 1,
            unit_code=u.code,
            unit_name=u.name,
            values=dict.fromkeys(ADDITIVE, 0),
        )
        for index, u in enumerate(units)
    ]
    for item in period_sums(
        period=period,
        unit_ids=mapping,
        group=(unit_field, "procedure__level", "channel"),
        counters=("received", *FINISHED),
        unit_field=unit_field,
    ):
        level = level_bucket(item["procedure__level"])
        for index in mapping[item[unit_field]]:
            values = rows[index].values
            values[_received_column(level, item["channel"])] += item["received"]
            key = "received_online" if item["channel"] == Channel.ONLINE else "received_one_stop"
            values[key] += item["received"]
            values[f"resolved_l{level}"] += sum(item[c] for c in FINISHED)
    for item in period_sums(
        period=period.before,
        unit_ids=mapping,
        group=(unit_field,),
        counters=("received", *FINISHED),
        unit_field=unit_field,
    ):
        for index in mapping[item[unit_field]]:
            rows[index].values["backlog"] += item["received"] - sum(item[c] for c in FINISHED)

    parents = {
        pk: (parent, kind)
        for pk, parent, kind in Unit.objects.values_list("pk", "parent_id", "kind")
    }
    districts: dict[int, set[int]] = {}
    counts: dict[int, dict[str, int]] = {}
    for unit, row in zip(units, rows, strict=True):
        district = district_of(unit=unit, parents=parents)
        if district not in districts:
            districts[district] = unit_descendant_ids(unit=Unit(pk=district))
            counts[district] = procedure_counts(period=period, unit_ids=districts[district])
        row.values.update(counts[district])
        _finish_rate(row.values)

    total_values = {c: sum(r.values[c] for r in rows) for c in ADDITIVE}
    every = set().union(*districts.values()) if districts else set()
    total_values.update(procedure_counts(period=period, unit_ids=every))
    _finish_rate(total_values)
    total = AppendixRow(stt=None, unit_code="", unit_name=_("TỔNG CỘNG"), values=total_values)
    return Appendix(period=period, rows=rows, total=total)
