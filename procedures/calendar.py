"""Django side of the working-day clock: the calendar from the database, hours from units."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import F, Q

from procedures import clock
from procedures.models import CalendarOverride, Procedure, ProcedureChannel, Unit


def work_calendar(unit: Unit | None = None) -> clock.WorkCalendar:
    """The holidays package's calendar corrected by the administrators' overrides: the
    national ones, and with `unit` also those of the unit's province (which win over a
    national entry of the same date)."""
    province = unit_province(unit) if unit is not None else None
    scope = Q(province__isnull=True)
    if province is not None:
        scope |= Q(province=province)
    kinds: dict = {}
    # National first, so that the province's entry of the same date replaces it.
    rows = CalendarOverride.objects.filter(scope).order_by(F("province").asc(nulls_first=True))
    for day, kind in rows.values_list("date", "kind"):
        kinds[day] = kind
    return clock.WorkCalendar(
        extra_days_off=[d for d, k in kinds.items() if k == CalendarOverride.Kind.DAY_OFF],
        extra_working_days=[d for d, k in kinds.items() if k == CalendarOverride.Kind.WORKING_DAY],
    )


def unit_ancestor(unit: Unit, kind: str) -> Unit | None:
    """The unit of `kind` a unit belongs to (itself when it is one), following `parent`."""
    seen: set[int] = set()
    current: Unit | None = unit
    while current is not None and current.pk not in seen:
        if current.kind == kind:
            return current
        seen.add(current.pk)
        current = current.parent
    return None


def unit_province(unit: Unit) -> Unit | None:
    """The province a unit belongs to (itself when it is one)."""
    return unit_ancestor(unit, Unit.Kind.PROVINCE)


def unit_office_hours(unit: Unit) -> clock.OfficeHours:
    return clock.OfficeHours(
        morning_start=unit.morning_start,
        morning_end=unit.morning_end,
        afternoon_start=unit.afternoon_start,
        afternoon_end=unit.afternoon_end,
    )


def procedure_time_limit(procedure: Procedure, channel: str) -> clock.TimeLimit:
    """The limit for `channel`, falling back to the counter's (the usual published default)."""
    rows = {c.channel: c for c in procedure.channels.all()}
    row: ProcedureChannel | None = rows.get(channel) or rows.get("counter")
    if row is None and rows:
        row = next(iter(rows.values()))
    if row is None:
        raise ValueError(f"procedure {procedure.code} has no channel")
    return channel_time_limit(row)


def channel_time_limit(row: ProcedureChannel) -> clock.TimeLimit:
    """The channel's limit in the unit its law counts it in."""
    if row.same_day:
        return clock.TimeLimit(same_day=True)
    if row.calendar_days is not None:
        return clock.TimeLimit(calendar_days=row.calendar_days)
    if row.working_hours is not None:
        return clock.TimeLimit(working_hours=Decimal(row.working_hours))
    return clock.TimeLimit(working_days=Decimal(row.working_days or 0))
