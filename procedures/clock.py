"""Working-day deadline clock for one-stop-shop dossiers.

A pure module: no Django, no database. Everything a procedure's deadline needs is here:

* :class:`OfficeHours` - the unit's office hours (a morning and an afternoon period) and the
  same-day cutoff. Defaults: 07:00-11:30 and 13:30-17:00 (480 working minutes a day),
  cutoff 15:00.
* :class:`TimeLimit` - a procedure's time limit with its unit: working days (``Decimal``, may
  be fractional, e.g. 0.5 or 2.5), plain calendar days, working hours, or "same day".
* :class:`WorkCalendar` - which days are working days: Monday-Friday minus the public holidays
  of the ``holidays`` package (country VN), corrected by administrator overrides
  (``extra_days_off`` / ``extra_working_days``; overrides always win).
* Functions computing the clock start, the due time, working minutes between two instants,
  the shift of a due time after a pause (awaiting supplement or payment), and lateness.

Rules:

* Time is counted in working minutes inside office hours of working days. One working day is
  ``OfficeHours.minutes_per_day`` minutes (480 by default), so N working days are N * 480
  working minutes added from the clock start; a result that falls exactly on the end of a
  period is that end (Mon 07:00 + 1 day = Mon 17:00, not Tue 07:00).
* The clock starts at reception when the office is open; before opening it starts at opening,
  during the lunch break at the afternoon opening, after closing or on a non-working day at
  the next working day's opening.
* Working hours count like working days, 60 working minutes an hour.
* Calendar-day limits run over weekends and holidays: the start day is not counted and the
  limit ends at closing time of its last day, moved to the next working day when that day is
  a day off (Civil Code 2015, Art. 147-148).
* Same-day procedures are due at closing time on the day of reception; received after the
  cutoff (15:00), after closing or on a non-working day they are due at closing time on the
  next working day.

All datetimes must be timezone-aware (naive ones raise ``ValueError``); they are converted to
Asia/Ho_Chi_Minh internally and every result is an aware datetime in that zone. Loops iterate
by day, never by minute, and are bounded.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any, Final
from zoneinfo import ZoneInfo

from procedures.workdays import (
    DEFAULT_OVERRIDES_PATH,
    MAX_CONSECUTIVE_DAYS_OFF,
    OVERRIDE_DAY_OFF,
    OVERRIDE_WORKING_DAY,
    WorkCalendar,
    load_calendar,
)

__all__ = [
    "DEFAULT_HOURS",
    "DEFAULT_OVERRIDES_PATH",
    "OVERRIDE_DAY_OFF",
    "OVERRIDE_WORKING_DAY",
    "VN_TZ",
    "OfficeHours",
    "TimeLimit",
    "WorkCalendar",
    "add_working_minutes",
    "calendar_days_due_at",
    "clock_start",
    "due_at",
    "is_due_soon",
    "is_late",
    "is_working_time",
    "load_calendar",
    "resume_due_at",
    "same_day_due_at",
    "working_minutes_between",
]

VN_TZ: Final = ZoneInfo("Asia/Ho_Chi_Minh")

_ONE_DAY: Final = timedelta(days=1)
_ONE_MINUTE: Final = timedelta(minutes=1)


def _seconds_of_day(moment: time) -> int:
    return moment.hour * 3600 + moment.minute * 60 + moment.second


@dataclass(frozen=True)
class OfficeHours:
    """Office hours of a unit: two periods a day and the same-day cutoff (local wall-clock)."""

    morning_start: time = time(7, 0)
    morning_end: time = time(11, 30)
    afternoon_start: time = time(13, 30)
    afternoon_end: time = time(17, 0)
    same_day_cutoff: time = time(15, 0)

    def __post_init__(self) -> None:
        for name in (
            "morning_start",
            "morning_end",
            "afternoon_start",
            "afternoon_end",
            "same_day_cutoff",
        ):
            value = getattr(self, name)
            if not isinstance(value, time):
                raise TypeError(f"OfficeHours.{name} must be a datetime.time, got {value!r}")
            if value.tzinfo is not None:
                raise ValueError(f"OfficeHours.{name} must be a naive local wall-clock time")
        if not (self.morning_start < self.morning_end <= self.afternoon_start < self.afternoon_end):
            raise ValueError(
                "OfficeHours must satisfy morning_start < morning_end <= afternoon_start"
                " < afternoon_end"
            )
        if not (self.morning_start <= self.same_day_cutoff <= self.afternoon_end):
            raise ValueError("OfficeHours.same_day_cutoff must lie between opening and closing")

    @property
    def periods(self) -> tuple[tuple[time, time], tuple[time, time]]:
        """The two working periods of a day, in order."""
        return (
            (self.morning_start, self.morning_end),
            (self.afternoon_start, self.afternoon_end),
        )

    @property
    def opening(self) -> time:
        return self.morning_start

    @property
    def closing(self) -> time:
        return self.afternoon_end

    @property
    def minutes_per_day(self) -> int:
        """Working minutes in one working day (480 with the default hours)."""
        seconds = sum(_seconds_of_day(end) - _seconds_of_day(start) for start, end in self.periods)
        return seconds // 60


DEFAULT_HOURS: Final = OfficeHours()


@dataclass(frozen=True)
class TimeLimit:
    """A procedure's time limit with its unit: exactly one of ``working_days`` (> 0, may be
    fractional), ``calendar_days`` (a whole number of plain days, weekends and holidays
    included), ``working_hours`` (> 0, may be fractional) or ``same_day``.

    Decimal amounts accept a ``Decimal``, an ``int`` or a decimal string (``"2.5"``) and are
    stored as ``Decimal``; floats are refused to avoid binary rounding surprises.
    """

    working_days: Decimal | None = None
    same_day: bool = False
    calendar_days: int | None = None
    working_hours: Decimal | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.same_day, bool):
            raise TypeError("TimeLimit.same_day must be a bool")
        for name in ("working_days", "working_hours"):
            raw: Any = getattr(self, name)
            if raw is not None:
                object.__setattr__(self, name, _positive_decimal(raw, name))
        days: Any = self.calendar_days
        if days is not None and (isinstance(days, bool) or not isinstance(days, int) or days < 1):
            raise ValueError(f"TimeLimit.calendar_days must be a positive int, got {days!r}")
        given = [
            self.same_day,
            self.working_days is not None,
            self.calendar_days is not None,
            self.working_hours is not None,
        ]
        if sum(given) != 1:
            raise ValueError(
                "TimeLimit needs exactly one of working_days, calendar_days, working_hours"
                " or same_day=True"
            )

    def working_minutes(self, hours: OfficeHours = DEFAULT_HOURS) -> int:
        """A working-day or working-hour limit in working minutes (rounded half up, at
        least 1); not for same-day or calendar-day limits."""
        if self.working_days is not None:
            minutes = self.working_days * hours.minutes_per_day
        elif self.working_hours is not None:
            minutes = self.working_hours * 60
        else:
            raise ValueError("a same-day or calendar-day limit has no length in working minutes")
        return max(1, int(minutes.to_integral_value(ROUND_HALF_UP)))


def _positive_decimal(raw: Any, name: str) -> Decimal:
    if isinstance(raw, bool) or not isinstance(raw, Decimal | int | str):
        raise TypeError(
            f"TimeLimit.{name} must be a Decimal, an int or a decimal string, got {raw!r}"
        )
    try:
        value = Decimal(raw)
    except InvalidOperation as exc:
        raise ValueError(f"TimeLimit.{name} is not a number: {raw!r}") from exc
    if not value.is_finite() or value <= 0:
        raise ValueError(f"TimeLimit.{name} must be positive, got {raw!r}")
    return value


def _to_local(value: datetime, name: str) -> datetime:
    if not isinstance(value, datetime):
        raise TypeError(f"{name} must be a datetime, got {value!r}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware, got naive {value!r}")
    return value.astimezone(VN_TZ)


def _at(day: date, moment: time) -> datetime:
    return datetime.combine(day, moment, tzinfo=VN_TZ)


def _check_minutes(minutes: int) -> int:
    if isinstance(minutes, bool) or not isinstance(minutes, int):
        raise TypeError(f"minutes must be an int, got {minutes!r}")
    if minutes < 0:
        raise ValueError(f"minutes must not be negative, got {minutes}")
    return minutes


def clock_start(
    received_at: datetime, *, hours: OfficeHours = DEFAULT_HOURS, calendar: WorkCalendar
) -> datetime:
    """When the clock of a dossier received at ``received_at`` starts running.

    Inside office hours: the reception time itself. Before opening: opening. During the lunch
    break: the afternoon opening. At or after closing, or on a non-working day: the opening of
    the next working day.
    """
    local = _to_local(received_at, "received_at")
    day = local.date()
    if calendar.is_working_day(day):
        for period_start, period_end in hours.periods:
            if local < _at(day, period_end):
                return max(local, _at(day, period_start))
    return _at(calendar.next_working_day(day), hours.opening)


def add_working_minutes(
    start: datetime, minutes: int, *, hours: OfficeHours = DEFAULT_HOURS, calendar: WorkCalendar
) -> datetime:
    """``start`` moved later by ``minutes`` working minutes.

    Time outside office hours and non-working days is skipped. A result falling exactly on the
    end of a period is that end (17:00, not the next morning). ``minutes == 0`` returns
    ``start`` unchanged (in Asia/Ho_Chi_Minh).
    """
    cursor = _to_local(start, "start")
    remaining = timedelta(minutes=_check_minutes(minutes))
    if not remaining:
        return cursor
    day = cursor.date()
    days_off_in_a_row = 0
    while True:
        if calendar.is_working_day(day):
            days_off_in_a_row = 0
            for period_start, period_end in hours.periods:
                segment_start = max(_at(day, period_start), cursor)
                segment_end = _at(day, period_end)
                if segment_start >= segment_end:
                    continue
                available = segment_end - segment_start
                if remaining <= available:
                    return segment_start + remaining
                remaining -= available
        else:
            days_off_in_a_row += 1
            if days_off_in_a_row > MAX_CONSECUTIVE_DAYS_OFF:
                raise ValueError(f"no working day within {MAX_CONSECUTIVE_DAYS_OFF} days")
        day += _ONE_DAY


def working_minutes_between(
    start: datetime, end: datetime, *, hours: OfficeHours = DEFAULT_HOURS, calendar: WorkCalendar
) -> int:
    """Whole working minutes (rounded down) between ``start`` and ``end``; 0 if end <= start.

    Only office hours of working days count.
    """
    lo = _to_local(start, "start")
    hi = _to_local(end, "end")
    if hi <= lo:
        return 0
    total = timedelta(0)
    day = lo.date()
    last_day = hi.date()
    while day <= last_day:
        if calendar.is_working_day(day):
            for period_start, period_end in hours.periods:
                overlap_start = max(_at(day, period_start), lo)
                overlap_end = min(_at(day, period_end), hi)
                if overlap_end > overlap_start:
                    total += overlap_end - overlap_start
        day += _ONE_DAY
    return total // _ONE_MINUTE


def same_day_due_at(
    received_at: datetime, *, hours: OfficeHours = DEFAULT_HOURS, calendar: WorkCalendar
) -> datetime:
    """Due time of a same-day procedure (the cutoff rule).

    Closing time of the reception day; closing time of the next working day if received after
    the cutoff (strictly after: 15:00:00 itself is still the same day), after closing or on a
    non-working day.
    """
    local = _to_local(received_at, "received_at")
    day = local.date()
    if calendar.is_working_day(day) and local.time() <= hours.same_day_cutoff:
        return _at(day, hours.closing)
    return _at(calendar.next_working_day(day), hours.closing)


def calendar_days_due_at(
    received_at: datetime,
    days: int,
    *,
    hours: OfficeHours = DEFAULT_HOURS,
    calendar: WorkCalendar,
) -> datetime:
    """Due time of a limit in plain days (Civil Code 2015, Art. 147-148).

    The day the clock starts (reception, or the next working day when received after
    closing or on a day off) is not counted; the limit ends at closing time of its last day,
    or of the next working day when that last day is a day off.
    """
    start = clock_start(received_at, hours=hours, calendar=calendar)
    last = start.date() + timedelta(days=days)
    if not calendar.is_working_day(last):
        last = calendar.next_working_day(last)
    return _at(last, hours.closing)


def due_at(
    received_at: datetime,
    limit: TimeLimit,
    *,
    hours: OfficeHours = DEFAULT_HOURS,
    calendar: WorkCalendar,
) -> datetime:
    """Due time of a dossier received at ``received_at`` under ``limit``."""
    if limit.same_day:
        return same_day_due_at(received_at, hours=hours, calendar=calendar)
    if limit.calendar_days is not None:
        return calendar_days_due_at(
            received_at, limit.calendar_days, hours=hours, calendar=calendar
        )
    start = clock_start(received_at, hours=hours, calendar=calendar)
    return add_working_minutes(start, limit.working_minutes(hours), hours=hours, calendar=calendar)


def resume_due_at(
    due: datetime,
    *,
    paused_at: datetime,
    resumed_at: datetime,
    hours: OfficeHours = DEFAULT_HOURS,
    calendar: WorkCalendar,
) -> datetime:
    """The due time after a pause: ``due`` moved later by the working minutes of the pause."""
    paused = _to_local(paused_at, "paused_at")
    resumed = _to_local(resumed_at, "resumed_at")
    if resumed < paused:
        raise ValueError("resumed_at is before paused_at")
    paused_minutes = working_minutes_between(paused, resumed, hours=hours, calendar=calendar)
    return add_working_minutes(due, paused_minutes, hours=hours, calendar=calendar)


def is_working_time(
    moment: datetime, *, hours: OfficeHours = DEFAULT_HOURS, calendar: WorkCalendar
) -> bool:
    """Inside office hours (ends included: 17:00 is a time of the day) of a working day."""
    local = _to_local(moment, "moment")
    if not calendar.is_working_day(local.date()):
        return False
    return any(start <= local.time() <= end for start, end in hours.periods)


def is_late(due: datetime, *, at: datetime) -> bool:
    """Whether ``at`` is past ``due``."""
    return _to_local(at, "at") > _to_local(due, "due")


def is_due_soon(
    due: datetime, *, at: datetime, hours: OfficeHours = DEFAULT_HOURS, calendar: WorkCalendar
) -> bool:
    """Not late at ``at`` and at most one working day of working minutes left before ``due``."""
    if is_late(due, at=at):
        return False
    left = working_minutes_between(at, due, hours=hours, calendar=calendar)
    return left <= hours.minutes_per_day
