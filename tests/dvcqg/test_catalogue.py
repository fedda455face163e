"""The national catalogue pulled into the catalogue: the mapping (pure functions, hand-written
expectations) and `manage.py dvcqg_catalogue` against the fake DVCQG."""

from __future__ import annotations

import copy
import datetime as dt
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from dvcqg.catalogue import CatalogueError, Local, procedure_row, time_limit
from procedures.models import Field, Procedure, Unit

DAY = dt.date(2026, 12, 1)


def birth_registration() -> dict:
    """LayThuTuc's answer as NATIONAL.md §4 gives it, with a deployment's casing (`Url`)."""
    return {
        "MATTHC": "1.001193",
        "TENTTHC": "Thủ tục đăng ký khai sinh",
        "LOAITTHC": "1",
        "TRANGTHAI": "1",
        "LINHVUCTHUCHIEN": [{"MALINHVUC": "G12-TP09", "TENLINHVUC": "Hộ tịch"}],
        "COQUANTHUCHIEN": [{"MADONVI": "000.00.00.G12", "TENDONVI": "UBND cấp xã"}],
        "CAPTHUCHIEN": [{"CAPTHUCHIEN": "3"}],
        "KETQUATHUCHIEN": [{"MAKETQUA": "KQ1", "TENKETQUA": "Giấy khai sinh"}],
        "CACHTHUCTHUCHIEN": [
            {
                "KENH": "1",
                "THOIGIAN": [
                    {
                        "THOIGIANGIAIQUYET": "3",
                        "DONVITINH": "Ngày làm việc",
                        "MOTA": "",
                        "PHILEPHI": [{"MAPHILEPHI": "LP", "SOTIEN": "8.000", "DONVI": "Đồng"}],
                    }
                ],
            },
            {
                "KENH": "2",
                "THOIGIAN": [
                    {
                        "THOIGIANGIAIQUYET": 3,
                        "DONVITINH": "Ngày làm việc",
                        "PHILEPHI": [{"SOTIEN": 8000}],
                    }
                ],
            },
        ],
        "THANHPHANHOSO": [
            {
                "TRUONGHOP": "",
                "GIAYTO": [
                    {
                        "MAGIAYTO": "GT1",
                        "TENGIAYTO": "Tờ khai đăng ký khai sinh",
                        "TENMAUDON": "Tờ khai",
                        "Url": "https://dichvucong.gov.vn/mau/to-khai.docx",
                        "SOBANCHINH": "1",
                        "SOBANSAO": "0",
                    },
                    {"TENGIAYTO": "Giấy chứng sinh", "SoBanChinh": "1", "SoBanSao": "0"},
                ],
            }
        ],
        "TRINHTUTHUCHIEN": [
            {"TRUONGHOP": "", "TRINHTU": [{"TENTRINHTU": "Nộp hồ sơ"}, {"TENTRINHTU": "Trả"}]}
        ],
        "CANCUPHAPLY": [{"SOVANBAN": "60/2014/QH13", "TENVANBAN": "Luật Hộ tịch"}],
        "DOITUONGTHUCHIEN": [{"TENDOITUONG": "Công dân Việt Nam"}],
    }


def test_a_procedure_maps_to_an_importer_row():
    row = procedure_row(birth_registration(), effective_from=DAY, unit_codes_by_eid={})
    assert row["code"] == "1.001193"
    assert row["name"] == "Thủ tục đăng ký khai sinh"
    assert row["field"] == "Hộ tịch"
    assert (row["implementing_level"], row["units"]) == ("commune", ["commune"])
    assert (row["level"], row["online_service"]) == (3, "partial")
    assert row["effective_from"] == "2026-12-01"
    assert row["channels"] == [
        {"channel": "counter", "time_limit": {"working_days": "3"}, "fee_vnd": 8000},
        {"channel": "online", "time_limit": {"working_days": "3"}, "fee_vnd": 8000},
    ]
    assert [(d["name"], d["required"], d["originals"], d["copies"]) for d in row["documents"]] == [
        ("Tờ khai đăng ký khai sinh", True, 1, 0),
        ("Giấy chứng sinh", True, 1, 0),
    ]
    assert row["steps"] == ["Nộp hồ sơ", "Trả"]
    assert row["legal_basis"] == ["Luật Hộ tịch số 60/2014/QH13"]
    assert row["result"] == "Giấy khai sinh"
    assert row["applicants"] == "Công dân Việt Nam"


def test_the_agencies_that_are_ours_win_over_the_level_groups():
    raw = birth_registration()
    raw["COQUANTHUCHIEN"].append({"MADONVI": "000.41.11.H33", "TENDONVI": "UBND xã Mường Khoa"})
    row = procedure_row(raw, effective_from=DAY, unit_codes_by_eid={"000.41.11.H33": "03601"})
    assert row["units"] == ["03601"]


def test_the_catalogue_keeps_its_own_fields_and_level():
    local = Local(level=4, online_service="full", conditions="Trẻ sinh tại địa phương")
    row = procedure_row(birth_registration(), effective_from=DAY, unit_codes_by_eid={}, local=local)
    assert (row["level"], row["online_service"], row["conditions"]) == (
        4,
        "full",
        "Trẻ sinh tại địa phương",
    )


