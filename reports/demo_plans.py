"""The demo history's plan: which dossiers October 2020 needs, with their times and people.

See reports.demo for what the history is and why it is written in bulk.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.utils import timezone

from dossiers.models import Dossier
from portal.models import Membership, Role
from portal.names import full_name_fields
from procedures import clock
from procedures.calendar import procedure_time_limit, unit_office_hours, work_calendar
from procedures.models import (
    Channel,
    Procedure,
    Unit,
)
from procedures.selectors import in_force
from procedures.text import fold

MARK = "demo-history-2020:"
DISTRICT = "111"
PERIOD_START = dt.date(2020, 10, 1)
PERIOD_END = dt.date(2020, 10, 31)
# The letter's district offered 364 procedures (DOMAIN.md §9).
CATALOGUE_2020 = {2: 348, 3: 12, 4: 4}
PLACEHOLDER_PREFIX = "9."
UTC = dt.UTC
S = Dossier.Status

# The specialist office a dossier of the district desk goes to, by field of work.
OFFICE_BY_FIELD = {
    "Đất đai": "111-TNMT",
    "Môi trường": "111-TNMT",
    "Chứng thực": "111-TP",
    "Hộ tịch": "111-TP",
    "Nuôi con nuôi": "111-TP",
    "Thành lập và hoạt động của hộ kinh doanh": "111-TCKH",
    "Bảo trợ xã hội": "111-LDTBXH",
    "Giáo dục và Đào tạo": "111-GDDT",
    "Thi đua – Khen thưởng": "111-NV",
    "Xây dựng": "111-KTHT",
}
FAMILY = [
    "Lò",
    "Vàng",
    "Tao",
    "Lù",
    "Sần",
    "Giàng",
    "Nguyễn",
    "Hoàng",
    "Lường",
    "Chẻo",
    "Phàn",
    "Đèo",
    "Tẩn",
    "Lý",
    "Trần",
]
GIVEN_M = [
    "Văn Minh",
    "Văn Thắng",
    "A Sử",
    "Văn Pọm",
    "Văn Hùng",
    "A Lử",
    "Văn Dũng",
    "Đức Anh",
    "Văn Khánh",
    "A Páo",
]
VILLAGES = ["Nà Ít", "Phiêng Phát", "Hô Ta", "Mường", "Nà Bó", "Chu Va", "Hua Pầu"]
GIVEN_F = [
    "Thị Mai",
    "Thị Lan",
    "Thị Hương",
    "Thị Xuân",
    "Thị Ngọc",
    "Thị Pằng",
    "Thị Dung",
    "Thị Hoa",
    "Thị Thu",
    "Thị Sua",
]


@dataclass
class Plan:
    """One dossier to write."""

    unit: Unit
    level: int
    channel: str
    received_at: datetime
    resolved_in_period: bool = False
    procedure: Procedure | None = None
    due_at: datetime | None = None
    resolved_at: datetime | None = None
    returned_at: datetime | None = None
    late: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


def demo_staff(units: list[Unit]) -> dict[str, dict[str, Any]]:
    """For each unit (and the desk's offices): who receives and returns, who decides."""
    from portal.demo import DEMO_PASSWORD

    User = get_user_model()
    hashed: list[str] = []  # hashing is slow on purpose: once for every demo account

    def officer(username: str, full_name: str, unit: Unit, role: str, title: str) -> Any:
        user = User.objects.filter(username=username).first()
        if user is None:
            hashed[:] = hashed or [make_password(DEMO_PASSWORD)]
            user = User.objects.create(
                username=username, password=hashed[0], **full_name_fields(full_name)
            )
        Membership.objects.get_or_create(user=user, unit=unit, role=role, defaults={"title": title})
        return user

    staff: dict[str, dict[str, Any]] = {}
    for unit in units:
        existing = {
            m.role: m.user
            for m in Membership.objects.filter(unit=unit).select_related("user").order_by("id")
        }
        slug = "".join(fold(unit.name).replace("ubnd", "").replace("xa ", "").split())[:20]
        if unit.is_one_stop_desk or unit.kind != Unit.Kind.COMMUNE:
            desk = existing.get(Role.DESK) or officer(
                f"tiepnhan.{slug}", "Lò Thị Mai", unit, Role.DESK, "Công chức một cửa"
            )
            staff[unit.code] = {"desk": desk, "decider": None}
            continue
        rng = random.Random(unit.code)  # noqa: S311 - names, not secrets
        desk = existing.get(Role.DESK) or officer(
            f"tiepnhan.{slug}",
            f"{rng.choice(FAMILY)} {rng.choice(GIVEN_M)}",
            unit,
            Role.DESK,
            "Công chức Văn phòng - Thống kê",
        )
        decider = existing.get(Role.SPECIALIST) or officer(
            f"tuphap.{slug}",
            f"{rng.choice(FAMILY)} {rng.choice(GIVEN_F)}",
            unit,
            Role.SPECIALIST,
            "Công chức Tư pháp - Hộ tịch",
        )
        staff[unit.code] = {"desk": desk, "decider": decider}
    for code in set(OFFICE_BY_FIELD.values()) | {"111-VP"}:
        office = Unit.objects.filter(code=code).first()
        if office is None:
            continue
        member = (
            Membership.objects.filter(unit=office, role__in=[Role.SPECIALIST, Role.HEAD])
            .select_related("user")
            .order_by("role", "id")
            .first()
        )
        user = (
            member.user
            if member
            else officer(
                f"chuyenvien.{code.split('-')[-1].lower()}",
                "Hoàng Văn Dũng",
                office,
                Role.SPECIALIST,
                "Chuyên viên",
            )
        )
        staff[code] = {"desk": None, "decider": user, "unit": office}
    return staff


# --- Planning the dossiers -----------------------------------------------------------------

CALENDAR_CACHE: list[clock.WorkCalendar] = []


def demo_calendar() -> clock.WorkCalendar:
    if not CALENDAR_CACHE:
        CALENDAR_CACHE.append(work_calendar())
    return CALENDAR_CACHE[0]


def working_days(start: dt.date, end: dt.date) -> list[dt.date]:
    calendar = demo_calendar()
    days, day = [], start
    while day <= end:
        if calendar.is_working_day(day):
            days.append(day)
        day += dt.timedelta(days=1)
    return days


def local_at(day: dt.date, hour: int, minute: int) -> datetime:
    return timezone.make_aware(datetime.combine(day, dt.time(hour, minute)))


def office_time(rng: random.Random, day: dt.date) -> datetime:
    minutes = rng.choice(
        [rng.randint(7 * 60 + 30, 11 * 60), rng.randint(13 * 60 + 45, 16 * 60 + 30)]
    )
    return local_at(day, minutes // 60, minutes % 60)


def demo_unit_plans(unit: Unit, row: dict[str, str], rng: random.Random) -> list[Plan]:
    """The dossiers behind one row of the letter: backlog, October receptions, resolutions."""
    n = {k: int(v) for k, v in row.items() if k not in ("stt", "unit_name") and v.isdigit()}
    received = [
        (2, Channel.COUNTER, n["l2_received"]),
        (3, Channel.COUNTER, n["l3_received_direct"]),
        (3, Channel.ONLINE, n["l3_received_online"]),
        (4, Channel.COUNTER, n["l4_received_direct"]),
        (4, Channel.ONLINE, n["l4_received_online"]),
    ]
    # A row whose level split falls short of its total (Trung Đồng: 65 of 68): the missing
    # dossiers are level 2 at the counter, which keeps the total, the one-stop count and the
    # resolved/unresolved split of the row right.
    gap = n["received_total"] - sum(count for _l, _c, count in received)
    if gap > 0:
        received[0] = (2, Channel.COUNTER, n["l2_received"] + gap)
    october = working_days(PERIOD_START, PERIOD_END)
    slots: list[tuple[int, str]] = []
    for level, channel, count in received:
        slots.extend([(level, channel)] * count)
    rng.shuffle(slots)
    plans = []
    for i, (level, channel) in enumerate(slots):
        day = october[i * len(october) // max(1, len(slots))]
        plans.append(
            Plan(unit=unit, level=level, channel=channel, received_at=office_time(rng, day))
        )
    plans.sort(key=lambda p: p.received_at)
    backlog_days = working_days(dt.date(2020, 9, 21), dt.date(2020, 9, 30))
    backlog = [
        Plan(
            unit=unit,
            level=2,
            channel=Channel.COUNTER,
            received_at=office_time(rng, rng.choice(backlog_days)),
            extra={"backlog": True},
        )
        for _i in range(n["backlog"])
    ]
    # Resolved in October: the backlog first, then the oldest receptions of each level.
    for level in (2, 3, 4):
        pool = [p for p in backlog + plans if p.level == level]
        for plan in pool[: n[f"resolved_l{level}"]]:
            plan.resolved_in_period = True
    return sorted(backlog, key=lambda p: p.received_at) + plans


def procedure_candidates(
    unit: Unit, level: int, channel: str, on: dt.date, *, long: bool
) -> list[Procedure]:
    qs = (
        Procedure.objects.filter(in_force(on=on), level=level, units=unit)
        .exclude(code__startswith=PLACEHOLDER_PREFIX)
        .prefetch_related("channels")
        .order_by("code")
    )
    found = [
        p
        for p in qs
        if any(c.channel == channel for c in p.channels.all()) or channel == Channel.COUNTER
    ]
    if long:
        slow = [
            p
            for p in found
            if any(not c.same_day and (c.working_days or 0) >= 5 for c in p.channels.all())
        ]
        found = slow or found
    if not found:
        found = list(
            Procedure.objects.filter(in_force(on=on), level=level, units=unit).order_by("code")
        )
    return found


def plan_times(plan: Plan, rng: random.Random, calendar: clock.WorkCalendar) -> None:
    """Due time by the clock; resolution inside the limit (a few late), return after it."""
    assert plan.procedure is not None
    limit = procedure_time_limit(plan.procedure, plan.channel)
    hours = unit_office_hours(plan.unit)
    plan.due_at = clock.due_at(plan.received_at, limit, hours=hours, calendar=calendar)
    due_day = timezone.localtime(plan.due_at).date()
    received_day = timezone.localtime(plan.received_at).date()
    if plan.resolved_in_period:
        # Decided in October: inside the limit, except a few (and the backlog already
        # overdue on 1 October).
        overdue_already = due_day < PERIOD_START
        late = overdue_already or (rng.random() < 0.03 and due_day < dt.date(2020, 10, 29))
        if late:
            day = working_days(
                max(due_day + dt.timedelta(days=1), PERIOD_START), dt.date(2020, 10, 30)
            )[0]
        else:
            days = working_days(
                max(received_day, PERIOD_START), min(due_day, dt.date(2020, 10, 30))
            )
            day = rng.choice(days[: len(days) // 2 + 1]) if days else received_day
        if day == received_day:
            moment = plan.received_at + dt.timedelta(minutes=rng.randint(30, 150))
        else:
            moment = office_time(rng, day)
        if late:
            moment = max(moment, plan.due_at + dt.timedelta(hours=2))
        elif moment > plan.due_at:
            moment = max(
                plan.received_at + dt.timedelta(minutes=20), plan.due_at - dt.timedelta(minutes=15)
            )
        plan.resolved_at = moment
    else:
        # Unfinished on 31 October: decided in the first half of November.
        day = rng.choice(working_days(dt.date(2020, 11, 2), dt.date(2020, 11, 13)))
        plan.resolved_at = office_time(rng, day)
    plan.late = plan.resolved_at > plan.due_at
    back = working_days(
        timezone.localtime(plan.resolved_at).date() + dt.timedelta(days=1),
        timezone.localtime(plan.resolved_at).date() + dt.timedelta(days=7),
    )
    if rng.random() < 0.5 or not back:
        plan.returned_at = plan.resolved_at + dt.timedelta(minutes=rng.randint(10, 60))
    else:
        plan.returned_at = office_time(rng, back[rng.randint(0, min(2, len(back) - 1))])


# --- Writing -------------------------------------------------------------------------------


def applicant_person(rng: random.Random, unit: Unit) -> dict[str, str]:
    female = rng.random() < 0.5
    name = f"{rng.choice(FAMILY)} {rng.choice(GIVEN_F if female else GIVEN_M)}"
    place = unit.name.replace("UBND ", "") if unit.kind == Unit.Kind.COMMUNE else "huyện Tân Uyên"
    return {
        "applicant_name": name,
        "applicant_id_number": f"012{rng.randint(0, 999_999_999):09d}",
        "applicant_phone": f"09{rng.randint(0, 99_999_999):08d}",
        "applicant_address": f"Bản {rng.choice(VILLAGES)}, {place}",
    }
