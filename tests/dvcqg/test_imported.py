"""Dossiers imported in bulk (import_dossiers) are synchronised like the others."""

from __future__ import annotations

import io

from django.core.management import call_command

from dossiers.models import Dossier
from dvcqg.models import Service, SyncRow
from dvcqg.sending import dossier_sync

CSV = (
    "code,procedure_code,unit_code,channel,applicant_name,applicant_phone,received_at,"
    "due_at,status,resolved_at,returned_at\n"
    "000.41.11.H33-200302-0007,2.001035,03601,counter,Lý Thị Hà,0912000111,"
    "2020-03-02T09:00:00+07:00,,processing,,\n"
    "OLD-17,1.001193,03601,online,Vàng A Dế,0912000222,2020-03-02 15:30,"
    "2020-03-03 17:00,returned,2020-03-03 10:00,2020-03-03 11:00\n"
)


def import_file(tmp_path) -> None:
    path = tmp_path / "legacy.csv"
    path.write_text(CSV, encoding="utf-8")
    call_command("import_dossiers", str(path), stdout=io.StringIO(), stderr=io.StringIO())


def test_imported_dossiers_are_queued_and_sent_with_their_history(
    dvcqg, tmp_path, certified_contract, birth_registration, commune
):
    import_file(tmp_path)
    dossiers = list(Dossier.objects.order_by("code"))
    assert len(dossiers) == 2
    for dossier in dossiers:
        rows = SyncRow.objects.filter(dossier=dossier)
        assert sorted(rows.values_list("service", flat=True)) == [
            Service.PROGRESS,
            Service.DOSSIER,
        ]
        assert rows.filter(service=Service.PROGRESS).get().event == dossier.events.get()
        dossier_sync(dossier_id=dossier.pk)
        assert not rows.exclude(state=SyncRow.State.ACKNOWLEDGED).exists()

    old = Dossier.objects.get(code="OLD-17")
    assert dvcqg.dossiers["OLD-17"]["TrangThaiHoSo"] == "10"
    assert [i["TrangThai"] for i in dvcqg.progress("OLD-17")] == ["10"]
    assert dvcqg.dossiers["000.41.11.H33-200302-0007"]["TrangThaiHoSo"] == "4"
    assert old.events.count() == 1

    # The same file again imports nothing and queues nothing more.
    import_file(tmp_path)
    assert SyncRow.objects.count() == 4


def test_nothing_is_queued_while_the_sync_is_off(
    settings, tmp_path, certified_contract, birth_registration, commune
):
    settings.DVCQG_URL = ""
    import_file(tmp_path)
    assert Dossier.objects.count() == 2
    assert not SyncRow.objects.exists()
