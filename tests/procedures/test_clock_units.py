"""Time limits with their unit (working days, calendar days, working hours), the make-up
working days of every year since 2018, and the calendar as data (admin command)."""

from __future__ import annotations

import io
from datetime import date, datetime
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from procedures.calendar import work_calendar
from procedures.clock import VN_TZ, TimeLimit, WorkCalendar, due_at, is_working_time, load_calendar
from procedures.models import CalendarOverride

SEEDED = load_calendar()


def vn(*args: int) -> datetime:
    return datetime(*args, tzinfo=VN_TZ)


def test_fri_3_may_2024_plus_3_working_days_is_due_tue_7_may_thanks_to_the_make_up_saturday():
    limit = TimeLimit(working_days=Decimal(3))
    assert due_at(vn(2024, 5, 3, 9, 0), limit, calendar=SEEDED) == vn(2024, 5, 7, 9, 0)
    # Without the make-up Saturday 4/5/2024 it would be Wednesday.
    assert due_at(vn(2024, 5, 3, 9, 0), limit, calendar=WorkCalendar()) == vn(2024, 5, 8, 9, 0)


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2018, 12, 31), False),  # Tết Dương lịch 2019 swap
        (date(2019, 1, 5), True),  # ... worked on Saturday
        (date(2019, 4, 29), False),
        (date(2019, 5, 4), True),
        (date(2024, 4, 29), False),
        (date(2024, 5, 4), True),
        (date(2025, 5, 2), False),
        (date(2025, 4, 26), True),
        (date(2026, 8, 31), False),
        (date(2026, 8, 22), True),
        (date(2020, 10, 10), False),  # an ordinary Saturday of the letter's month
    ],
)
def test_the_swapped_days_of_every_year_since_2018(day: date, working: bool):
    assert SEEDED.is_working_day(day) is working


def test_every_seeded_day_names_the_document_that_decided_it():
    import json

    from procedures.clock import DEFAULT_OVERRIDES_PATH

    records = json.loads(DEFAULT_OVERRIDES_PATH.read_text(encoding="utf-8"))
    assert all(r["source"] for r in records)
    # Each make-up Saturday comes with the day off it pays for, in the same decision.
    working = [r for r in records if r["kind"] == "working_day"]
    assert all(date.fromisoformat(r["date"]).weekday() == 5 for r in working)
    assert len(working) * 2 == len(records)


@pytest.mark.parametrize(
    ("received", "days", "expected"),
    [
        # Mon 2/3/2026 09:00 + 5 calendar days: Sat 7/3 is the last day, a day off, so the
        # limit ends at closing time on Monday 9/3.
        (vn(2026, 3, 2, 9, 0), 5, vn(2026, 3, 9, 17, 0)),
        # + 3 calendar days: Thursday 5/3 at closing.
        (vn(2026, 3, 2, 9, 0), 3, vn(2026, 3, 5, 17, 0)),
        # Received Friday after closing: the start is Monday 9/3; + 2 days = Wed 11/3.
        (vn(2026, 3, 6, 18, 0), 2, vn(2026, 3, 11, 17, 0)),
        # Weekends inside the limit count: Fri 6/3 + 10 days = Mon 16/3.
        (vn(2026, 3, 6, 9, 0), 10, vn(2026, 3, 16, 17, 0)),
    ],
)
def test_calendar_day_limits_run_over_days_off(received, days, expected):
    assert due_at(received, TimeLimit(calendar_days=days), calendar=SEEDED) == expected


def test_working_hour_limits_count_office_hours():
    # 8 working hours from Mon 2/3/2026 15:00: 2 h Monday, 4.5 h Tuesday morning, 1.5 h after.
    limit = TimeLimit(working_hours=Decimal(8))
    assert due_at(vn(2026, 3, 2, 15, 0), limit, calendar=SEEDED) == vn(2026, 3, 3, 15, 0)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"calendar_days": 0},
        {"calendar_days": True},
        {"calendar_days": 2, "working_days": Decimal(1)},
        {"working_hours": Decimal(0)},
        {"working_hours": Decimal(4), "same_day": True},
    ],
)
def test_a_time_limit_has_exactly_one_valid_unit(kwargs):
    with pytest.raises(ValueError, match="TimeLimit"):
        TimeLimit(**kwargs)


def test_working_time_includes_the_ends_of_the_periods():
    assert is_working_time(vn(2026, 3, 6, 17, 0), calendar=SEEDED)
    assert not is_working_time(vn(2026, 3, 6, 12, 0), calendar=SEEDED)
    assert not is_working_time(vn(2026, 3, 7, 9, 0), calendar=SEEDED)
    assert is_working_time(vn(2026, 8, 22, 9, 0), calendar=SEEDED)  # make-up Saturday


@pytest.mark.django_db
def test_calendar_add_records_next_years_swap_with_its_source():
    out = io.StringIO()
    with pytest.raises(CommandError, match="source"):
        call_command("calendar_add", working_day=["2027-05-08"], stdout=out)
    call_command(
        "calendar_add",
        working_day=["2027-05-08"],
        day_off=["2027-05-04"],
        source="Thông báo thử nghiệm",
        stdout=out,
    )
    assert set(CalendarOverride.objects.values_list("date", "kind", "source")) == {
        (date(2027, 5, 8), "working_day", "Thông báo thử nghiệm"),
        (date(2027, 5, 4), "day_off", "Thông báo thử nghiệm"),
    }
    calendar = work_calendar()
    assert calendar.is_working_day(date(2027, 5, 8))
    assert not calendar.is_working_day(date(2027, 5, 4))
    call_command("calendar_add", year=2027, stdout=out)
    assert "Thông báo thử nghiệm" in out.getvalue()
