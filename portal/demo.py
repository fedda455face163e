"""The demo's province of today and its officers: one persona per role (README.md).

Lai Châu in December 2026: the province's Public Administration Service Centre and the four
communes that replaced the district of Tân Uyên on 1 July 2025, each with its centre, its
People's Committee and two offices (procedures/data/demo_units_2025.json). The 2020 district
stays as history: its units closed on 30 June 2025, each naming its successor. The 2020
officers keep their accounts (they can read their history).
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction

from portal.models import Membership, Role
from procedures.models import Unit

DEMO_PASSWORD = "motcua-demo"  # noqa: S105 - demo accounts only, printed in the README

UNITS_2025 = Path(settings.BASE_DIR) / "procedures" / "data" / "demo_units_2025.json"
TAN_UYEN, MUONG_KHOA = "12-03598", "12-03601"

# username, full name, unit code, role, title - today's province (since 1 July 2025)
OFFICERS_2025 = [
    ("lanhdao.tinh", "Lê Văn Lương", "12", Role.LEADER, "Phó Chủ tịch UBND tỉnh"),
    ("baocao.tinh", "Hà Thị Thu", "12", Role.REPORTING, "Chuyên viên Văn phòng UBND tỉnh"),
    ("tiepnhan.tanuyen", "Lò Thị Mai", f"{TAN_UYEN}-TTPVHCC", Role.DESK, "Công chức Trung tâm"),
    ("chuyenvien.tanuyen", "Vàng Văn Nam", f"{TAN_UYEN}-VHXH", Role.SPECIALIST, "Chuyên viên"),
    ("truongphong.tanuyen", "Nguyễn Thị Hoa", f"{TAN_UYEN}-VHXH", Role.HEAD, "Trưởng phòng"),
    ("chutich.tanuyen", "Bùi Huy Phương", TAN_UYEN, Role.LEADER, "Chủ tịch UBND xã"),
    (
        "tiepnhan.muongkhoa",
        "Lù Văn Thắng",
        f"{MUONG_KHOA}-TTPVHCC",
        Role.DESK,
        "Công chức Trung tâm",
    ),
    (
        "chutich.muongkhoa",
        "Sần Thị Lan",
        f"{MUONG_KHOA}-TTPVHCC",
        Role.HEAD,
        "Phó Chủ tịch UBND xã, Giám đốc Trung tâm",
    ),
    ("tiepnhan.pacta", "Tẩn Thị Sua", "12-03616-TTPVHCC", Role.DESK, "Công chức Trung tâm"),
    ("tiepnhan.namso", "Giàng A Páo", "12-03613-TTPVHCC", Role.DESK, "Công chức Trung tâm"),
]

# username, full name, unit code, role, title - the 2020 district (history)
DEMO_OFFICERS = [
    ("tiepnhan.huyen", "Lò Thị Mai", "111-TNTKQ", Role.DESK, "Công chức một cửa"),
    ("chuyenvien.tuphap", "Vàng Văn Nam", "111-TP", Role.SPECIALIST, "Chuyên viên"),
    ("truongphong.tuphap", "Nguyễn Thị Hoa", "111-TP", Role.HEAD, "Trưởng phòng"),
    ("chuyenvien.tnmt", "Tao Văn Sơn", "111-TNMT", Role.SPECIALIST, "Chuyên viên"),
    ("lanhdao.huyen", "Bùi Huy Phương", "111", Role.LEADER, "Chủ tịch UBND huyện"),
    ("baocao.huyen", "Đỗ Minh Tuấn", "111", Role.REPORTING, "Chuyên viên Văn phòng"),
    ("tiepnhan.muongkhoa", "Lù Văn Thắng", "03601", Role.DESK, "Công chức Tư pháp - Hộ tịch"),
    ("chutich.muongkhoa", "Sần Thị Lan", "03601", Role.HEAD, "Chủ tịch UBND xã"),
]


def province_2025_seed() -> int:
    """Load today's units and close the 2020 district's on 30/06/2025 with their successors
    (dossiers.services.units.unit_close hands over any open dossier). Returns how many units
    were closed now (0 the second time)."""
    from dossiers.services.units import unit_close
    from procedures.services import units_load

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


@transaction.atomic
def officers_seed() -> list[str]:
    User = get_user_model()
    admin, created = User.objects.get_or_create(
        username="admin",
        defaults={"is_staff": True, "is_superuser": True, "first_name": "Quản trị"},
    )
    if created:
        admin.set_password(DEMO_PASSWORD)
        admin.save()
    top = Unit.objects.filter(code="12").first() or Unit.objects.get(code="111")
    Membership.objects.get_or_create(user=admin, unit=top, role=Role.ADMIN)
    names = ["admin"]
    today = Unit.objects.filter(code__in=[o[2] for o in OFFICERS_2025]).count()
    officers = DEMO_OFFICERS + (
        OFFICERS_2025 if today == len({o[2] for o in OFFICERS_2025}) else []
    )
    for username, full_name, unit_code, role, title in officers:
        last, _, first = full_name.rpartition(" ")
        user, created = User.objects.get_or_create(
            username=username,
            defaults={
                "first_name": first,
                "last_name": last,
                "email": f"{username}@tanuyen.example.vn",
            },
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save()
        Membership.objects.get_or_create(
            user=user, unit=Unit.objects.get(code=unit_code), role=role, defaults={"title": title}
        )
        names.append(username)
    return names
