"""Demo officers: one persona per role (listed in README.md)."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import transaction

from portal.models import Membership, Role
from procedures.models import Unit

DEMO_PASSWORD = "motcua-demo"  # noqa: S105 - demo accounts only, printed in the README

# username, full name, unit code, role, title
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
    Membership.objects.get_or_create(user=admin, unit=Unit.objects.get(code="111"), role=Role.ADMIN)
    names = ["admin"]
    for username, full_name, unit_code, role, title in DEMO_OFFICERS:
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
