"""Which days are working days: the holidays package (country VN) corrected by overrides.

Part of the pure clock (procedures.clock re-exports these names): no Django, no database.
The overrides - make-up working Saturdays, extra days off - are data: the seeded file
`data/calendar_overrides.json` (each with the document that decided it) and, in the running
portal, the CalendarOverride table (procedures.calendar.work_calendar).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterable, Mapping
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, Final

import holidays

#: The seeded, editable overrides shipped with the app (make-up Saturdays, swapped days off).
DEFAULT_OVERRIDES_PATH: Final = Path(__file__).resolve().parent / "data" / "calendar_overrides.json"

#: ``kind`` values of an override record.
OVERRIDE_WORKING_DAY: Final = "working_day"
OVERRIDE_DAY_OFF: Final = "day_off"

# A calendar with no working day for this many consecutive days is considered broken: the
# loops stop there instead of running forever.
MAX_CONSECUTIVE_DAYS_OFF: Final = 366
_ONE_DAY: Final = timedelta(days=1)


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
        for _ in range(MAX_CONSECUTIVE_DAYS_OFF):
            current += _ONE_DAY
            if self.is_working_day(current):
                return current
        raise ValueError(f"no working day within {MAX_CONSECUTIVE_DAYS_OFF} days after {day}")

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
