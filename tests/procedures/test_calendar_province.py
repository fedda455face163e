"""A day off (or a make-up day) granted by one province only: a unit's clock counts the
national calendar plus its own province's entries, never another province's."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError, transaction
from django.urls import reverse, reverse_lazy

from portal.models import Role
from procedures.calendar import unit_province, work_calendar
from procedures.models import CalendarOverride, Unit
from tests.conftest import make_officer, make_procedure
from tests.dossiers.conftest import counter_dossier, vn

pytestmark = pytest.mark.django_db

#: Monday 12/10/2026: an ordinary working day in the national calendar.
PROVINCIAL_DAY = date(2026, 10, 12)
ADD = reverse_lazy("admin:procedures_calendaroverride_add")


@pytest.fixture
def far_province(db):
    return Unit.objects.create(code="01", name="Thành phố Hà Nội", kind=Unit.Kind.PROVINCE)


@pytest.fixture
def far_commune(far_province):
    return Unit.objects.create(
        code="01-00004",
        name="Trung tâm Phục vụ hành chính công phường Ba Đình",
        kind=Unit.Kind.COMMUNE,
        parent=far_province,
        e_id="000.00.01.H26",
    )


@pytest.fixture
def one_day_procedure(commune, far_commune):
    return make_procedure(
        code="2.000001",
        name="Thủ tục một ngày",
        level=2,
        units=[commune, far_commune],
        working_days="1",
    )


def test_a_provincial_day_off_moves_that_provinces_due_time_only(
    commune, far_commune, one_day_procedure, officer
):
    province = unit_province(commune)
    assert province is not None
    assert province.code == "12"
    CalendarOverride.objects.create(
        date=PROVINCIAL_DAY, kind="day_off", province=province, source="Quyết định thử của tỉnh"
    )
    friday = vn(2026, 10, 9, 9, 0)
    here = counter_dossier(one_day_procedure, commune, officer, at=friday)
    far_officer = make_officer("far_officer", far_commune, Role.DESK)
    there = counter_dossier(one_day_procedure, far_commune, far_officer, at=friday)
    # One working day from Friday 09:00: Monday 09:00, or Tuesday where Monday is off.
    assert there.due_at == vn(2026, 10, 12, 9, 0)
    assert here.due_at == vn(2026, 10, 13, 9, 0)
    assert not work_calendar(commune).is_working_day(PROVINCIAL_DAY)
    assert work_calendar(far_commune).is_working_day(PROVINCIAL_DAY)
    assert work_calendar().is_working_day(PROVINCIAL_DAY)  # the national calendar


def test_a_provinces_entry_wins_over_the_national_one_of_the_same_day(commune, far_commune):
    saturday = date(2026, 10, 17)
    CalendarOverride.objects.create(date=saturday, kind="working_day", source="national")
    CalendarOverride.objects.create(
        date=saturday, kind="day_off", province=unit_province(commune), source="provincial"
    )
    assert not work_calendar(commune).is_working_day(saturday)
    assert work_calendar(far_commune).is_working_day(saturday)


def test_one_entry_per_day_and_scope(commune):
    province = unit_province(commune)
    CalendarOverride.objects.create(date=PROVINCIAL_DAY, kind="day_off")
    CalendarOverride.objects.create(date=PROVINCIAL_DAY, kind="day_off", province=province)
    for scope in (None, province):
        with pytest.raises(IntegrityError), transaction.atomic():
            CalendarOverride.objects.create(date=PROVINCIAL_DAY, kind="day_off", province=scope)


def test_calendar_add_takes_a_province(commune, far_commune):
    out = io.StringIO()
    call_command(
        "calendar_add", day_off=["2026-10-12"], province="12", source="QĐ của tỉnh", stdout=out
    )
    row = CalendarOverride.objects.get()
    assert (row.date, row.kind, row.province.code) == (PROVINCIAL_DAY, "day_off", "12")
    assert "Tỉnh Lai Châu" in out.getvalue()
    assert not work_calendar(commune).is_working_day(PROVINCIAL_DAY)
    assert work_calendar(far_commune).is_working_day(PROVINCIAL_DAY)
    call_command("calendar_add", year=2026, province="12", stdout=out)
    assert "QĐ của tỉnh" in out.getvalue()
    with pytest.raises(CommandError, match="unknown province"):
        call_command("calendar_add", day_off=["2026-10-12"], province="99", source="x")
    with pytest.raises(CommandError, match="unknown province"):
        call_command("calendar_add", day_off=["2026-10-12"], province=commune.code, source="x")


def test_the_admin_page_records_a_provincial_day(admin_client, commune, far_province):
    province = unit_province(commune)
    page = admin_client.get(ADD)
    assert page.status_code == 200
    assert 'name="province"' in page.content.decode()
    response = admin_client.post(
        ADD,
        {
            "date": "2026-10-12",
            "kind": "day_off",
            "province": province.pk,
            "note": "Lễ hội của tỉnh",
            "source": "Quyết định thử của UBND tỉnh",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    row = CalendarOverride.objects.get()
    assert (row.date, row.province) == (PROVINCIAL_DAY, province)
    listing = admin_client.get(
        reverse("admin:procedures_calendaroverride_changelist")
    ).content.decode()
    assert "Tỉnh Lai Châu" in listing
    # The same day again for the same province: a clear error, nothing saved.
    again = admin_client.post(
        ADD,
        {"date": "2026-10-12", "kind": "day_off", "province": province.pk, "source": "x"},
    )
    assert again.status_code == 200
    assert "Ngày này đã có trong lịch của tỉnh." in again.content.decode()
    assert CalendarOverride.objects.count() == 1
