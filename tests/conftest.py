"""Shared fixtures: the demo district, a small catalogue and officer personas."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import translation

from portal.celery import app as celery_app
from portal.models import Membership, Role
from procedures.models import Field, Procedure, ProcedureChannel, ProcedureDocument, Unit


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in Vietnamese: a request in English leaves its language active."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def celery_eager():
    """Run Celery tasks in this process while the test runs, whatever REDIS_URL says.

    The setting CELERY_TASK_ALWAYS_EAGER is read once, when the Celery app is configured;
    a test must change the app's own configuration.
    """
    conf = celery_app.conf
    saved = conf.task_always_eager
    conf.task_always_eager = True
    yield
    conf.task_always_eager = saved


@pytest.fixture(autouse=True)
def _fast_password_hashing(request, settings):
    """Real hashing with a fast algorithm: the personas are made with passwords and the
    suites log in and reset passwords many times; the slow production hasher would dominate
    the time without testing anything of ours. Not for the smoke test: its server processes
    check the personas' passwords with production's hashers."""
    if request.node.get_closest_marker("smoke") is None:
        settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def district(db):
    province = Unit.objects.create(code="12", name="Tỉnh Lai Châu", kind=Unit.Kind.PROVINCE)
    return Unit.objects.create(
        code="111", name="Huyện Tân Uyên", kind=Unit.Kind.DISTRICT, parent=province
    )


@pytest.fixture
def desk(district):
    return Unit.objects.create(
        code="111-TNTKQ",
        name="Bộ phận TN&TKQ huyện Tân Uyên",
        kind=Unit.Kind.AGENCY,
        parent=district,
        e_id="000.00.11.H33",
        is_one_stop_desk=True,
        is_reporting_unit=True,
        report_order=1,
    )


@pytest.fixture
def successor(district):
    """Today's centre of xã Mường Khoa: the successor of the 2020 commune (tests.unit_life)."""
    return Unit.objects.create(
        code="12-03601",
        name="Trung tâm Phục vụ hành chính công xã Mường Khoa",
        kind=Unit.Kind.AGENCY,
        parent=district.parent,
        e_id="000.41.12.H33",
        valid_from=dt.date(2025, 7, 1),
    )


@pytest.fixture
def justice_office(district):
    return Unit.objects.create(
        code="111-TP",
        name="Phòng Tư pháp",
        kind=Unit.Kind.AGENCY,
        parent=district,
        e_id="000.02.11.H33",
    )


@pytest.fixture
def commune(district):
    return Unit.objects.create(
        code="03601",
        name="UBND xã Mường Khoa",
        kind=Unit.Kind.COMMUNE,
        parent=district,
        e_id="000.41.11.H33",
        stat_code="03601",
        is_reporting_unit=True,
        report_order=2,
    )


@pytest.fixture
def other_commune(district):
    return Unit.objects.create(
        code="03613",
        name="UBND xã Nậm Sỏ",
        kind=Unit.Kind.COMMUNE,
        parent=district,
        e_id="000.42.11.H33",
        stat_code="03613",
        is_reporting_unit=True,
        report_order=4,
    )


def make_procedure(
    *,
    code: str,
    name: str,
    level: int,
    units: list[Unit],
    working_days: str | None = None,
    fee_vnd: int = 0,
    field: str = "Hộ tịch",
    documents: tuple[str, ...] = ("Tờ khai",),
) -> Procedure:
    field_obj, _ = Field.objects.get_or_create(name=field, defaults={"slug": code})
    procedure = Procedure.objects.create(
        code=code,
        name=name,
        field=field_obj,
        implementing_level="commune",
        level=level,
        effective_from="2015-01-01",
        steps=["Nộp hồ sơ", "Nhận kết quả"],
        legal_basis=["Luật Hộ tịch 2014"],
        result="Giấy khai sinh",
    )
    procedure.units.set(units)
    channels = ["counter", "post"] + (["online"] if level >= 3 else [])
    for channel in channels:
        ProcedureChannel.objects.create(
            procedure=procedure,
            channel=channel,
            fee_vnd=fee_vnd,
            same_day=working_days is None,
            working_days=Decimal(working_days) if working_days else None,
        )
    for order, doc in enumerate(documents, start=1):
        ProcedureDocument.objects.create(procedure=procedure, name=doc, order=order)
    return procedure


@pytest.fixture
def birth_registration(commune, other_commune):
    return make_procedure(
        code="1.001193",
        name="Đăng ký khai sinh",
        level=3,
        units=[commune, other_commune],
        documents=("Tờ khai đăng ký khai sinh", "Giấy chứng sinh"),
    )


@pytest.fixture
def certified_contract(commune):
    return make_procedure(
        code="2.001035",
        name="Chứng thực hợp đồng, giao dịch",
        level=2,
        units=[commune],
        working_days="2",
        fee_vnd=50_000,
        field="Chứng thực",
    )


def make_officer(username: str, unit: Unit, role: str):
    """A user with a password and one membership: `role` in `unit`."""
    user = get_user_model().objects.create_user(
        username=username, password="pw-" + username, first_name=username
    )
    Membership.objects.create(user=user, unit=unit, role=role)
    return user


@pytest.fixture
def officer(commune):
    """A desk officer of the commune (reception and return)."""
    return make_officer("officer", commune, Role.DESK)


@pytest.fixture
def other_officer(other_commune):
    """A desk officer of another commune: must never see the first commune's dossiers."""
    return make_officer("other_officer", other_commune, Role.DESK)


@pytest.fixture
def specialist(commune):
    """A specialist of the commune (processing)."""
    return make_officer("specialist", commune, Role.SPECIALIST)


@pytest.fixture
def supervisor(commune):
    """The head of the commune."""
    return make_officer("supervisor", commune, Role.HEAD)


@pytest.fixture
def leader(district):
    """A district leader: sees the district and every unit below it."""
    return make_officer("leader", district, Role.LEADER)
