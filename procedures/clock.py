"""Working-day deadline clock for one-stop-shop dossiers.

A pure module: no Django, no database. Everything a procedure's deadline needs is here:

* :class:`OfficeHours` - the unit's office hours (a morning and an afternoon period) and the
  same-day cutoff. Defaults: 07:00-11:30 and 13:30-17:00 (480 working minutes a day),
  cutoff 15:00.
* :class:`TimeLimit` - a procedure's time limit: a number of working days (``Decimal``, may be
  fractional, e.g. 0.5 or 2.5) or "same day".
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
* Same-day procedures are due at closing time on the day of reception; received after the
  cutoff (15:00), after closing or on a non-working day they are due at closing time on the
  next working day.

All datetimes must be timezone-aware (naive ones raise ``ValueError``); they are converted to
Asia/Ho_Chi_Minh internally and every result is an aware datetime in that zone. Loops iterate
by day, never by minute, and are bounded.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Final
from zoneinfo import ZoneInfo

import holidays

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
    "clock_start",
    "due_at",
    "is_due_soon",
    "is_late",
    "load_calendar",
    "resume_due_at",
    "same_day_due_at",
    "working_minutes_between",
]

VN_TZ: Final = ZoneInfo("Asia/Ho_Chi_Minh")

#: The seeded, editable overrides shipped with the app (make-up Saturdays, swapped days off).
DEFAULT_OVERRIDES_PATH: Final = Path(__file__).resolve().parent / "data" / "calendar_overrides.json"

#: ``kind`` values of an override record.
OVERRIDE_WORKING_DAY: Final = "working_day"
OVERRIDE_DAY_OFF: Final = "day_off"

# A calendar with no working day for this many consecutive days is considered broken: the
# loops below stop there instead of running forever.
_MAX_CONSECUTIVE_DAYS_OFF: Final = 366
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
    """A procedure's time limit: ``working_days`` (> 0, may be fractional) xor ``same_day``.

    ``working_days`` accepts a ``Decimal``, an ``int`` or a decimal string (``"2.5"``) and is
    stored as a ``Decimal``; floats are refused to avoid binary rounding surprises.
    """

    working_days: Decimal | None = None
    same_day: bool = False

    def __post_init__(self) -> None:
        if not isinstance(self.same_day, bool):
            raise TypeError("TimeLimit.same_day must be a bool")
        raw: Any = self.working_days
        if raw is not None:
            if isinstance(raw, bool) or not isinstance(raw, Decimal | int | str):
                raise TypeError(
                    "TimeLimit.working_days must be a Decimal, an int or a decimal string,"
                    f" got {raw!r}"
                )
            try:
                value = Decimal(raw)
            except InvalidOperation as exc:
                raise ValueError(f"TimeLimit.working_days is not a number: {raw!r}") from exc
            if not value.is_finite() or value <= 0:
                raise ValueError(f"TimeLimit.working_days must be positive, got {raw!r}")
            object.__setattr__(self, "working_days", value)
        if self.same_day == (self.working_days is not None):
            raise ValueError("TimeLimit needs exactly one of working_days or same_day=True")

    def working_minutes(self, hours: OfficeHours = DEFAULT_HOURS) -> int:
        """The limit in working minutes (rounded half up, at least 1); not for same-day limits."""
        if self.working_days is None:
            raise ValueError("a same-day limit has no length in working minutes")
        minutes = (self.working_days * hours.minutes_per_day).to_integral_value(ROUND_HALF_UP)
        return max(1, int(minutes))


def _as_date(value: object) -> date:
    if isinstance(value, datetime) or not isinstance(value, date):
        raise TypeError(f"expected a datetime.date (not a datetime), got {value!r}")
    return value


class WorkCalendar:
    """Working days: Mon-Fri minus public holidays, corrected by overrides (which win).

    ``extra_working_days`` makes a date a working day even if it is a Saturday, a Sunday or a
    holiday of the package (make-up Saturdays, an unconfirmed holiday the administrator keeps
    working); ``extra_days_off`` makes a date a day off (provincial decisions, swapped days).
    A date may not be in both. Holidays are fetched lazily per year and cached.
    """

    def __init__(
        self,
        *,
        extra_days_off: Iterable[date] = (),
        extra_working_days: Iterable[date] = (),
        country: str = "VN",
    ) -> None:
        self.extra_days_off: frozenset[date] = frozenset(_as_date(d) for d in extra_days_off)
        self.extra_working_days: frozenset[date] = frozenset(
            _as_date(d) for d in extra_working_days
        )
        clash = self.extra_days_off & self.extra_working_days
        if clash:
            listed = ", ".join(d.isoformat() for d in sorted(clash))
            raise ValueError(f"dates both an extra day off and an extra working day: {listed}")
        try:
            holidays.country_holidays(country, years=())
        except NotImplementedError as exc:
            raise ValueError(f"the holidays package does not know country {country!r}") from exc
        self.country = country
        self._holidays: set[date] = set()
        self._loaded_years: set[int] = set()
        self._lock = threading.Lock()

    @classmethod
    def from_overrides(
        cls, records: Iterable[Mapping[str, Any]], *, country: str = "VN"
    ) -> WorkCalendar:
        """Build a calendar from override records ``{"date": ..., "kind": ..., "note": ...}``.

        ``date`` is a ``date`` or an ISO string; ``kind`` is ``"working_day"`` or ``"day_off"``.
        """
        days_off: list[date] = []
        working_days: list[date] = []
        for record in records:
            raw_date = record["date"]
            day = date.fromisoformat(raw_date) if isinstance(raw_date, str) else raw_date
            kind = record["kind"]
            if kind == OVERRIDE_WORKING_DAY:
                working_days.append(_as_date(day))
            elif kind == OVERRIDE_DAY_OFF:
                days_off.append(_as_date(day))
            else:
                raise ValueError(f"unknown calendar override kind {kind!r} for {raw_date}")
        return cls(extra_days_off=days_off, extra_working_days=working_days, country=country)

    def _ensure_year(self, year: int) -> None:
        if year in self._loaded_years:
            return
        with self._lock:
            if year in self._loaded_years:
                return
            self._holidays.update(holidays.country_holidays(self.country, years=year).keys())
            self._loaded_years.add(year)

    def is_public_holiday(self, day: date) -> bool:
        """Whether the holidays package lists ``day`` (overrides are NOT applied here)."""
        day = _as_date(day)
        # A holiday observed early in a year may be listed under the previous year.
        self._ensure_year(day.year - 1)
        self._ensure_year(day.year)
        return day in self._holidays

    def is_working_day(self, day: date) -> bool:
        day = _as_date(day)
        if day in self.extra_working_days:
            return True
        if day in self.extra_days_off:
            return False
        if day.weekday() >= 5:
            return False
        return not self.is_public_holiday(day)

    def next_working_day(self, day: date) -> date:
        """The first working day strictly after ``day``."""
        current = _as_date(day)
        for _ in range(_MAX_CONSECUTIVE_DAYS_OFF):
            current += _ONE_DAY
            if self.is_working_day(current):
                return current
        raise ValueError(f"no working day within {_MAX_CONSECUTIVE_DAYS_OFF} days after {day}")

    def __repr__(self) -> str:
        return (
            f"WorkCalendar(country={self.country!r},"
            f" extra_days_off={len(self.extra_days_off)},"
            f" extra_working_days={len(self.extra_working_days)})"
        )


def load_calendar(path: str | Path | None = None, *, country: str = "VN") -> WorkCalendar:
    """Load a JSON list of override records (default: the seeded file) into a calendar."""
    source = Path(path) if path is not None else DEFAULT_OVERRIDES_PATH
    records = json.loads(source.read_text(encoding="utf-8"))
    if not isinstance(records, list):
        raise ValueError(f"{source}: expected a JSON list of override records")
    return WorkCalendar.from_overrides(records, country=country)


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
            if days_off_in_a_row > _MAX_CONSECUTIVE_DAYS_OFF:
                raise ValueError(f"no working day within {_MAX_CONSECUTIVE_DAYS_OFF} days")
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
