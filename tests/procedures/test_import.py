import json

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from procedures.models import Procedure

GOOD = {
    "code": "1.001193",
    "name": "Đăng ký khai sinh",
    "field": "Hộ tịch",
    "implementing_level": "commune",
    "handled_by": "commune",
    "level": 3,
    "effective_from": "2020-01-01",
    "steps": ["Bước 1", "Bước 2"],
    "legal_basis": ["Luật Hộ tịch 2014"],
    "result": "Giấy khai sinh",
    "channels": [
        {"channel": "counter", "time_limit": {"same_day": True}, "fee_vnd": 0},
        {"channel": "online", "time_limit": {"same_day": True}, "fee_vnd": 0},
    ],
    "documents": [
        {
            "name": "Tờ khai",
            "required": True,
            "originals": 1,
            "copies": 0,
            "template": {"title": "TỜ KHAI", "fields": ["Họ tên"]},
        }
    ],
}


def write_json(tmp_path, rows):
    path = tmp_path / "catalogue.json"
    path.write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")
    return path


@pytest.mark.django_db
def test_it_imports_a_good_json_file(tmp_path, commune, other_commune):
    call_command("import_procedures", write_json(tmp_path, [GOOD]), "--no-templates", verbosity=0)
    procedure = Procedure.objects.get(code="1.001193")
    assert set(procedure.units.values_list("code", flat=True)) == {"03601", "03613"}
    assert procedure.channels.get(channel="online").same_day is True


@pytest.mark.django_db
def test_a_bad_file_imports_nothing_and_names_every_bad_row(tmp_path, commune, capsys):
    bad_level = {**GOOD, "code": "1.000894", "level": 7}
    bad_code = {**GOOD, "code": "khai-sinh"}
    online_level2 = {**GOOD, "code": "2.000815", "level": 2}
    rows = [GOOD, bad_level, bad_code, online_level2]
    with pytest.raises(CommandError, match="3 bad row"):
        call_command("import_procedures", write_json(tmp_path, rows), "--no-templates", verbosity=0)
    err = capsys.readouterr().err
    assert "line 2: level must be 1, 2, 3 or 4" in err
    assert "line 3: code 'khai-sinh' is not a national procedure code" in err
    assert "line 4: a level 1-2 procedure cannot have an online channel" in err
    assert "line 1" not in err
    assert Procedure.objects.count() == 0


@pytest.mark.django_db
def test_a_bad_csv_row_is_reported_with_its_file_line(tmp_path, commune):
    path = tmp_path / "catalogue.csv"
    path.write_text(
        "code,name,field,implementing_level,level,effective_from,units,working_days,"
        "same_day,fee_vnd,documents\n"
        "2.001035,Chứng thực hợp đồng,Chứng thực,commune,2,2020-01-01,03601,2,,50000,"
        "Dự thảo hợp đồng|1|1|0\n"
        "2.001019,Chứng thực di chúc,Chứng thực,commune,2,2020-13-01,03999,,,abc,\n",
        encoding="utf-8",
    )
    with pytest.raises(CommandError):
        call_command("import_procedures", path, "--no-templates", verbosity=0)
    assert Procedure.objects.count() == 0


@pytest.mark.django_db
def test_a_csv_reports_all_problems_of_a_row(tmp_path, commune, capsys):
    path = tmp_path / "catalogue.csv"
    path.write_text(
        "code,name,field,implementing_level,level,effective_from,units,working_days,"
        "same_day,fee_vnd,documents\n"
        "2.001019,Chứng thực di chúc,Chứng thực,commune,2,2020-13-01,03999,,,abc,\n",
        encoding="utf-8",
    )
    with pytest.raises(CommandError):
        call_command("import_procedures", path, "--no-templates", verbosity=0)
    err = capsys.readouterr().err
    assert err.startswith("line 2:")
    assert "effective_from" in err
    assert "working_days" in err


@pytest.mark.django_db
def test_it_imports_xlsx_and_updates_on_reimport(tmp_path, commune):
    book = Workbook()
    sheet = book.active
    sheet.append(
        [
            "code",
            "name",
            "field",
            "implementing_level",
            "level",
            "effective_from",
            "units",
            "working_days",
            "same_day",
            "fee_vnd",
            "documents",
        ]
    )
    sheet.append(
        [
            "2.001035",
            "Chứng thực hợp đồng",
            "Chứng thực",
            "commune",
            2,
            "2020-01-01",
            "03601",
            2,
            "",
            50000,
            "Dự thảo hợp đồng|1|1|0;Giấy tờ tùy thân|1|0|1",
        ]
    )
    path = tmp_path / "catalogue.xlsx"
    book.save(path)
    call_command("import_procedures", path, "--no-templates", verbosity=0)
    call_command("import_procedures", path, "--no-templates", verbosity=0)
    procedure = Procedure.objects.get(code="2.001035")
    assert [d.name for d in procedure.documents.all()] == ["Dự thảo hợp đồng", "Giấy tờ tùy thân"]
    assert procedure.channels.get(channel="counter").fee_vnd == 50000


@pytest.mark.django_db
def test_a_new_version_keeps_the_old_one(tmp_path, commune, other_commune):
    newer = {**GOOD, "effective_from": "2025-07-01", "name": "Đăng ký khai sinh (2025)"}
    call_command(
        "import_procedures", write_json(tmp_path, [GOOD, newer]), "--no-templates", verbosity=0
    )
    import datetime as dt

    from procedures.selectors import procedure_get

    assert procedure_get(code="1.001193", on=dt.date(2021, 1, 1)).name == "Đăng ký khai sinh"
    assert procedure_get(code="1.001193", on=dt.date(2026, 1, 1)).name.endswith("(2025)")
