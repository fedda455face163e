"""The catalogue by version: a new version closes the previous one; dossiers keep theirs;
Decree 42/2022's online service levels are primary, the old levels derived."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command

from procedures.models import Procedure
from procedures.selectors import procedure_get
from tests.dossiers.conftest import counter_dossier, vn
from tests.procedures.test_import import GOOD, write_json

pytestmark = pytest.mark.django_db
CONTRACT = {
    **GOOD,
    "code": "2.001035",
    "name": "Chứng thực hợp đồng, giao dịch",
    "field": "Chứng thực",
    "level": 2,
    "effective_from": "2020-01-01",
    "channels": [{"channel": "counter", "time_limit": {"working_days": 2}, "fee_vnd": 50000}],
}


def test_a_new_version_closes_the_previous_one_on_its_effective_date(tmp_path, commune, officer):
    call_command("import_procedures", write_json(tmp_path, [CONTRACT]), "--no-templates")
    old = Procedure.objects.get(code="2.001035")
    dossier = counter_dossier(old, commune, officer, vn(2025, 6, 2, 9, 0))
    newer = {
        **CONTRACT,
        "name": "Chứng thực hợp đồng, giao dịch (2025)",
        "effective_from": "2025-07-01",
        "channels": [{"channel": "counter", "time_limit": {"calendar_days": 3}, "fee_vnd": 50000}],
    }
    call_command("import_procedures", write_json(tmp_path, [newer]), "--no-templates")
    old.refresh_from_db()
    assert old.effective_to == dt.date(2025, 6, 30)
    assert procedure_get(code="2.001035", on=dt.date(2025, 6, 30)) == old
    current = procedure_get(code="2.001035", on=dt.date(2026, 12, 6))
    assert current.name.endswith("(2025)")
    assert current.channels.get().time_limit == {"calendar_days": 3}
    # The dossier keeps the version it was received under.
    dossier.refresh_from_db()
    assert dossier.procedure == old
    # Importing both again changes nothing.
    call_command("import_procedures", write_json(tmp_path, [CONTRACT, newer]), "--no-templates")
    assert Procedure.objects.filter(code="2.001035", effective_to__isnull=True).count() == 1


@pytest.mark.parametrize(
    ("service", "level", "online"),
    [("toàn trình", 4, True), ("một phần", 3, True), ("information", 2, False)],
)
def test_the_online_service_level_is_primary_and_the_old_level_derived(
    tmp_path, commune, service, level, online
):
    row = {**GOOD, "online_service": service}
    del row["level"]
    if not online:
        row["channels"] = [GOOD["channels"][0]]
    call_command("import_procedures", write_json(tmp_path, [row]), "--no-templates")
    procedure = Procedure.objects.get(code=GOOD["code"])
    assert procedure.level == level
    assert procedure.accepts_online is online


def test_a_procedure_with_only_the_old_level_gets_the_new_name(certified_contract):
    assert certified_contract.online_service == "information"
    assert certified_contract.online_level == "information"