@pytest.mark.parametrize(
    ("amount", "unit", "expected"),
    [
        ("3", "Ngày làm việc", {"working_days": "3"}),
        ("1,5", "ngày làm việc", {"working_days": "1.5"}),
        ("15", "Ngày", {"calendar_days": 15}),
        ("4", "Giờ", {"working_hours": "4"}),
        ("0", "Ngày làm việc", {"same_day": True}),
        ("", "Trong ngày", {"same_day": True}),
    ],
)
def test_time_limits_carry_their_unit(amount, unit, expected):
    assert time_limit(amount, unit) == expected


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (lambda r: r.update(CAPTHUCHIEN=[{"CAPTHUCHIEN": "0"}]), "CAPTHUCHIEN"),
        (lambda r: r["CACHTHUCTHUCHIEN"][0]["THOIGIAN"][0].update(DONVITINH="Tuần"), "DONVITINH"),
        (lambda r: r["CACHTHUCTHUCHIEN"][0].update(KENH="9"), "KENH"),
        (lambda r: r.update(THANHPHANHOSO=[]), "THANHPHANHOSO"),
        (lambda r: r.update(TRANGTHAI="2"), "not in force"),
        (lambda r: r.update(LINHVUCTHUCHIEN=[]), "LINHVUCTHUCHIEN"),
    ],
)
def test_what_cannot_be_mapped_says_why(change, reason):
    raw = birth_registration()
    change(raw)
    with pytest.raises(CatalogueError, match=reason):
        procedure_row(raw, effective_from=DAY, unit_codes_by_eid={})


# --- the pull, against the fake ---------------------------------------------------------


def pull(*args: str) -> str:
    out = StringIO()
    call_command("dvcqg_catalogue", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def national(dvcqg, commune, other_commune):
    dvcqg.catalogue["1.001193"] = birth_registration()
    marriage = copy.deepcopy(birth_registration())
    marriage.update(MATTHC="1.000894", TENTTHC="Thủ tục đăng ký kết hôn")
    dvcqg.catalogue["1.000894"] = marriage
    return dvcqg


def test_a_first_pull_creates_an_unchanged_second_pull_changes_nothing(national, commune):
    out = pull()
    assert "2 created, 0 new version(s), 0 unchanged, 0 not imported" in out
    birth = Procedure.objects.get(code="1.001193")
    assert birth.effective_from == timezone.localdate()
    assert set(birth.units.values_list("code", flat=True)) == {"03601", "03613"}
    online = birth.channels.get(channel="online")
    assert (online.working_days, online.fee_vnd) == (Decimal("3.0"), 8000)
    assert list(birth.documents.order_by("order").values_list("name", flat=True)) == [
        "Tờ khai đăng ký khai sinh",
        "Giấy chứng sinh",
    ]
    assert {c.service for c in national.calls()} == {"LayDanhSachTTHC", "LayThuTuc"}

    out = pull()
    assert "0 created, 0 new version(s), 2 unchanged, 0 not imported" in out
    assert Procedure.objects.count() == 2


def test_a_changed_procedure_is_a_new_version_that_closes_the_old(national):
    pull()
    old = Procedure.objects.get(code="1.001193")
    Procedure.objects.filter(pk=old.pk).update(effective_from=dt.date(2025, 1, 1))
    national.catalogue["1.001193"]["CACHTHUCTHUCHIEN"][0]["THOIGIAN"][0].update(
        THOIGIANGIAIQUYET="15", DONVITINH="Ngày"
    )
    assert "1.001193: would be a new version" in pull("--dry-run")
    assert Procedure.objects.filter(code="1.001193").count() == 1

    out = pull("--code", "1.001193")
    assert "0 created, 1 new version(s), 0 unchanged" in out
    old.refresh_from_db()
    new = Procedure.objects.get(code="1.001193", effective_from=timezone.localdate())
    assert old.effective_to == timezone.localdate() - dt.timedelta(days=1)
    assert new.effective_to is None
    assert new.channels.get(channel="counter").calendar_days == 15
    assert old.channels.get(channel="counter").working_days == Decimal("3.0")


def test_a_bad_procedure_is_reported_by_code_and_the_others_are_imported(national):
    national.catalogue["1.000894"]["CAPTHUCHIEN"] = [{"CAPTHUCHIEN": "0"}]
    out = pull()
    assert "1.000894: not imported: CAPTHUCHIEN" in out
    assert "1 created, 0 new version(s), 0 unchanged, 1 not imported" in out
    assert not Procedure.objects.filter(code="1.000894").exists()
    assert Procedure.objects.filter(code="1.001193").exists()


def test_a_procedure_is_imported_whole_or_not_at_all(national):
    # Mapped, then refused by the importer (its commune group has no unit of ours): nothing
    # of it is saved.
    Unit.objects.filter(kind=Unit.Kind.COMMUNE).update(e_id=None)
    out = pull("--code", "1.001193")
    assert "1.001193: not imported: no unit matches commune" in out
    assert not Procedure.objects.exists()
    assert not Field.objects.exists()


def test_the_command_needs_the_connection(settings, db):
    settings.DVCQG_URL = ""
    with pytest.raises(CommandError, match="DVCQG_URL is empty"):
        pull()


def test_an_unreadable_catalogue_stops_with_the_reason(national):
    national.script("reject", service="LayDanhSachTTHC")
    with pytest.raises(CommandError, match="could not be read"):
        pull()
