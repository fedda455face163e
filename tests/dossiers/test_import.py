"""import_dossiers: validated first, all or nothing, idempotent, due time by the clock."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from dossiers.models import Dossier, DossierEvent
from tests.dossiers.conftest import counter_dossier, vn

HEADER = (
    "code,procedure_code,unit_code,channel,applicant_name,applicant_phone,received_at,"
    "due_at,status,resolved_at,returned_at\n"
)


def write(tmp_path, body: str):
    path = tmp_path / "legacy.csv"
    path.write_text(HEADER + body, encoding="utf-8")
    return path


def run(path) -> str:
    out = io.StringIO()
    call_command("import_dossiers", str(path), stdout=out, stderr=out)
    return out.getvalue()


def run_refused(path) -> str:
    """Import a file that must be refused as a whole; what the command said."""
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_dossiers", str(path), stdout=out, stderr=out)
    return out.getvalue()


def test_it_imports_and_computes_empty_due_times(
    tmp_path, certified_contract, birth_registration, commune
):
    path = write(
        tmp_path,
        "000.41.11.H33-200302-0007,2.001035,03601,counter,Lý Thị Hà,0912000111,"
        "2020-03-02T09:00:00+07:00,,processing,,\n"
        "OLD-17,1.001193,03601,online,Vàng A Dế,0912000222,2020-03-02 15:30,"
        "2020-03-03 17:00,returned,2020-03-03 10:00,2020-03-03 11:00\n",
    )
    assert "2 dossier(s) imported" in run(path)
    first = Dossier.objects.get(code="000.41.11.H33-200302-0007")
    # 2 working days from Mon 2/3/2020 09:00.
    assert first.due_at == vn(2020, 3, 4, 9, 0)
    assert first.status == "processing"
    second = Dossier.objects.get(code="OLD-17")
    assert second.due_at == vn(2020, 3, 3, 17, 0)
    assert second.returned_at == vn(2020, 3, 3, 11, 0)
    assert DossierEvent.objects.filter(kind="imported").count() == 2
    # The reports count imported dossiers too (they bypass dossier_transition).
    from reports.models import DossierFact

    assert DossierFact.objects.filter(dossier_id__in=[first.pk, second.pk]).count() == 2
    # Idempotent: the same file again changes nothing.
    assert "0 dossier(s) imported, 2 already present" in run(path)
    assert Dossier.objects.count() == 2


def test_an_imported_code_is_never_reused(tmp_path, certified_contract, commune, officer):
    path = write(
        tmp_path,
        "000.41.11.H33-260302-0005,2.001035,03601,counter,Lý Thị Hà,0912000111,"
        "2026-03-02T08:00:00+07:00,,received,,\n",
    )
    run(path)
    dossier = counter_dossier(certified_contract, commune, officer, vn(2026, 3, 2, 9, 0))
    assert dossier.code == "000.41.11.H33-260302-0006"


def test_any_bad_row_imports_nothing_and_every_bad_row_is_named(
    tmp_path, certified_contract, commune
):
    path = write(
        tmp_path,
        "A-1,2.001035,03601,counter,Lý Thị Hà,0912,2020-03-02 09:00,,received,,\n"
        "A-2,9.999999,03601,counter,Lý Thị Hà,0912,2020-03-02 09:00,,received,,\n"
        "A-3,2.001035,XXXX,fax,,0912,yesterday,,done,,\n"
        "A-1,2.001035,03601,counter,Lý Thị Hà,0912,2020-03-02 09:00,,returned,,\n",
    )
    text = run_refused(path)
    assert "line 3: procedure_code" in text
    for column in ("unit_code", "channel", "applicant_name", "status", "received_at"):
        assert f"line 4: {column}" in text, column
    assert "line 5: code: A-1 appears twice" in text
    assert "line 5: resolved_at" in text
    assert "line 2" not in text
    assert Dossier.objects.count() == 0


def test_missing_columns_and_missing_file(tmp_path, db):
    path = tmp_path / "bad.csv"
    path.write_text("code,unit_code\nX,03601\n", encoding="utf-8")
    assert "missing columns" in run_refused(path)
    with pytest.raises(CommandError):
        call_command("import_dossiers", str(tmp_path / "nope.csv"))


def test_a_control_character_is_a_named_error_not_a_database_crash(
    tmp_path, certified_contract, commune
):
    # PostgreSQL text cannot hold NUL: the row is refused before any query is made with it.
    path = write(
        tmp_path,
        "A-1,2.0010\x0035,03601,counter,Lý Thị Hà,0912,2020-03-02 09:00,,received,,\n"
        "A-2,2.001035,03601,counter,Lý\x07 Thị Hà,0912,2020-03-02 09:00,,received,,\n",
    )
    text = run_refused(path)
    assert "line 2: procedure_code: holds a control character" in text
    assert "line 3: applicant_name: holds a control character" in text
    assert Dossier.objects.count() == 0
