"""Demo dossiers for `manage.py seed_demo`: a dozen current dossiers at the Public
Administration Service Centres of xã Tân Uyên and xã Mường Khoa (the communes of today), in
various states (one late, one due soon), made only through the services.

Idempotent: each demo dossier carries a marker in its note and is made once.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import timezone

from dossiers.models import Dossier
from dossiers.services import actions, reception
from dossiers.services.core import Applicant, dossier_create
from dossiers.services.units import unit_close
from procedures import clock
from procedures.calendar import procedure_time_limit, unit_office_hours, work_calendar
from procedures.models import Procedure, Unit
from procedures.selectors import in_force
from procedures.services import units_load

UNITS_2025 = Path(settings.BASE_DIR) / "procedures" / "data" / "demo_units_2025.json"
DESK, COMMUNE, JUSTICE = "12-03598-TTPVHCC", "12-03601-TTPVHCC", "12-03598-VHXH"
PEOPLE = [
    Applicant(
        name="Lò Văn Thành",
        id_number="012089001234",
        phone="0912345601",
        address="Bản Nà Ban, xã Mường Khoa, tỉnh Lai Châu",
    ),
    Applicant(
        name="Tao Thị Hương",
        id_number="012190004567",
        phone="0912345602",
        address="Bản Phiêng Phát, xã Mường Khoa, tỉnh Lai Châu",
    ),
    Applicant(
        name="Vàng A Sử",
        id_number="012085007890",
        phone="0912345603",
        address="Bản Hô Ta, xã Mường Khoa, tỉnh Lai Châu",
    ),
    Applicant(
        name="Nguyễn Thị Lan",
        id_number="012192002468",
        phone="0912345604",
        address="Tổ dân phố 3, xã Tân Uyên, tỉnh Lai Châu",
    ),
    Applicant(
        name="Đỗ Văn Hùng",
        id_number="012080001357",
        phone="0912345605",
        address="Tổ dân phố 6, xã Tân Uyên, tỉnh Lai Châu",
        email="hung.dv@example.vn",
    ),
    Applicant(
        name="Lù Thị Mai",
        id_number="012195009753",
        phone="0912345606",
        address="Bản Mường, xã Tân Uyên, tỉnh Lai Châu",
    ),
]


def _procedure(unit: Unit, preferred: list[str], *, days: bool) -> Procedure | None:
    """The first preferred procedure the unit handles, else any it handles (with a limit in
    working days when `days`)."""
    qs = Procedure.objects.filter(in_force(), units=unit).prefetch_related("channels")
    for code in preferred:
        found = qs.filter(code=code).first()
        if found is not None:
            return found
    for candidate in qs.order_by("code"):
        has_days = any(not c.same_day for c in candidate.channels.all())
        if has_days == days:
            return candidate
    return None


def _received_due_soon(procedure: Procedure, unit: Unit, now: datetime) -> datetime:
    """A reception time, going back hour by hour, whose due time is within a working day."""
    hours, calendar = unit_office_hours(unit), work_calendar()
    limit = procedure_time_limit(procedure, "counter")
    moment = now.replace(minute=0, second=0, microsecond=0)
    for _ in range(24 * 30):
        moment -= timedelta(hours=1)
        due = clock.due_at(moment, limit, hours=hours, calendar=calendar)
        if clock.is_due_soon(due, at=now, hours=hours, calendar=calendar):
            return moment
    return now - timedelta(days=1)


def _working_morning(now: datetime, days_back: int) -> datetime:
    day = timezone.localtime(now).date() - timedelta(days=days_back)
    calendar = work_calendar()
    while not calendar.is_working_day(day):
        day -= timedelta(days=1)
    return timezone.make_aware(datetime.combine(day, datetime.min.time())) + timedelta(hours=8)


def province_2025_seed() -> int:
    """Load today's units and close the 2020 district's on 30/06/2025 with their successors
    (dossiers.services.units.unit_close hands over any open dossier). Returns how many units
    were closed now (0 the second time)."""
    data = json.loads(UNITS_2025.read_text(encoding="utf-8"))
    units_load(rows=data["units"])
    last_day = dt.date.fromisoformat(data["last_day_before"])
    closed = 0
    for row in data["closings"]:
        unit = Unit.objects.filter(code=row["code"]).first()
        if unit is None or unit.valid_to is not None:
            continue
        unit_close(unit=unit, last_day=last_day, successor=Unit.objects.get(code=row["successor"]))
        unit.other_successors.set(Unit.objects.filter(code__in=row.get("other_successors", [])))
        closed += 1
    return closed


def demo_dossiers_seed() -> list[str]:
    """Create the demo dossiers that are not there yet; return the codes of all of them."""
    User = get_user_model()
    users = {
        u.username: u
        for u in User.objects.filter(
            username__in=[
                "tiepnhan.tanuyen",
                "chuyenvien.tanuyen",
                "truongphong.tanuyen",
                "tiepnhan.muongkhoa",
                "chutich.muongkhoa",
                "admin",
            ]
        )
    }
    units = {u.code: u for u in Unit.objects.filter(code__in=[DESK, COMMUNE, JUSTICE])}
    if len(units) < 3 or len(users) < 6:
        return []  # units or officers not seeded: nothing to attach dossiers to
    desk_officer, specialist, head = (
        users["tiepnhan.tanuyen"],
        users["chuyenvien.tanuyen"],
        users["truongphong.tanuyen"],
    )
    commune_officer, commune_head = users["tiepnhan.muongkhoa"], users["chutich.muongkhoa"]
    desk, commune, justice = units[DESK], units[COMMUNE], units[JUSTICE]
    birth = _procedure(commune, ["1.001193"], days=False)
    contract = _procedure(commune, ["2.001035"], days=True)
    business = _procedure(desk, ["1.001612", "2.000992"], days=True)
    if birth is None or contract is None or business is None:
        return []
    now = timezone.now()

    def counter(
        procedure: Procedure,
        unit: Unit,
        person: Applicant,
        actor: Any,
        at: datetime,
        channel: str = "counter",
    ) -> Dossier:
        ids = [d.pk for d in procedure.documents.all() if d.required]
        dossier, _ = reception.dossier_receive_at_counter(
            procedure=procedure,
            unit=unit,
            channel=channel,
            applicant=person,
            actor=actor,
            checklist=ids,
            at=at,
            note=marker,
        )
        return dossier

    def online(procedure: Procedure, unit: Unit, person: Applicant, at: datetime) -> Dossier:
        dossier, _ = dossier_create(
            procedure=procedure,
            unit=unit,
            channel="online",
            applicant=person,
            at=at,
            note=marker,
            idempotency_key=f"demo-{marker}",
        )
        return dossier

    def first_doc(procedure: Procedure) -> list[int]:
        return [procedure.documents.order_by("order", "id").first().pk]

    # Each step makes one dossier; later steps move it on through the actions.
    steps: list[Callable[[], Dossier]] = [
        # 1. Online birth registration waiting for reception.
        lambda: online(birth, commune, PEOPLE[0], now - timedelta(hours=1)),
        # 2. Online, waiting for more than 8 working hours: the acknowledgement warning.
        lambda: online(birth, commune, PEOPLE[1], _working_morning(now, 4)),
        # 3. Received online, then refused.
        lambda: actions.dossier_refuse(
            dossier=online(birth, commune, PEOPLE[2], now - timedelta(hours=3)),
            actor=commune_officer,
            reason="Trẻ không sinh tại địa bàn xã; đề nghị đăng ký tại nơi cư trú của cha, mẹ.",
        ),
        # 4. A contract received at the commune counter today.
        lambda: counter(contract, commune, PEOPLE[3], commune_officer, now),
        # 5. A contract with a supplement requested.
        lambda: _supplement(
            counter(contract, commune, PEOPLE[4], commune_officer, _working_morning(now, 1)),
            commune_head,
            first_doc(contract),
        ),
        # 6. A contract resolved and returned at the counter.
        lambda: _resolve_and_return(
            counter(contract, commune, PEOPLE[5], commune_officer, _working_morning(now, 7)),
            commune_officer,
            commune_head,
            commune,
        ),
        # 7. District desk: received, handed to the justice office (processing).
        lambda: actions.dossier_transfer(
            dossier=counter(business, desk, PEOPLE[0], desk_officer, now - timedelta(hours=2)),
            actor=desk_officer,
            to_unit=justice,
            to_user=specialist,
            note="Chuyển Phòng Văn hóa – Xã hội thẩm định",
        ),
        # 8. Late: received three weeks ago, still processing, with an apology.
        lambda: _late_with_apology(
            counter(business, desk, PEOPLE[1], desk_officer, _working_morning(now, 21)),
            desk_officer,
            justice,
            specialist,
            head,
        ),
        # 9. Due soon (within one working day).
        lambda: actions.dossier_transfer(
            dossier=counter(
                business, desk, PEOPLE[2], desk_officer, _received_due_soon(business, desk, now)
            ),
            actor=desk_officer,
            to_unit=justice,
            to_user=specialist,
        ),
        # 10. Awaiting payment.
        lambda: _awaiting_payment(
            counter(business, desk, PEOPLE[3], desk_officer, _working_morning(now, 1)),
            desk_officer,
            justice,
            specialist,
        ),
        # 11. Resolved, ready to return.
        lambda: _resolved(
            counter(business, desk, PEOPLE[4], desk_officer, _working_morning(now, 2)),
            desk_officer,
            justice,
            specialist,
        ),
        # 12. Received by post.
        lambda: counter(
            business, desk, PEOPLE[5], desk_officer, _working_morning(now, 1), channel="post"
        ),
    ]
    codes = []
    for number, step in enumerate(steps, start=1):
        marker = f"[demo:{number}]"
        existing = Dossier.objects.filter(note=marker).first()
        if existing is None:
            existing = step()
        codes.append(existing.code)
    return codes


def _supplement(dossier: Dossier, actor: Any, items: list[int]) -> Dossier:
    actions.dossier_request_supplement(
        dossier=dossier,
        actor=actor,
        document_ids=items,
        reason="Bản sao giấy tờ tùy thân không rõ nét; đề nghị nộp bản rõ hơn.",
    )
    return Dossier.objects.get(pk=dossier.pk)


def _resolve_and_return(dossier: Dossier, desk_officer: Any, head: Any, unit: Unit) -> Dossier:
    dossier = actions.dossier_transfer(
        dossier=dossier, actor=desk_officer, to_unit=unit, to_user=head
    )
    dossier = actions.dossier_resolve(
        dossier=dossier, actor=head, outcome="approved", note="Đã chứng thực hợp đồng."
    )
    return actions.dossier_return(
        dossier=dossier,
        actor=desk_officer,
        method="counter",
        recipient_name=dossier.applicant_name,
        take_fee=True,
    )


def _late_with_apology(
    dossier: Dossier, desk_officer: Any, office: Unit, specialist: Any, head: Any
) -> Dossier:
    hours, calendar = unit_office_hours(dossier.unit), work_calendar()

    def later(minutes: int) -> datetime:
        assert dossier.received_at is not None
        return clock.add_working_minutes(
            dossier.received_at, minutes, hours=hours, calendar=calendar
        )

    dossier = actions.dossier_transfer(
        dossier=dossier, actor=desk_officer, to_unit=office, to_user=specialist, at=later(60)
    )
    assert dossier.due_at is not None
    # Foreseen on the day of reception: made in time, one new date three days later.
    actions.dossier_apologize(
        dossier=dossier,
        actor=head,
        new_due_at=clock.add_working_minutes(
            dossier.due_at, 3 * 480, hours=hours, calendar=calendar
        ),
        reason="Cần xác minh thêm hồ sơ đất đai của hộ gia đình.",
        at=later(120),
    )
    return dossier


def _awaiting_payment(
    dossier: Dossier, desk_officer: Any, office: Unit, specialist: Any
) -> Dossier:
    dossier = actions.dossier_transfer(
        dossier=dossier, actor=desk_officer, to_unit=office, to_user=specialist
    )
    actions.dossier_request_payment(
        dossier=dossier, actor=specialist, amount_vnd=dossier.fee_vnd or 100_000
    )
    return Dossier.objects.get(pk=dossier.pk)


def _resolved(dossier: Dossier, desk_officer: Any, office: Unit, specialist: Any) -> Dossier:
    dossier = actions.dossier_transfer(
        dossier=dossier, actor=desk_officer, to_unit=office, to_user=specialist
    )
    return actions.dossier_resolve(
        dossier=dossier,
        actor=specialist,
        outcome="approved",
        note="Cấp Giấy chứng nhận đăng ký hộ kinh doanh.",
    )
