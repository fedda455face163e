"""Django side of the working-day clock: the calendar from the database, hours from units."""

from __future__ import annotations

from decimal import Decimal

from procedures import clock
from procedures.models import CalendarOverride, Procedure, ProcedureChannel, Unit


def work_calendar() -> clock.WorkCalendar:
    """The holidays package's calendar corrected by the administrators' overrides."""
    rows = list(CalendarOverride.objects.values_list("date", "kind"))
    return clock.WorkCalendar(
        extra_days_off=[d for d, kind in rows if kind == CalendarOverride.Kind.DAY_OFF],
        extra_working_days=[d for d, kind in rows if kind == CalendarOverride.Kind.WORKING_DAY],
    )


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
