"""Biểu II.06a (Circular 01/2020/TT-VPCP): dossiers received and resolved, per unit or field.

Identities, for every row and the total:
  received_total = received_online + received_counter_post + carried_over
                 = resolved_total + in_progress_total
  resolved_total = resolved_early + resolved_on_time + resolved_late
  in_progress_total = in_progress_within + in_progress_overdue
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from procedures.models import Channel, Field, Unit
from reports.access import RECEIVING, UNIT_FIELDS, unit_tree_map
from reports.models import SummaryRow
from reports.selectors.overdue import overdue_counts
from reports.selectors.periods import Period, cover_q
from reports.selectors.sums import FINISHED, period_sums, rate_pct, without_jit

COLUMNS: tuple[str, ...] = (
    "received_total",
    "received_online",
    "received_counter_post",
    "carried_over",
    "resolved_total",
    "resolved_early",
    "resolved_on_time",
    "resolved_late",
    "in_progress_total",
    "in_progress_within",
    "in_progress_overdue",
)
EXTRA: tuple[str, ...] = ("withdrawn", "on_time_rate_pct")


@dataclass
class II06aRow:
    key: str
    name: str
    values: dict[str, Any] = field(default_factory=dict)

    def as_dict(self, key_name: str) -> dict[str, Any]:
        name_key = "unit_name" if key_name == "unit_code" else "field_name"
        return {
            key_name: self.key,
            name_key: self.name,
            **{c: self.values.get(c) for c in (*COLUMNS, *EXTRA)},
        }


@dataclass
class II06a:
    period: Period
    by: str  # "unit" or "field"
    rows: list[II06aRow]
    total: II06aRow

    def as_dict(self) -> dict[str, Any]:
        key = "unit_code" if self.by == "unit" else "field"
        return {
            "from": self.period.start.isoformat(),
            "to": self.period.end.isoformat(),
            "by": self.by,
            "rows": [r.as_dict(key) for r in self.rows],
            "total": self.total.as_dict(key),
        }


def _blank() -> dict[str, Any]:
    return dict.fromkeys((*COLUMNS, "withdrawn"), 0)


def _complete(values: dict[str, Any]) -> None:
    values["received_total"] = (
        values["received_online"] + values["received_counter_post"] + values["carried_over"]
    )
    values["resolved_total"] = sum(values[c] for c in FINISHED)
    values["in_progress_total"] = values["received_total"] - values["resolved_total"]
    values["in_progress_within"] = values["in_progress_total"] - values["in_progress_overdue"]
    values["on_time_rate_pct"] = rate_pct(
        values["resolved_early"] + values["resolved_on_time"], values["resolved_total"]
    )


@without_jit
def ii06a_compute(
    *,
    period: Period,
    units: list[Unit],
    scope: set[int],
    by: str = "unit",
    now: datetime | None = None,
    role: str = RECEIVING,
) -> II06a:
    """Biểu II.06a for the units (each with the units below it), one row per unit or per field
    of work, and the total row (the sum of the rows).

    Aggregate queries over the summary rows: in the period (received by channel, finished
    by punctuality), before it (carried over = received − finished); the dossiers in
    progress at the reference time (the period's end, or now for a period not yet ended)
    are within their deadline unless overdue then (reports.selectors.overdue).
    """
    now = now or timezone.now()
    mapping = unit_tree_map(units=units, scope=scope)
    unit_field = UNIT_FIELDS[role]
    if by == "field":
        group_key = "procedure__field_id"
        fields = {
            f.pk: f
            for f in Field.objects.filter(
                pk__in=period_field_ids(period=period, unit_ids=set(mapping), unit_field=unit_field)
            )
        }
        order = sorted(fields.values(), key=lambda f: f.name)
        rows = [II06aRow(key=f.slug, name=f.name, values=_blank()) for f in order]
        index_of = {f.pk: [i] for i, f in enumerate(order)}
    else:
        group_key = unit_field
        rows = [II06aRow(key=u.code, name=u.name, values=_blank()) for u in units]
        index_of = mapping

    def targets(item: dict[str, Any]) -> list[int]:
        if by == "field":
            return index_of.get(item[group_key], [])
        return index_of.get(item[unit_field], [])

    group = (unit_field,) if by == "unit" else (unit_field, group_key)
    for item in period_sums(
        period=period,
        unit_ids=mapping,
        group=(*group, "channel"),
        counters=("received", *FINISHED, "withdrawn"),
        unit_field=unit_field,
    ):
        for i in targets(item):
            values = rows[i].values
            key = (
                "received_online" if item["channel"] == Channel.ONLINE else "received_counter_post"
            )
            values[key] += item["received"]
            for c in (*FINISHED, "withdrawn"):
                values[c] += item[c]
    for item in period_sums(
        period=period.before,
        unit_ids=mapping,
        group=group,
        counters=("received", *FINISHED),
        unit_field=unit_field,
    ):
        for i in targets(item):
            rows[i].values["carried_over"] += item["received"] - sum(item[c] for c in FINISHED)
    overdue = overdue_counts(
        period=period, unit_ids=set(mapping), now=now, group=group, unit_field=unit_field
    )
    for key, n in overdue.items():
        item = dict(zip(group, key, strict=True)) if by == "field" else {unit_field: key}
        for i in targets(item):
            rows[i].values["in_progress_overdue"] += n
    for row in rows:
        _complete(row.values)
    total_values = _blank()
    for row in rows:
        for c in total_values:
            total_values[c] += row.values[c]
    _complete(total_values)
    total = II06aRow(key="", name=_("Tổng cộng"), values=total_values)
    return II06a(period=period, by=by, rows=rows, total=total)


def period_field_ids(
    *, period: Period, unit_ids: set[int], unit_field: str = "unit_id"
) -> set[int]:
    """Fields with any dossier received before the end of the period in these units."""
    return set(
        SummaryRow.objects.filter(cover_q(period.up_to_end), **{f"{unit_field}__in": unit_ids})
        .values_list("procedure__field_id", flat=True)
        .distinct()
    )
