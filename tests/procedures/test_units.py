"""Units with a life: a closed unit accepts nothing on any path; closing hands dossiers over;
loading units from vietnam-provinces and from files."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command

from procedures.models import Unit
from procedures.units import UnitClosed, unit_assert_open, unit_predecessor_ids
from tests.dossiers.conftest import vn
from tests.unit_life import CLOSED_ON, close

pytestmark = pytest.mark.django_db


def test_the_open_check_names_the_successor_and_the_day(commune, successor):
    close(commune, successor)
    unit_assert_open(unit=commune, at=vn(2025, 6, 30, 16, 0))  # its last day: still open
    with pytest.raises(UnitClosed) as caught:
        unit_assert_open(unit=commune, at=vn(2025, 7, 1, 8, 0))
    assert "01/07/2025" in str(caught.value.message)
    assert successor.name in str(caught.value.message)
    assert caught.value.extra == {"unit": "03601", "successor": "12-03601"}
    with pytest.raises(UnitClosed, match="chỉ hoạt động từ ngày 01/07/2025"):
        unit_assert_open(unit=successor, at=vn(2025, 6, 30, 9, 0))


def test_the_units_api_shows_the_life_of_each_unit(client, commune, successor):
    close(commune, successor)
    current = {u["code"]: u for u in client.get("/api/v1/units/").json()}
    assert "03601" not in current
    assert current["12-03601"]["valid_from"] == "2025-07-01"
    everything = {u["code"]: u for u in client.get("/api/v1/units/?include_closed=1").json()}
    assert everything["03601"]["valid_to"] == "2025-06-30"
    assert everything["03601"]["successor"] == "12-03601"


def test_import_units_province_12_loads_the_38_communes_of_lai_chau():
    out = io.StringIO()
    call_command("import_units", province=12, stdout=out)
    communes = Unit.objects.filter(parent__code="12", kind=Unit.Kind.COMMUNE)
    assert communes.count() == 38
    tan_uyen = Unit.objects.get(code="12-03598")
    assert (tan_uyen.name, tan_uyen.stat_code, tan_uyen.valid_from) == (
        "Xã Tân Uyên",
        "03598",
        dt.date(2025, 7, 1),
    )
    call_command("import_units", province=12, stdout=out)  # again: nothing new
    assert Unit.objects.count() == 39
    with pytest.raises(CommandError):
        call_command("import_units", province=99, stdout=out, stderr=out)


def test_import_units_file_is_all_or_nothing_with_errors_by_line(tmp_path, commune):
    header = "code,name,kind,parent,stat_code,e_id,valid_from,valid_to,successor,one_stop\n"
    bad = tmp_path / "bad.csv"
    bad.write_text(
        header + "12-X,Xã X,commune,12,03599,,2025-07-01,,,\n"
        "12-Y,Xã Y,town,12,,,2025-07-01,,,\n"
        "03601,UBND xã Mường Khoa,commune,111,03601,000.41.11.H33,2000-01-01,2025-06-30,"
        "12-NOPE,\n",
        encoding="utf-8",
    )
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_units", str(bad), stdout=out, stderr=out)
    said = out.getvalue()
    assert "line 3: kind must be one of" in said
    assert "line 4: successor: unknown unit '12-NOPE'" in said
    assert not Unit.objects.filter(code="12-X").exists()

    good = tmp_path / "good.csv"
    good.write_text(
        header + "12-03601-TTPVHCC,Trung tâm PVHCC xã Mường Khoa,agency,12-03601,,000.41.12.H33,"
        "2025-07-01,,,x\n"
        "12-03601,Xã Mường Khoa,commune,12,03601,,2025-07-01,,,\n"
        "03601,UBND xã Mường Khoa,commune,111,03601,000.41.11.H33,2000-01-01,2025-06-30,"
        "12-03601-TTPVHCC,\n",
        encoding="utf-8",
    )
    call_command("import_units", str(good), stdout=out, stderr=out)
    commune.refresh_from_db()
    assert commune.valid_to == CLOSED_ON
    assert commune.successor.code == "12-03601-TTPVHCC"
    centre = Unit.objects.get(code="12-03601-TTPVHCC")
    assert centre.parent.code == "12-03601"
    assert centre.is_one_stop_desk


def test_import_units_reads_xlsx(tmp_path, district):
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.append(["code", "name", "kind", "parent", "valid_from"])
    wb.active.append(["12-03613", "Xã Nậm Sỏ", "commune", "12", dt.date(2025, 7, 1)])
    path = tmp_path / "units.xlsx"
    wb.save(path)
    call_command("import_units", str(path), stdout=io.StringIO())
    assert Unit.objects.get(code="12-03613").valid_from == dt.date(2025, 7, 1)


def test_predecessors_follow_successor_links_transitively_and_count_a_split_once(db):
    closed = dt.date(2025, 6, 30)

    def unit(code, successor=None, **extra):
        return Unit.objects.create(
            code=code,
            name=code,
            kind=Unit.Kind.COMMUNE,
            successor=successor,
            valid_to=closed if successor else None,
            **extra,
        )

    today = unit("new")
    middle = unit("middle", today)
    first, second = unit("first", middle), unit("second", today)
    split = unit("split", unit("elsewhere"))
    split.other_successors.set([today])
    unit("unrelated")
    assert unit_predecessor_ids(unit_ids=[today.pk]) == {middle.pk, first.pk, second.pk}
    assert unit_predecessor_ids(unit_ids=[middle.pk]) == {first.pk}
    assert unit_predecessor_ids(unit_ids=[first.pk]) == set()
