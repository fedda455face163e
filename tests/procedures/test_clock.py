"""Table-driven tests of the working-day deadline clock (procedures.clock).

No database, no Django. Every expected value below was computed by hand the way an officer
would, with the default office hours: morning 07:00-11:30 (270 min), afternoon 13:30-17:00
(210 min), a working day = 480 working minutes, half a day = 240 min, same-day cutoff 15:00.

The calendars are built from the seeded overrides file procedures/data/calendar_overrides.json,
so e.g. the make-up Saturday 22/8/2026 really comes from the seeded data.

Calendar facts used (holidays package, VN, as checked for 2025-2027):
  2025: Mon 27 - Fri 31 Jan Tết; Mon 7 Apr Hùng Kings; Wed 30 Apr, Thu 1 May, Fri 2 May
        (swap, Sat 26 Apr worked); Mon 1 + Tue 2 Sep.
  2026: Thu 1 Jan; Mon 16 - Fri 20 Feb Tết; Sun 26 Apr Hùng Kings -> observed Mon 27 Apr;
        Thu 30 Apr, Fri 1 May; Mon 31 Aug (swap, Sat 22 Aug worked), Tue 1 + Wed 2 Sep;
        Tue 24 Nov Vietnam Culture Day (unconfirmed; overridable).
  2027: Thu 4 - Wed 10 Feb Tết; Fri 16 Apr Hùng Kings; Fri 30 Apr, Sat 1 May -> Mon 3 May;
        Thu 2 + Fri 3 Sep; Wed 24 Nov.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from procedures.clock import (
    VN_TZ,
    OfficeHours,
    TimeLimit,
    WorkCalendar,
    add_working_minutes,
    clock_start,
    due_at,
    is_due_soon,
    is_late,
    load_calendar,
    resume_due_at,
    working_minutes_between,
)

OVERRIDES_PATH = (
    Path(__file__).resolve().parents[2] / "procedures" / "data" / "calendar_overrides.json"
)
SEEDED_RECORDS: list[dict[str, Any]] = json.loads(OVERRIDES_PATH.read_text(encoding="utf-8"))

CALENDARS: dict[str, WorkCalendar] = {
    # The seeded overrides exactly as shipped.
    "seeded": load_calendar(OVERRIDES_PATH),
    # The holidays package alone, no overrides (to show what the seeded data changes).
    "package": WorkCalendar(),
    # Seeded + an administrator decides 24/11/2026 is NOT a day off.
    "culture_working": WorkCalendar.from_overrides(
        [*SEEDED_RECORDS, {"date": "2026-11-24", "kind": "working_day", "note": "test"}]
    ),
    # Seeded + an administrator confirms 24/11/2026 as a day off.
    "culture_off": WorkCalendar.from_overrides(
        [*SEEDED_RECORDS, {"date": "2026-11-24", "kind": "day_off", "note": "test"}]
    ),
}
SEEDED = CALENDARS["seeded"]
SAME_DAY = TimeLimit(same_day=True)


def vn(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0
) -> datetime:
    """An aware datetime in Asia/Ho_Chi_Minh."""
    return datetime(year, month, day, hour, minute, second, tzinfo=VN_TZ)


def days(value: str) -> TimeLimit:
    return TimeLimit(working_days=Decimal(value))


def assert_vn(actual: datetime, expected: datetime) -> None:
    assert actual == expected
    assert actual.tzinfo == VN_TZ
    assert actual.replace(tzinfo=None) == expected.astimezone(VN_TZ).replace(tzinfo=None)


# --------------------------------------------------------------------------------------------
# due_at: (received_at, limit, expected due, calendar)
# --------------------------------------------------------------------------------------------
DUE_CASES = [
    # ---- An ordinary fortnight: Mon 2 - Fri 13 Mar 2026 has no holiday. ----
    pytest.param(
        # Mon 09:00-11:30 150 + 13:30-17:00 210 = 360; Tue 480 -> 840; Wed needs 120 -> 09:00.
        vn(2026, 3, 9, 9, 0),
        days("2"),
        vn(2026, 3, 11, 9, 0),
        "seeded",
        id="mon-0900-2d-wed-0900",
    ),
    pytest.param(
        # 270 + 210 = 480 exactly at the end of the afternoon: Mon 17:00, not Tue 07:00.
        vn(2026, 3, 9, 7, 0),
        days("1"),
        vn(2026, 3, 9, 17, 0),
        "seeded",
        id="mon-0700-1d-lands-on-closing",
    ),
    pytest.param(
        # 240 min from 07:00 stays in the 270-min morning: 11:00.
        vn(2026, 3, 9, 7, 0),
        days("0.5"),
        vn(2026, 3, 9, 11, 0),
        "seeded",
        id="half-day-from-opening",
    ),
    pytest.param(
        # 07:30 + 240 = 11:30 exactly the end of the morning: stays 11:30 (not 13:30).
        vn(2026, 3, 9, 7, 30),
        days("0.5"),
        vn(2026, 3, 9, 11, 30),
        "seeded",
        id="half-day-lands-on-morning-end",
    ),
    pytest.param(
        # 13:30-17:00 = 210, 30 left -> Tue 07:30.
        vn(2026, 3, 9, 13, 30),
        days("0.5"),
        vn(2026, 3, 10, 7, 30),
        "seeded",
        id="half-day-from-afternoon-opening",
    ),
    pytest.param(
        # 720 min: Mon 08:00-11:30 210 + 210 = 420; 300 left: Tue morning 270, 30 left ->
        # Tue 13:30 + 30 = 14:00.
        vn(2026, 3, 9, 8, 0),
        days("1.5"),
        vn(2026, 3, 10, 14, 0),
        "seeded",
        id="one-and-half-days",
    ),
    pytest.param(
        # 1200 min: Mon 10:00-11:30 90 + 210 = 300; Tue 480 -> 780; 420 left: Wed morning
        # 270, 150 left -> 13:30 + 150 = 16:00.
        vn(2026, 3, 9, 10, 0),
        days("2.5"),
        vn(2026, 3, 11, 16, 0),
        "seeded",
        id="two-and-half-days",
    ),
    pytest.param(
        # Lunch: clock starts 13:30; 210 -> Mon 17:00, 270 left = Tue whole morning -> 11:30.
        vn(2026, 3, 9, 12, 15),
        days("1"),
        vn(2026, 3, 10, 11, 30),
        "seeded",
        id="lunch-arrival-1d",
    ),
    pytest.param(
        # Lunch: clock 13:30; 210 -> 17:00, 30 left -> Wed 07:30.
        vn(2026, 3, 10, 11, 45),
        days("0.5"),
        vn(2026, 3, 11, 7, 30),
        "seeded",
        id="lunch-arrival-half-day",
    ),
    pytest.param(
        # After closing: clock starts Tue 07:00; a full day -> Tue 17:00.
        vn(2026, 3, 9, 17, 45),
        days("1"),
        vn(2026, 3, 10, 17, 0),
        "seeded",
        id="after-closing-1d",
    ),
    pytest.param(
        # Exactly 17:00 Fri is closed: clock Mon 16 07:00 -> Mon 17:00.
        vn(2026, 3, 13, 17, 0),
        days("1"),
        vn(2026, 3, 16, 17, 0),
        "seeded",
        id="friday-exactly-closing-1d",
    ),
    pytest.param(
        # Before opening: clock 07:00, + 240 -> 11:00.
        vn(2026, 3, 10, 6, 30),
        days("0.5"),
        vn(2026, 3, 10, 11, 0),
        "seeded",
        id="before-opening-half-day",
    ),
    pytest.param(
        # Saturday: clock Mon 16 07:00 -> Mon 17:00.
        vn(2026, 3, 14, 10, 0),
        days("1"),
        vn(2026, 3, 16, 17, 0),
        "seeded",
        id="saturday-arrival-1d",
    ),
    pytest.param(
        # Sunday evening: clock Mon 16 07:00; 720 = Mon 480 + 240 of Tue morning -> Tue 11:00.
        vn(2026, 3, 15, 20, 0),
        days("1.5"),
        vn(2026, 3, 17, 11, 0),
        "seeded",
        id="sunday-evening-1-5d",
    ),
    pytest.param(
        # Fri 14:00-17:00 180; 300 left over the weekend: Mon morning 270, 30 -> Mon 14:00.
        vn(2026, 3, 13, 14, 0),
        days("1"),
        vn(2026, 3, 16, 14, 0),
        "seeded",
        id="friday-afternoon-over-weekend",
    ),
    pytest.param(
        # 02:00 UTC = 09:00 in Vietnam (UTC+7): same as the first row, Wed 11 Mar 09:00.
        datetime(2026, 3, 9, 2, 0, tzinfo=UTC),
        days("2"),
        vn(2026, 3, 11, 9, 0),
        "seeded",
        id="utc-input-converted",
    ),
    pytest.param(
        # 60 working days from Mon 2 Mar 07:00: March 2-31 = 22 days; April = 1-3, 6-24
        # (18) + 28, 29 = 20 (27/4 Hùng Kings observed, 30/4 off) -> 42; May 1 off, 4-8 -> 47,
        # 11-15 -> 52, 18-22 -> 57, 25, 26, 27 -> 60: Wed 27 May 17:00.
        vn(2026, 3, 2, 7, 0),
        days("60"),
        vn(2026, 5, 27, 17, 0),
        "seeded",
        id="sixty-working-days",
    ),
    pytest.param(
        # Mon 20 - Fri 24 Apr 2026 are five full working days -> Fri 24 Apr 17:00.
        vn(2026, 4, 20, 7, 0),
        days("5"),
        vn(2026, 4, 24, 17, 0),
        "seeded",
        id="week-before-hung-kings",
    ),
    # ---- Tết 2026: Mon 16 - Fri 20 Feb off (plus weekends 14-15 and 21-22). ----
    pytest.param(
        # Fri 13 15:00-17:00 120; 360 left; next working day Mon 23 Feb: morning 270, 90 ->
        # 13:30 + 90 = 15:00.
        vn(2026, 2, 13, 15, 0),
        days("1"),
        vn(2026, 2, 23, 15, 0),
        "seeded",
        id="tet-2026-spanning",
    ),
    pytest.param(
        # Received during Tết: clock Mon 23 Feb 07:00; 3 full days -> Wed 25 Feb 17:00.
        vn(2026, 2, 18, 10, 0),
        days("3"),
        vn(2026, 2, 25, 17, 0),
        "seeded",
        id="tet-2026-received-during",
    ),
    pytest.param(
        # 15 days from Mon 9 Feb 07:00: 9-13 Feb (5), Tết week skipped, 23-27 Feb (10),
        # 2-6 Mar (15) -> Fri 6 Mar 17:00.
        vn(2026, 2, 9, 7, 0),
        days("15"),
        vn(2026, 3, 6, 17, 0),
        "seeded",
        id="tet-2026-fifteen-days",
    ),
    pytest.param(
        # 1200: Thu 12 10:00-11:30 90 + 210 = 300; Fri 13 480 -> 780; 420 left after Tết:
        # Mon 23 morning 270, 150 -> 13:30 + 150 = 16:00.
        vn(2026, 2, 12, 10, 0),
        days("2.5"),
        vn(2026, 2, 23, 16, 0),
        "seeded",
        id="tet-2026-two-and-half",
    ),
    # ---- Hùng Kings 2026: Sun 26 Apr, observed Mon 27 Apr. ----
    pytest.param(
        # Fri 24 09:00 -> 17:00 = 360; 120 left; Sat, Sun 26, Mon 27 off -> Tue 28 09:00.
        vn(2026, 4, 24, 9, 0),
        days("1"),
        vn(2026, 4, 28, 9, 0),
        "seeded",
        id="hung-kings-2026-observed-monday",
    ),
    pytest.param(
        # Received on the holiday itself (Sunday); Mon 27 also off: clock Tue 28 07:00 -> 11:00.
        vn(2026, 4, 26, 9, 0),
        days("0.5"),
        vn(2026, 4, 28, 11, 0),
        "seeded",
        id="hung-kings-2026-received-on-holiday",
    ),
    # ---- 30/4 - 1/5 2026: Thu 30 Apr and Fri 1 May off. ----
    pytest.param(
        # Wed 29 14:00-17:00 180; 300 left; Thu 30, Fri 1, Sat 2, Sun 3 off -> Mon 4 May:
        # morning 270, 30 -> 14:00.
        vn(2026, 4, 29, 14, 0),
        days("1"),
        vn(2026, 5, 4, 14, 0),
        "seeded",
        id="reunification-labour-2026",
    ),
    pytest.param(
        # Five full days from Fri 24 Apr 07:00: Fri 24 (1), Tue 28 (2), Wed 29 (3),
        # [Thu 30 - Sun 3 off], Mon 4 (4), Tue 5 May (5) -> Tue 5 May 17:00.
        vn(2026, 4, 24, 7, 0),
        days("5"),
        vn(2026, 5, 5, 17, 0),
        "seeded",
        id="hung-kings-and-30-4-2026",
    ),
    # ---- National Day 2026: Mon 31 Aug (swapped), Tue 1 and Wed 2 Sep off; Sat 22 Aug worked.
    pytest.param(
        # Fri 21 Aug 09:00 -> 17:00 = 360; 120 left; Sat 22 Aug is a make-up working day
        # (seeded override) -> Sat 22 Aug 07:00 + 120 = 09:00.
        vn(2026, 8, 21, 9, 0),
        days("1"),
        vn(2026, 8, 22, 9, 0),
        "seeded",
        id="make-up-saturday-22-8-2026",
    ),
    pytest.param(
        # Same dossier with the bare package (no overrides): Sat 22 is a plain Saturday ->
        # Mon 24 Aug 09:00. Shows the seeded override is what makes the previous row.
        vn(2026, 8, 21, 9, 0),
        days("1"),
        vn(2026, 8, 24, 9, 0),
        "package",
        id="without-overrides-22-8-is-saturday",
    ),
    pytest.param(
        # Fri 28 Aug 09:00 -> 17:00 = 360; 120 left; Sat 29, Sun 30, Mon 31 (swap), Tue 1,
        # Wed 2 Sep off -> Thu 3 Sep 09:00.
        vn(2026, 8, 28, 9, 0),
        days("1"),
        vn(2026, 9, 3, 9, 0),
        "seeded",
        id="national-day-2026-with-swap",
    ),
    pytest.param(
        # Fri 28 Aug 16:00-17:00 60; 180 left -> Thu 3 Sep 07:00 + 180 = 10:00.
        vn(2026, 8, 28, 16, 0),
        days("0.5"),
        vn(2026, 9, 3, 10, 0),
        "seeded",
        id="national-day-2026-half-day",
    ),
    pytest.param(
        # Same-day received on the make-up Saturday at 10:00 (before 15:00) -> that day 17:00.
        vn(2026, 8, 22, 10, 0),
        SAME_DAY,
        vn(2026, 8, 22, 17, 0),
        "seeded",
        id="same-day-on-make-up-saturday",
    ),
    # ---- Vietnam Culture Day 24/11/2026 (package: day off; administrators may override). ----
    pytest.param(
        # Mon 23 Nov 09:00 -> 17:00 = 360; 120 left; Tue 24 off -> Wed 25 Nov 09:00.
        vn(2026, 11, 23, 9, 0),
        days("1"),
        vn(2026, 11, 25, 9, 0),
        "seeded",
        id="culture-day-2026-off-by-package",
    ),
    pytest.param(
        # Explicit day_off override: identical to the package result -> Wed 25 Nov 09:00.
        vn(2026, 11, 23, 9, 0),
        days("1"),
        vn(2026, 11, 25, 9, 0),
        "culture_off",
        id="culture-day-2026-off-by-override",
    ),
    pytest.param(
        # working_day override: Tue 24 counts -> 120 left -> Tue 24 Nov 09:00.
        vn(2026, 11, 23, 9, 0),
        days("1"),
        vn(2026, 11, 24, 9, 0),
        "culture_working",
        id="culture-day-2026-worked-by-override",
    ),
    pytest.param(
        # Same-day received on 24/11 at 09:00, worked by override -> Tue 24 Nov 17:00.
        vn(2026, 11, 24, 9, 0),
        SAME_DAY,
        vn(2026, 11, 24, 17, 0),
        "culture_working",
        id="same-day-culture-day-worked",
    ),
    pytest.param(
        # Same-day received on 24/11 at 09:00, a day off -> next working day Wed 25 Nov 17:00.
        vn(2026, 11, 24, 9, 0),
        SAME_DAY,
        vn(2026, 11, 25, 17, 0),
        "seeded",
        id="same-day-culture-day-off",
    ),
    # ---- Same-day procedures and the 15:00 rule. ----
    pytest.param(
        # Exactly 15:00 is not "after 15:00": due the same day at 17:00.
        vn(2026, 3, 10, 15, 0),
        SAME_DAY,
        vn(2026, 3, 10, 17, 0),
        "seeded",
        id="same-day-exactly-1500",
    ),
    pytest.param(
        # 15:00:01 is after the cutoff: next working day Wed 11 Mar 17:00.
        vn(2026, 3, 10, 15, 0, 1),
        SAME_DAY,
        vn(2026, 3, 11, 17, 0),
        "seeded",
        id="same-day-one-second-after-1500",
    ),
    pytest.param(
        # 15:01 after the cutoff -> Wed 11 Mar 17:00.
        vn(2026, 3, 10, 15, 1),
        SAME_DAY,
        vn(2026, 3, 11, 17, 0),
        "seeded",
        id="same-day-after-1500",
    ),
    pytest.param(
        # Friday after 15:00 -> next working day Monday 16 Mar 17:00.
        vn(2026, 3, 13, 15, 30),
        SAME_DAY,
        vn(2026, 3, 16, 17, 0),
        "seeded",
        id="same-day-friday-after-1500-monday",
    ),
    pytest.param(
        # Saturday (non-working) -> Monday 16 Mar 17:00.
        vn(2026, 3, 14, 9, 0),
        SAME_DAY,
        vn(2026, 3, 16, 17, 0),
        "seeded",
        id="same-day-saturday",
    ),
    pytest.param(
        # Before opening on a working day: still that day, 17:00.
        vn(2026, 3, 10, 6, 0),
        SAME_DAY,
        vn(2026, 3, 10, 17, 0),
        "seeded",
        id="same-day-before-opening",
    ),
    pytest.param(
        # During lunch (before the cutoff): that day 17:00.
        vn(2026, 3, 10, 12, 0),
        SAME_DAY,
        vn(2026, 3, 10, 17, 0),
        "seeded",
        id="same-day-lunch",
    ),
    pytest.param(
        # After closing -> Wed 11 Mar 17:00.
        vn(2026, 3, 10, 17, 30),
        SAME_DAY,
        vn(2026, 3, 11, 17, 0),
        "seeded",
        id="same-day-after-closing",
    ),
    pytest.param(
        # Fri 13 Feb 2026 16:00 (after cutoff), next working day after Tết is Mon 23 Feb.
        vn(2026, 2, 13, 16, 0),
        SAME_DAY,
        vn(2026, 2, 23, 17, 0),
        "seeded",
        id="same-day-before-tet-2026",
    ),
    # ---- 2025: 30/4 (Wed), 1/5 (Thu), 2/5 (Fri, swapped) off; Sat 26 Apr worked. ----
    pytest.param(
        # Fri 25 Apr 09:00 -> 17:00 = 360; 120 left; Sat 26 Apr make-up day -> 09:00.
        vn(2025, 4, 25, 9, 0),
        days("1"),
        vn(2025, 4, 26, 9, 0),
        "seeded",
        id="make-up-saturday-26-4-2025",
    ),
    pytest.param(
        # Tue 29 Apr 14:00-17:00 180; 300 left; Wed 30 - Sun 4 May off -> Mon 5 May: morning
        # 270, 30 -> 14:00.
        vn(2025, 4, 29, 14, 0),
        days("1"),
        vn(2025, 5, 5, 14, 0),
        "seeded",
        id="reunification-labour-2025",
    ),
    # ---- 2027 (package only; official schedule not yet known). ----
    pytest.param(
        # Wed 3 Feb 14:00-17:00 180; 300 left; Thu 4 - Wed 10 Feb Tết -> Thu 11 Feb: 270,
        # 30 -> 14:00.
        vn(2027, 2, 3, 14, 0),
        days("1"),
        vn(2027, 2, 11, 14, 0),
        "seeded",
        id="tet-2027",
    ),
    pytest.param(
        # Thu 15 Apr 09:00 -> 17:00 = 360; 120 left; Fri 16 Hùng Kings, weekend -> Mon 19 09:00.
        vn(2027, 4, 15, 9, 0),
        days("1"),
        vn(2027, 4, 19, 9, 0),
        "seeded",
        id="hung-kings-2027",
    ),
]


@pytest.mark.parametrize(("received_at", "limit", "expected", "calendar_key"), DUE_CASES)
def test_due_at(
    received_at: datetime, limit: TimeLimit, expected: datetime, calendar_key: str
) -> None:
    calendar = CALENDARS[calendar_key]
    assert_vn(due_at(received_at, limit, calendar=calendar), expected)


# Same-day limits have no fixed length, so they have no round trip.
FIXED_LENGTH_CASES = [case for case in DUE_CASES if not case.values[1].same_day]


@pytest.mark.parametrize(("received_at", "limit", "expected", "calendar_key"), FIXED_LENGTH_CASES)
def test_due_at_consumes_exactly_the_limit(
    received_at: datetime, limit: TimeLimit, expected: datetime, calendar_key: str
) -> None:
    """Round trip: the working minutes from clock start to the due time equal the limit."""
    calendar = CALENDARS[calendar_key]
    start = clock_start(received_at, calendar=calendar)
    minutes = working_minutes_between(start, expected, calendar=calendar)
    assert minutes == limit.working_minutes()


# --------------------------------------------------------------------------------------------
# clock_start
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("received_at", "expected"),
    [
        (vn(2026, 3, 10, 9, 17), vn(2026, 3, 10, 9, 17)),  # open: starts at once
        (vn(2026, 3, 10, 5, 0), vn(2026, 3, 10, 7, 0)),  # before opening
        (vn(2026, 3, 10, 11, 30), vn(2026, 3, 10, 13, 30)),  # morning just closed: lunch
        (vn(2026, 3, 10, 13, 29), vn(2026, 3, 10, 13, 30)),  # lunch
        (vn(2026, 3, 10, 16, 59), vn(2026, 3, 10, 16, 59)),  # still open
        (vn(2026, 3, 10, 17, 0), vn(2026, 3, 11, 7, 0)),  # closed
        (vn(2026, 2, 13, 18, 0), vn(2026, 2, 23, 7, 0)),  # Friday evening before Tết 2026
        (vn(2026, 8, 21, 18, 0), vn(2026, 8, 22, 7, 0)),  # next day is the make-up Saturday
    ],
)
def test_clock_start(received_at: datetime, expected: datetime) -> None:
    assert_vn(clock_start(received_at, calendar=SEEDED), expected)


# --------------------------------------------------------------------------------------------
# working_minutes_between: (start, end, expected minutes, calendar)
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("start", "end", "expected", "calendar_key"),
    [
        # 09:00-11:30 150 + 13:30-16:00 150.
        pytest.param(vn(2026, 3, 9, 9), vn(2026, 3, 9, 16), 300, "seeded", id="same-day"),
        pytest.param(vn(2026, 3, 9, 9), vn(2026, 3, 9, 9), 0, "seeded", id="empty"),
        pytest.param(vn(2026, 3, 9, 16), vn(2026, 3, 9, 9), 0, "seeded", id="reversed"),
        pytest.param(vn(2026, 3, 9, 12), vn(2026, 3, 9, 13), 0, "seeded", id="lunch-only"),
        pytest.param(vn(2026, 3, 9, 7), vn(2026, 3, 9, 17), 480, "seeded", id="full-day"),
        # Partial minutes are dropped: 59 s is 0 whole minutes.
        pytest.param(vn(2026, 3, 9, 9, 0, 0), vn(2026, 3, 9, 9, 0, 59), 0, "seeded", id="seconds"),
        # Mon 00:00 -> Sat 00:00: five full days, 5 * 480.
        pytest.param(vn(2026, 3, 9), vn(2026, 3, 14), 2400, "seeded", id="whole-week"),
        # Fri 16:00-17:00 60 + Mon 07:00-08:00 60; the weekend counts nothing.
        pytest.param(vn(2026, 3, 13, 16), vn(2026, 3, 16, 8), 120, "seeded", id="over-weekend"),
        # Fri 21 Aug 60 + Sat 22 Aug (make-up day) 480 + Mon 24 Aug 60.
        pytest.param(vn(2026, 8, 21, 16), vn(2026, 8, 24, 8), 600, "seeded", id="make-up-saturday"),
        # Same span with the bare package: Sat 22 Aug is a day off -> 60 + 60.
        pytest.param(
            vn(2026, 8, 21, 16), vn(2026, 8, 24, 8), 120, "package", id="no-make-up-saturday"
        ),
        # Thu 12 Feb 10:00-11:30 90 + 210 = 300; Fri 13 480; Tết 16-20 and weekends 0;
        # Mon 23 480; Tue 24 07:00-10:00 180 -> 1440.
        pytest.param(
            vn(2026, 2, 12, 10), vn(2026, 2, 24, 10), 1440, "seeded", id="across-tet-2026"
        ),
        # Thu 23 Apr 15:00-17:00 120; Fri 24 480; Sat, Sun 26, Mon 27 (Hùng Kings observed)
        # 0; Tue 28 07:00-08:00 60 -> 660.
        pytest.param(
            vn(2026, 4, 23, 15), vn(2026, 4, 28, 8), 660, "seeded", id="across-hung-kings"
        ),
        # The whole of Tue 24 Nov 2026: a day off by the package, worked by override.
        pytest.param(vn(2026, 11, 24), vn(2026, 11, 25), 0, "seeded", id="culture-day-off"),
        pytest.param(
            vn(2026, 11, 24), vn(2026, 11, 25), 480, "culture_working", id="culture-day-worked"
        ),
    ],
)
def test_working_minutes_between(
    start: datetime, end: datetime, expected: int, calendar_key: str
) -> None:
    calendar = CALENDARS[calendar_key]
    assert working_minutes_between(start, end, calendar=calendar) == expected


# --------------------------------------------------------------------------------------------
# add_working_minutes
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("start", "minutes", "expected"),
    [
        # Zero minutes: unchanged, even outside office hours.
        (vn(2026, 3, 9, 17, 0), 0, vn(2026, 3, 9, 17, 0)),
        (vn(2026, 3, 9, 20, 0), 0, vn(2026, 3, 9, 20, 0)),
        # From 17:00 (closing), 30 min -> Tue 07:30.
        (vn(2026, 3, 9, 17, 0), 30, vn(2026, 3, 10, 7, 30)),
        # 11:00 + 30 = 11:30, the morning end itself.
        (vn(2026, 3, 9, 11, 0), 30, vn(2026, 3, 9, 11, 30)),
        # 11:00 + 31: 30 to 11:30, 1 more from 13:30 -> 13:31.
        (vn(2026, 3, 9, 11, 0), 31, vn(2026, 3, 9, 13, 31)),
    ],
)
def test_add_working_minutes(start: datetime, minutes: int, expected: datetime) -> None:
    assert_vn(add_working_minutes(start, minutes, calendar=SEEDED), expected)


# --------------------------------------------------------------------------------------------
# resume_due_at: (due, paused_at, resumed_at, expected new due)
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("due", "paused_at", "resumed_at", "expected"),
    [
        pytest.param(
            # Received Mon 20 Apr 2026 07:00, 5 days -> due Fri 24 Apr 17:00 (row above).
            # Paused Thu 23 15:00, resumed Tue 28 08:00: 660 working minutes elapsed (Thu 120,
            # Fri 480, Tue 60; the Hùng Kings Monday counts nothing). Fri 24 17:00 + 660:
            # Tue 28 480, 180 left -> Wed 29 07:00 + 180 = 10:00.
            vn(2026, 4, 24, 17, 0),
            vn(2026, 4, 23, 15, 0),
            vn(2026, 4, 28, 8, 0),
            vn(2026, 4, 29, 10, 0),
            id="pause-across-hung-kings",
        ),
        pytest.param(
            # Received Mon 9 Feb 2026 07:00, 5 days -> due Fri 13 Feb 17:00. Paused Thu 12
            # 10:00, resumed Tue 24 10:00: 1440 working minutes (Tết counts nothing). Fri 13
            # 17:00 + 1440 = Mon 23, Tue 24, Wed 25 full days -> Wed 25 Feb 17:00.
            # Cross-check: 780 min were left at the pause; from Tue 24 10:00: 300 that day,
            # 480 on Wed -> Wed 17:00.
            vn(2026, 2, 13, 17, 0),
            vn(2026, 2, 12, 10, 0),
            vn(2026, 2, 24, 10, 0),
            vn(2026, 2, 25, 17, 0),
            id="pause-across-tet-2026",
        ),
        pytest.param(
            # Due Thu 3 Sep 2026 09:00 (row above). Paused Fri 28 Aug 16:00, resumed Thu 3 Sep
            # 08:00: Fri 60 + Thu 60 = 120 (31/8, 1/9, 2/9 off). 09:00 + 120 -> 11:00.
            vn(2026, 9, 3, 9, 0),
            vn(2026, 8, 28, 16, 0),
            vn(2026, 9, 3, 8, 0),
            vn(2026, 9, 3, 11, 0),
            id="pause-across-national-day-2026",
        ),
        pytest.param(
            # Paused Mon 17:30, resumed Tue 06:45: no office time elapsed -> unchanged.
            vn(2026, 3, 11, 9, 0),
            vn(2026, 3, 9, 17, 30),
            vn(2026, 3, 10, 6, 45),
            vn(2026, 3, 11, 9, 0),
            id="pause-outside-office-hours",
        ),
        pytest.param(
            # Due Mon 17:00; 30-min pause 10:00-10:30 -> 30 min past closing -> Tue 07:30.
            vn(2026, 3, 9, 17, 0),
            vn(2026, 3, 9, 10, 0),
            vn(2026, 3, 9, 10, 30),
            vn(2026, 3, 10, 7, 30),
            id="pause-pushes-past-closing",
        ),
    ],
)
def test_resume_due_at(
    due: datetime, paused_at: datetime, resumed_at: datetime, expected: datetime
) -> None:
    result = resume_due_at(due, paused_at=paused_at, resumed_at=resumed_at, calendar=SEEDED)
    assert_vn(result, expected)


def test_resume_before_pause_is_rejected() -> None:
    with pytest.raises(ValueError, match="before paused_at"):
        resume_due_at(
            vn(2026, 3, 11, 9),
            paused_at=vn(2026, 3, 10, 9),
            resumed_at=vn(2026, 3, 9, 9),
            calendar=SEEDED,
        )


# --------------------------------------------------------------------------------------------
# is_late / is_due_soon: (due, at, late?, due soon?)
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("due", "at", "late", "soon"),
    [
        # At the due minute itself: not late yet, due soon.
        (vn(2026, 3, 11, 9), vn(2026, 3, 11, 9), False, True),
        # One minute past: late (and therefore not "due soon").
        (vn(2026, 3, 11, 9), vn(2026, 3, 11, 9, 1), True, False),
        # Tue 09:00: 150 + 210 + Wed 07:00-09:00 120 = 480 left -> due soon.
        (vn(2026, 3, 11, 9), vn(2026, 3, 10, 9), False, True),
        # Tue 08:59: 481 left -> not yet.
        (vn(2026, 3, 11, 9), vn(2026, 3, 10, 8, 59), False, False),
        # Fri 13 Mar 17:00 -> Mon 16 17:00: weekend free, 480 left -> due soon.
        (vn(2026, 3, 16, 17), vn(2026, 3, 13, 17), False, True),
        # Fri 16:59: 1 + 480 = 481 -> not yet.
        (vn(2026, 3, 16, 17), vn(2026, 3, 13, 16, 59), False, False),
        # Fri 13 Feb 2026 15:00 -> Mon 23 Feb 15:00: 120 + 360 = 480 (Tết is free) -> soon.
        (vn(2026, 2, 23, 15), vn(2026, 2, 13, 15), False, True),
        # 02:00 UTC is 09:00 in Vietnam, the due instant itself: not late, due soon.
        (vn(2026, 3, 11, 9), datetime(2026, 3, 11, 2, 0, tzinfo=UTC), False, True),
    ],
)
def test_is_late_and_due_soon(due: datetime, at: datetime, late: bool, soon: bool) -> None:
    assert is_late(due, at=at) is late
    assert is_due_soon(due, at=at, calendar=SEEDED) is soon


# --------------------------------------------------------------------------------------------
# The calendar itself
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2026, 2, 13), True),  # Friday before Tết
        *[(date(2026, 2, d), False) for d in range(16, 21)],  # Tết 2026, Mon 16 - Fri 20
        (date(2026, 2, 23), True),  # first day back
        (date(2026, 4, 27), False),  # Hùng Kings observed (26/4 is a Sunday)
        (date(2026, 4, 30), False),
        (date(2026, 5, 1), False),
        (date(2026, 8, 22), True),  # make-up Saturday (seeded override)
        (date(2026, 8, 29), False),  # ordinary Saturday
        (date(2026, 8, 31), False),  # swapped day off
        (date(2026, 9, 1), False),
        (date(2026, 9, 2), False),
        (date(2026, 9, 3), True),
        (date(2026, 11, 24), False),  # Vietnam Culture Day per the package, not overridden
        (date(2025, 4, 26), True),  # make-up Saturday 2025 (seeded override)
        (date(2025, 5, 2), False),  # swapped day off 2025
        (date(2025, 4, 7), False),  # Hùng Kings 2025
        (date(2027, 5, 3), False),  # Labour Day 2027 (Saturday) observed Monday
    ],
)
def test_seeded_calendar_working_days(day: date, working: bool) -> None:
    assert SEEDED.is_working_day(day) is working


def test_next_working_day_is_strictly_after() -> None:
    assert SEEDED.next_working_day(date(2026, 3, 9)) == date(2026, 3, 10)
    assert SEEDED.next_working_day(date(2026, 2, 13)) == date(2026, 2, 23)
    assert SEEDED.next_working_day(date(2026, 8, 21)) == date(2026, 8, 22)
    assert SEEDED.next_working_day(date(2026, 8, 28)) == date(2026, 9, 3)


def test_seeded_overrides_file_contents() -> None:
    kinds = {record["date"]: record["kind"] for record in SEEDED_RECORDS}
    assert kinds["2026-08-22"] == "working_day"
    assert kinds["2025-04-26"] == "working_day"
    assert all(record["note"] for record in SEEDED_RECORDS)
    # The package does not list make-up Saturdays: without the file they are days off.
    assert not CALENDARS["package"].is_working_day(date(2026, 8, 22))


def test_conflicting_overrides_are_rejected() -> None:
    with pytest.raises(ValueError, match="both"):
        WorkCalendar(extra_days_off=[date(2026, 3, 9)], extra_working_days=[date(2026, 3, 9)])


def test_unknown_override_kind_is_rejected() -> None:
    with pytest.raises(ValueError, match="unknown calendar override kind"):
        WorkCalendar.from_overrides([{"date": "2026-03-09", "kind": "holiday"}])


# --------------------------------------------------------------------------------------------
# Unit-specific office hours
# --------------------------------------------------------------------------------------------
LATE_MORNING = OfficeHours(
    morning_start=time(7, 30),
    morning_end=time(11, 30),
    afternoon_start=time(13, 0),
    afternoon_end=time(17, 0),
    same_day_cutoff=time(16, 0),
)  # 240 + 240 = 480 min a day


@pytest.mark.parametrize(
    ("received_at", "limit", "expected"),
    [
        # Clock starts at 07:30; + 240 = 11:30, the end of this unit's morning.
        (vn(2026, 3, 9, 7, 0), days("0.5"), vn(2026, 3, 9, 11, 30)),
        # Lunch 11:30-13:00: clock 13:00; 240 -> 17:00; 240 left = Tue morning -> 11:30.
        (vn(2026, 3, 9, 12, 30), days("1"), vn(2026, 3, 10, 11, 30)),
        # Cutoff 16:00: 15:30 is still the same day.
        (vn(2026, 3, 9, 15, 30), SAME_DAY, vn(2026, 3, 9, 17, 0)),
        (vn(2026, 3, 9, 16, 1), SAME_DAY, vn(2026, 3, 10, 17, 0)),
    ],
)
def test_custom_office_hours(received_at: datetime, limit: TimeLimit, expected: datetime) -> None:
    assert_vn(due_at(received_at, limit, hours=LATE_MORNING, calendar=SEEDED), expected)


def test_short_day_unit() -> None:
    # 07:30-11:30 (240) + 13:30-17:00 (210) = 450 min a day: one day from 07:30 ends 17:00.
    hours = OfficeHours(morning_start=time(7, 30))
    assert hours.minutes_per_day == 450
    assert_vn(
        due_at(vn(2026, 3, 9, 7, 30), days("1"), hours=hours, calendar=SEEDED),
        vn(2026, 3, 9, 17, 0),
    )


def test_invalid_office_hours() -> None:
    with pytest.raises(ValueError, match="morning_start < morning_end"):
        OfficeHours(morning_end=time(14, 0))
    with pytest.raises(ValueError, match="cutoff"):
        OfficeHours(same_day_cutoff=time(18, 0))


# --------------------------------------------------------------------------------------------
# TimeLimit
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("value", "minutes"),
    [("0.5", 240), ("1", 480), ("1.5", 720), ("2.5", 1200), ("15", 7200), ("60", 28800)],
)
def test_time_limit_minutes(value: str, minutes: int) -> None:
    assert TimeLimit(working_days=Decimal(value)).working_minutes() == minutes


def test_time_limit_accepts_int_and_str() -> None:
    assert TimeLimit(working_days=2).working_days == Decimal(2)
    assert TimeLimit(working_days="2.5").working_days == Decimal("2.5")


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({}, ValueError),
        ({"working_days": Decimal("1"), "same_day": True}, ValueError),
        ({"working_days": Decimal("0")}, ValueError),
        ({"working_days": Decimal("-1")}, ValueError),
        ({"working_days": "abc"}, ValueError),
        ({"working_days": 1.5}, TypeError),
    ],
)
def test_time_limit_validation(kwargs: dict[str, Any], error: type[Exception]) -> None:
    with pytest.raises(error):
        TimeLimit(**kwargs)


def test_same_day_limit_has_no_length() -> None:
    with pytest.raises(ValueError, match="same-day"):
        SAME_DAY.working_minutes()


# --------------------------------------------------------------------------------------------
# Naive datetimes are rejected everywhere
# --------------------------------------------------------------------------------------------
NAIVE = datetime(2026, 3, 9, 9, 0)
AWARE = vn(2026, 3, 9, 9, 0)


@pytest.mark.parametrize(
    "call",
    [
        pytest.param(lambda: due_at(NAIVE, days("1"), calendar=SEEDED), id="due_at"),
        pytest.param(lambda: due_at(NAIVE, SAME_DAY, calendar=SEEDED), id="due_at-same-day"),
        pytest.param(lambda: clock_start(NAIVE, calendar=SEEDED), id="clock_start"),
        pytest.param(lambda: add_working_minutes(NAIVE, 10, calendar=SEEDED), id="add"),
        pytest.param(lambda: working_minutes_between(AWARE, NAIVE, calendar=SEEDED), id="between"),
        pytest.param(
            lambda: resume_due_at(AWARE, paused_at=NAIVE, resumed_at=AWARE, calendar=SEEDED),
            id="resume",
        ),
        pytest.param(lambda: is_late(AWARE, at=NAIVE), id="is_late"),
        pytest.param(lambda: is_due_soon(NAIVE, at=AWARE, calendar=SEEDED), id="is_due_soon"),
    ],
)
def test_naive_datetime_rejected(call: Any) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        call()


def test_negative_minutes_rejected() -> None:
    with pytest.raises(ValueError, match="negative"):
        add_working_minutes(AWARE, -1, calendar=SEEDED)
