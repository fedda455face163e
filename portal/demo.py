"""The demo's province of today and its officers: one persona per role (README.md).

Lai Châu in December 2026 (units loaded by dossiers.demo.province_2025_seed): officers of the
province, of its Public Administration Service Centres and of xã Tân Uyên's offices. The 2020
officers keep their accounts (they can read their history).
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction

from portal.models import Membership, Role
from portal.names import full_name_fields
from procedures.models import Unit

DEMO_PASSWORD = "motcua-demo"  # noqa: S105 - demo accounts only, printed in the README

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


def _account(username: str, **defaults: Any) -> Any:
    """The demo account `username`; made with DEMO_PASSWORD the first time."""
    user, created = get_user_model().objects.get_or_create(username=username, defaults=defaults)
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save()
    return user


@transaction.atomic
def officers_seed() -> list[str]:
    admin = _account("admin", is_staff=True, is_superuser=True, first_name="Quản trị")
    top = Unit.objects.filter(code="12").first() or Unit.objects.get(code="111")
    Membership.objects.get_or_create(user=admin, unit=top, role=Role.ADMIN)
    names = ["admin"]
    today = Unit.objects.filter(code__in=[o[2] for o in OFFICERS_2025]).count()
    officers = DEMO_OFFICERS + (
        OFFICERS_2025 if today == len({o[2] for o in OFFICERS_2025}) else []
    )
    for username, full_name, unit_code, role, title in officers:
        email = f"{username}@tanuyen.example.vn"
        user = _account(username, **full_name_fields(full_name), email=email)
        Membership.objects.get_or_create(
            user=user, unit=Unit.objects.get(code=unit_code), role=role, defaults={"title": title}
        )
        names.append(username)
    return names
