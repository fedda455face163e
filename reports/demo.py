"""The demo history: October 2020 in Tân Uyên, as the letter's appendix tells it.

`demo_history_seed()` (called by `manage.py seed_demo`) adds the dossiers received in October
2020, and the backlog received before it, so that the appendix computed for 1–31 Oct 2020
reads like the letter's table (reports/data/appendix-tan-uyen-2020-10.csv) in every cell the
table itself keeps consistent. Idempotent: demo dossiers carry the idempotency key prefix
`demo-history-2020:` and nothing is added once they exist.

Why bulk creation and not the dossier services: the services would queue an SMS for each of
the ~1,900 historical dossiers (and their update keys), and play ~8,000 transitions one by
one. History is written instead the way an import writes it: dossiers with their final
fields, and every event of their life with its hash chain (dossiers.services.events
.event_digest, so event_chain_verify holds), the hand-over rows of Mẫu 05, the daily code
sequences; then the report summaries are rebuilt for the units touched.

The TTHC columns count the procedures in force at the end of the period in the unit's
district (reports/README.md). The demo catalogue holds 37 real procedures; in force in October
2020 they are fewer than the letter's 348 + 12 + 4, so the rest of the district's 2020
published list is added as historical catalogue entries (code 9.LNNNNN, marked unconfirmed,
in force 2018-01-01 → 2020-12-31): they count in 2020 and are out of today's catalogue.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import random
import secrets
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from citizens.models import Rating
from dossiers.models import DailySequence, Dossier, DossierEvent, Handover
from dossiers.services.actions import handover_punctuality
from dossiers.services.core import procedure_fee
from dossiers.services.events import event_digest
from dossiers.services.keys import update_key_hash
from portal.models import Membership, Role
from procedures import clock
from procedures.calendar import procedure_time_limit, unit_office_hours, work_calendar
from procedures.models import (
    Channel,
    Field,
    Procedure,
    ProcedureChannel,
    ProcedureDocument,
    Unit,
)
from procedures.selectors import in_force, unit_descendant_ids
from procedures.text import fold
from reports.summaries import summaries_rebuild

LETTER_CSV = Path(__file__).resolve().parent / "data" / "appendix-tan-uyen-2020-10.csv"
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


def letter_rows() -> list[dict[str, str]]:
    with LETTER_CSV.open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def demo_history_seed() -> int:
    """Add the October 2020 history unless it is there; return how many dossiers were added."""
    if Dossier.objects.filter(idempotency_key__startswith=MARK).exists():
        return 0
    _CALENDAR.clear()  # read the holiday overrides afresh once per run
    units = {u.report_order: u for u in Unit.objects.filter(is_reporting_unit=True)}
    if not units:
        return 0
    catalogue_2020_complete()
    # Not for secrets: the letter's date as seed gives the same history on every machine.
    rng = random.Random(20201030)  # noqa: S311
    plans: list[Plan] = []
    for row in letter_rows():
        unit = units.get(int(row["stt"]))
        if unit is not None:
            plans.extend(_unit_plans(unit, row, rng))
    staff = _staff(sorted({p.unit for p in plans}, key=lambda u: u.report_order))
    written = _write(plans, staff, rng)
    summaries_rebuild(unit_ids=sorted({p.unit.pk for p in plans}))
    return written


# --- The 2020 catalogue --------------------------------------------------------------------


def catalogue_2020_complete() -> int:
    """Top the district's 2020 catalogue up to the letter's 348/12/4 procedures in force on
    31 Oct 2020 with historical entries; return how many entries that needed.

    The entries are written in bulk (a few statements instead of ~5,000 through the
    catalogue importer, which validates files typed by people; these are generated).
    """
    district = Unit.objects.filter(code=DISTRICT).first()
    desk = Unit.objects.filter(is_one_stop_desk=True, parent__code=DISTRICT).first()
    if district is None or desk is None:
        return 0
    tree = unit_descendant_ids(unit=district)
    wanted: list[tuple[str, int, int]] = []
    for level, target in CATALOGUE_2020.items():
        real = (
            Procedure.objects.filter(in_force(on=PERIOD_END), level=level, units__in=tree)
            .exclude(code__startswith=PLACEHOLDER_PREFIX)
            .values("code")
            .distinct()
            .count()
        )
        codes = [f"{PLACEHOLDER_PREFIX}{level}{n:05d}" for n in range(1, target - real + 1)]
        # Entries no longer needed (the real catalogue grew) go, unless a dossier uses them.
        (
            Procedure.objects.filter(code__startswith=f"{PLACEHOLDER_PREFIX}{level}")
            .exclude(code__in=codes)
            .filter(dossiers__isnull=True)
            .delete()
        )
        wanted.extend((code, level, n) for n, code in enumerate(codes, start=1))
    have = set(
        Procedure.objects.filter(code__in=[w[0] for w in wanted]).values_list("code", flat=True)
    )
    missing = [w for w in wanted if w[0] not in have]
    if missing:
        _placeholders_create(missing, desk)
    return len(missing)


def _placeholders_create(entries: list[tuple[str, int, int]], desk: Unit) -> None:
    field_name = "Danh mục thủ tục năm 2020 (lưu trữ)"
    work_field, _created = Field.objects.get_or_create(
        name=field_name, defaults={"slug": "danh-muc-thu-tuc-nam-2020-luu-tru"}
    )
    procedures = []
    for code, level, n in entries:
        name = f"Thủ tục mức độ {level} số {n:03d} trong danh mục công bố năm 2020 (mục lưu trữ)"
        procedures.append(
            Procedure(
                code=code,
                name=name,
                search_text=fold(f"{code} {name}"),
                field=work_field,
                implementing_level=Procedure.ImplementingLevel.DISTRICT,
                level=level,
                code_unconfirmed=True,
                effective_from=dt.date(2018, 1, 1),
                effective_to=dt.date(2020, 12, 31),
                steps=["Nộp hồ sơ", "Nhận kết quả"],
                legal_basis=[
                    "Quyết định công bố danh mục thủ tục hành chính của UBND tỉnh Lai Châu"
                ],
            )
        )
    Procedure.objects.bulk_create(procedures, batch_size=500)
    saved = list(Procedure.objects.filter(code__in=[e[0] for e in entries]))
    Procedure.units.through.objects.bulk_create(
        [Procedure.units.through(procedure_id=p.pk, unit_id=desk.pk) for p in saved]
    )
    channels = []
    for p in saved:
        names = ["counter", "post"] + (["online"] if p.level >= 3 else [])
        channels.extend(
            ProcedureChannel(procedure=p, channel=c, working_days=Decimal(5)) for c in names
        )
    ProcedureChannel.objects.bulk_create(channels, batch_size=500)
    ProcedureDocument.objects.bulk_create(
        [ProcedureDocument(procedure=p, name="Đơn đề nghị theo mẫu", order=1) for p in saved],
        batch_size=500,
    )


# --- Who did the work ----------------------------------------------------------------------


def _staff(units: list[Unit]) -> dict[str, dict[str, Any]]:
    """For each unit (and the desk's offices): who receives and returns, who decides."""
    from portal.demo import DEMO_PASSWORD

    User = get_user_model()
    hashed: list[str] = []  # hashing is slow on purpose: once for every demo account

    def officer(username: str, full_name: str, unit: Unit, role: str, title: str) -> Any:
        user = User.objects.filter(username=username).first()
        if user is None:
            hashed[:] = hashed or [make_password(DEMO_PASSWORD)]
            last, _sp, first = full_name.rpartition(" ")
            user = User.objects.create(
                username=username, password=hashed[0], first_name=first, last_name=last
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

_CALENDAR: list[clock.WorkCalendar] = []


def _calendar() -> clock.WorkCalendar:
    if not _CALENDAR:
        _CALENDAR.append(work_calendar())
    return _CALENDAR[0]


def _working_days(start: dt.date, end: dt.date) -> list[dt.date]:
    calendar = _calendar()
    days, day = [], start
    while day <= end:
        if calendar.is_working_day(day):
            days.append(day)
        day += dt.timedelta(days=1)
    return days


def _local(day: dt.date, hour: int, minute: int) -> datetime:
    return timezone.make_aware(datetime.combine(day, dt.time(hour, minute)))


def _office_time(rng: random.Random, day: dt.date) -> datetime:
    minutes = rng.choice(
        [rng.randint(7 * 60 + 30, 11 * 60), rng.randint(13 * 60 + 45, 16 * 60 + 30)]
    )
    return _local(day, minutes // 60, minutes % 60)


def _unit_plans(unit: Unit, row: dict[str, str], rng: random.Random) -> list[Plan]:
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
    october = _working_days(PERIOD_START, PERIOD_END)
    slots: list[tuple[int, str]] = []
    for level, channel, count in received:
        slots.extend([(level, channel)] * count)
    rng.shuffle(slots)
    plans = []
    for i, (level, channel) in enumerate(slots):
        day = october[i * len(october) // max(1, len(slots))]
        plans.append(
            Plan(unit=unit, level=level, channel=channel, received_at=_office_time(rng, day))
        )
    plans.sort(key=lambda p: p.received_at)
    backlog_days = _working_days(dt.date(2020, 9, 21), dt.date(2020, 9, 30))
    backlog = [
        Plan(
            unit=unit,
            level=2,
            channel=Channel.COUNTER,
            received_at=_office_time(rng, rng.choice(backlog_days)),
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


def _candidates(
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


def _times(plan: Plan, rng: random.Random, calendar: clock.WorkCalendar) -> None:
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
            day = _working_days(
                max(due_day + dt.timedelta(days=1), PERIOD_START), dt.date(2020, 10, 30)
            )[0]
        else:
            days = _working_days(
                max(received_day, PERIOD_START), min(due_day, dt.date(2020, 10, 30))
            )
            day = rng.choice(days[: len(days) // 2 + 1]) if days else received_day
        if day == received_day:
            moment = plan.received_at + dt.timedelta(minutes=rng.randint(30, 150))
        else:
            moment = _office_time(rng, day)
        if late:
            moment = max(moment, plan.due_at + dt.timedelta(hours=2))
        elif moment > plan.due_at:
            moment = max(
                plan.received_at + dt.timedelta(minutes=20), plan.due_at - dt.timedelta(minutes=15)
            )
        plan.resolved_at = moment
    else:
        # Unfinished on 31 October: decided in the first half of November.
        day = rng.choice(_working_days(dt.date(2020, 11, 2), dt.date(2020, 11, 13)))
        plan.resolved_at = _office_time(rng, day)
    plan.late = plan.resolved_at > plan.due_at
    back = _working_days(
        timezone.localtime(plan.resolved_at).date() + dt.timedelta(days=1),
        timezone.localtime(plan.resolved_at).date() + dt.timedelta(days=7),
    )
    if rng.random() < 0.5 or not back:
        plan.returned_at = plan.resolved_at + dt.timedelta(minutes=rng.randint(10, 60))
    else:
        plan.returned_at = _office_time(rng, back[rng.randint(0, min(2, len(back) - 1))])


# --- Writing -------------------------------------------------------------------------------


def _person(rng: random.Random, unit: Unit) -> dict[str, str]:
    female = rng.random() < 0.5
    name = f"{rng.choice(FAMILY)} {rng.choice(GIVEN_F if female else GIVEN_M)}"
    place = unit.name.replace("UBND ", "") if unit.kind == Unit.Kind.COMMUNE else "huyện Tân Uyên"
    return {
        "applicant_name": name,
        "applicant_id_number": f"012{rng.randint(0, 999_999_999):09d}",
        "applicant_phone": f"09{rng.randint(0, 99_999_999):08d}",
        "applicant_address": f"Bản {rng.choice(VILLAGES)}, {place}",
    }


class _Chain:
    """Events of one dossier with their hash chain, as dossiers.services.events writes them."""

    def __init__(self, dossier: Dossier) -> None:
        self.dossier = dossier
        self.events: list[DossierEvent] = []

    def add(
        self,
        *,
        kind: str = "transition",
        from_status: str = "",
        to_status: str,
        actor: Any,
        actor_label: str = "",
        unit: Unit,
        at: datetime,
        note: str = "",
        details: dict[str, Any] | None = None,
    ) -> None:
        details = json.loads(json.dumps(details or {}, default=str))
        at = at.astimezone(UTC)  # the database gives times back in UTC: hash them so
        seq = len(self.events) + 1
        prev_hash = self.events[-1].hash if self.events else ""
        actor_id = actor.pk if actor is not None else None
        digest = event_digest(
            code=self.dossier.code,
            seq=seq,
            kind=kind,
            from_status=from_status,
            to_status=to_status,
            actor_id=actor_id,
            at=at,
            note=note,
            details=details,
            prev_hash=prev_hash,
        )
        self.events.append(
            DossierEvent(
                dossier=self.dossier,
                seq=seq,
                kind=kind,
                from_status=from_status,
                to_status=to_status,
                actor_id=actor_id,
                actor_label=actor_label
                or (
                    str(actor.get_full_name() or actor.get_username()) if actor is not None else ""
                ),
                unit=unit,
                at=at,
                note=note,
                details=details,
                prev_hash=prev_hash,
                hash=digest,
            )
        )


def _codes(plans: list[Plan]) -> Iterator[str]:
    """Dossier codes in reception order, continuing each unit's daily sequence."""
    counters: dict[tuple[int, dt.date], int] = {}
    for plan in plans:
        day = timezone.localtime(plan.received_at).date()
        key = (plan.unit.pk, day)
        if key not in counters:
            counters[key] = (
                DailySequence.objects.filter(unit=plan.unit, day=day)
                .values_list("last_value", flat=True)
                .first()
                or 0
            )
        counters[key] += 1
        yield f"{plan.unit.e_id}-{day:%y%m%d}-{counters[key]:04d}"
    for (unit_id, day), value in counters.items():
        row, _created = DailySequence.objects.get_or_create(unit_id=unit_id, day=day)
        if row.last_value < value:
            row.last_value = value
            row.save(update_fields=["last_value"])


@transaction.atomic
def _write(plans: list[Plan], staff: dict[str, dict[str, Any]], rng: random.Random) -> int:
    calendar = _calendar()
    offices = {code: info["unit"] for code, info in staff.items() if "unit" in info}
    cache: dict[tuple[int, int, str, bool], list[Procedure]] = {}
    for plan in plans:
        long = bool(plan.extra.get("backlog"))
        key = (plan.unit.pk, plan.level, plan.channel, long)
        if key not in cache:
            cache[key] = _candidates(plan.unit, plan.level, plan.channel, PERIOD_START, long=long)
        choices = cache[key]
        weights = [5 if all(c.same_day for c in p.channels.all()) else 2 for p in choices]
        plan.procedure = rng.choices(choices, weights=weights)[0]
        _times(plan, rng, calendar)
    plans.sort(key=lambda p: p.received_at)
    dossiers: list[Dossier] = []
    chains: list[_Chain] = []
    handovers: list[Handover] = []
    for index, (plan, code) in enumerate(zip(plans, _codes(plans), strict=True)):
        assert plan.procedure is not None
        assert plan.resolved_at is not None
        assert plan.returned_at is not None
        people = staff[plan.unit.code]
        office = None
        decider = people["decider"]
        if plan.unit.is_one_stop_desk:
            office_code = OFFICE_BY_FIELD.get(plan.procedure.field.name, "111-VP")
            office = offices.get(office_code)
            decider = staff.get(office_code, {}).get("decider")
        online = plan.channel == Channel.ONLINE
        submitted_at = (
            plan.received_at - dt.timedelta(hours=rng.randint(1, 14))
            if online
            else plan.received_at
        )
        person = _person(rng, plan.unit)
        dossier = Dossier(
            code=code,
            procedure=plan.procedure,
            unit=plan.unit,
            handling_unit=office or plan.unit,
            assigned_to=decider,
            channel=plan.channel,
            status=S.RETURNED,
            **person,
            delivery=Dossier.Delivery.COUNTER,
            payment_method="online" if online and plan.level >= 4 else "",
            fee_vnd=procedure_fee(procedure=plan.procedure, channel=plan.channel),
            update_key_hash=update_key_hash(code=code, key=secrets.token_hex(8)),
            idempotency_key=f"{MARK}{plan.unit.code}:{index:05d}",
            submitted_at=submitted_at,
            received_at=plan.received_at,
            due_at=plan.due_at,
            resolved_at=plan.resolved_at,
            returned_at=plan.returned_at,
            outcome=Dossier.Outcome.APPROVED,
            return_method=Dossier.Delivery.COUNTER,
            return_recipient=person["applicant_name"],
            note="Hồ sơ lịch sử tháng 10/2020 (dữ liệu minh họa)",
        )
        dossiers.append(dossier)
        chain = _Chain(dossier)
        desk_officer = people["desk"]
        chain.add(
            kind="created",
            to_status=S.SUBMITTED,
            actor=None if online else desk_officer,
            actor_label=person["applicant_name"] if online else "",
            unit=plan.unit,
            at=submitted_at,
            details={"channel": plan.channel, "files": 0},
        )
        chain.add(
            from_status=S.SUBMITTED,
            to_status=S.RECEIVED,
            actor=desk_officer,
            unit=plan.unit,
            at=plan.received_at,
            note="Tiếp nhận trực tuyến" if online else "Tiếp nhận trực tiếp",
        )
        state = S.RECEIVED
        if office is not None:
            given = plan.received_at + dt.timedelta(minutes=rng.randint(5, 40))
            chain.add(
                from_status=state,
                to_status=S.PROCESSING,
                actor=desk_officer,
                unit=office,
                at=given,
                details={
                    "action": "transfer",
                    "from_unit": plan.unit.pk,
                    "to_unit": office.pk,
                    "to_user": decider.pk if decider else None,
                },
            )
            handovers.append(
                Handover(
                    dossier=dossier,
                    from_unit=plan.unit,
                    to_unit=office,
                    from_user=desk_officer,
                    to_user=decider,
                    given_at=given,
                    received_at=given,
                    step_due_at=plan.due_at,
                    punctuality=handover_punctuality(given_at=given, due=plan.due_at),
                )
            )
            state = S.PROCESSING
        chain.add(
            from_status=state,
            to_status=S.RESOLVED,
            actor=decider,
            unit=office or plan.unit,
            at=plan.resolved_at,
            details={"action": "resolve", "outcome": "approved", "result_file": ""},
        )
        chain.add(
            from_status=S.RESOLVED,
            to_status=S.RETURNED,
            actor=desk_officer,
            unit=office or plan.unit,
            at=plan.returned_at,
            details={
                "action": "return",
                "method": "counter",
                "recipient_name": person["applicant_name"],
                "tracking_number": "",
            },
        )
        chains.append(chain)
    Dossier.objects.bulk_create(dossiers, batch_size=500)
    DossierEvent.objects.bulk_create([e for c in chains for e in c.events], batch_size=1000)
    Handover.objects.bulk_create(handovers, batch_size=500)
    _ratings(dossiers, rng)
    return len(dossiers)


def _ratings(dossiers: list[Dossier], rng: random.Random) -> None:
    """Some citizens rated the service after collecting their result."""
    rows = []
    for dossier in dossiers:
        if rng.random() < 0.25:
            score = rng.choices([5, 4, 3, 2, 1], weights=[50, 30, 12, 6, 2])[0]
            rows.append(Rating(dossier=dossier, score=score))
    Rating.objects.bulk_create(rows, batch_size=500)
