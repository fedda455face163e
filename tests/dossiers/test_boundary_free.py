"""Decree 118/2025: a procedure listed as receivable regardless of administrative boundaries
may be received by any centre of the province and is handled by the competent unit; one not
listed is received only by the applicant's own commune. Every receiving path, both ways."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command
from rest_framework.test import APIClient

from dossiers.models import Dossier
from portal.models import Role
from procedures.models import Procedure, Unit
from procedures.receiving import ReceptionRefused, reception_route
from tests.conftest import make_officer
from tests.dossiers.conftest import pdf_upload, vn

pytestmark = pytest.mark.django_db
LISTED_ON = dt.date(2025, 7, 21)


def list_it(procedure: Procedure) -> None:
    Procedure.objects.filter(pk=procedure.pk).update(
        boundary_free_from=LISTED_ON, boundary_free_decision="Quyết định thử/QĐ-UBND"
    )
    procedure.refresh_from_db()


@pytest.fixture
def centres(commune, other_commune):
    """Both communes have their one-stop desk (the tests' communes receive themselves)."""
    Unit.objects.filter(pk__in=[commune.pk, other_commune.pk]).update(is_one_stop_desk=True)
    commune.refresh_from_db()
    other_commune.refresh_from_db()
    return commune, other_commune


def test_the_rule_both_ways_and_by_date(birth_registration, commune, other_commune):
    at = vn(2025, 8, 4, 9, 0)
    route = reception_route(
        procedure=birth_registration, unit=commune, applicant_commune=commune, at=at
    )
    assert (route.receiving, route.handling) == (commune, commune)
    with pytest.raises(ReceptionRefused) as refused:
        reception_route(
            procedure=birth_registration, unit=other_commune, applicant_commune=commune, at=at
        )
    assert "không thuộc danh mục tiếp nhận không phụ thuộc" in str(refused.value.message)
    assert refused.value.extra["competent_unit"] == commune.code
    list_it(birth_registration)
    route = reception_route(
        procedure=birth_registration, unit=other_commune, applicant_commune=commune, at=at
    )
    assert (route.receiving, route.handling) == (other_commune, commune)
    # Before the list's day the old rule holds.
    with pytest.raises(ReceptionRefused):
        reception_route(
            procedure=birth_registration,
            unit=other_commune,
            applicant_commune=commune,
            at=vn(2025, 7, 18, 9, 0),
        )


def counter_data(procedure, unit, **changes):
    doc = procedure.documents.first()
    return {
        "unit": unit.pk,
        "procedure": procedure.pk,
        "channel": "counter",
        "applicant_name": "Trần Thị Bình",
        "applicant_id_number": "001122334455",
        "applicant_phone": "0987654321",
        "applicant_address": "Mường Khoa",
        "delivery": "counter",
        "checklist": [str(doc.pk)],
        **changes,
    }


def test_the_counter_page_both_ways(client, certified_contract, centres):
    commune, other_commune = centres
    desk = make_officer("desk_nam_so", other_commune, Role.DESK)
    client.force_login(desk)
    refused = client.post("/can-bo/tiep-nhan/", counter_data(certified_contract, other_commune))
    assert refused.status_code == 400
    assert "không thuộc danh mục tiếp nhận không phụ thuộc" in refused.content.decode()
    assert Dossier.objects.count() == 0
    list_it(certified_contract)
    data = counter_data(certified_contract, other_commune, applicant_commune=commune.pk)
    made = client.post("/can-bo/tiep-nhan/", data)
    assert made.status_code in (200, 302), made.content.decode()[:3000]
    dossier = Dossier.objects.get()
    assert (dossier.unit, dossier.handling_unit) == (other_commune, commune)


def test_the_officers_api_both_ways(certified_contract, centres):
    commune, other_commune = centres
    api = APIClient()
    api.force_authenticate(make_officer("desk_nam_so", other_commune, Role.DESK))
    doc = certified_contract.documents.first()

    def post():
        data = counter_data(certified_contract, other_commune, applicant_commune="03601")
        data.update(
            unit=other_commune.code,
            procedure=certified_contract.code,
            **{f"document_{doc.pk}": pdf_upload()},
        )
        return api.post("/api/v1/officer/dossiers/", data, format="multipart")

    refused = post()
    assert refused.status_code == 400
    assert "không giải quyết thủ tục đã chọn" in refused.json()["detail"]
    list_it(certified_contract)
    made = post()
    assert made.status_code == 201, made.content
    dossier = Dossier.objects.get()
    assert (dossier.unit, dossier.handling_unit) == (other_commune, commune)


def test_the_import_both_ways(tmp_path, certified_contract, centres):
    commune, other_commune = centres
    path = tmp_path / "rows.csv"
    path.write_text(
        "code,procedure_code,unit_code,channel,applicant_name,applicant_phone,received_at,"
        "due_at,status,resolved_at,returned_at,applicant_commune\n"
        "X-1,2.001035,03613,counter,Lý Thị Hà,0912000111,2025-08-04T09:00:00+07:00,,"
        "processing,,,03601\n",
        encoding="utf-8",
    )
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_dossiers", str(path), stdout=out, stderr=out)
    assert "line 2: unit_code:" in out.getvalue()
    assert Dossier.objects.count() == 0
    list_it(certified_contract)
    call_command("import_dossiers", str(path), stdout=out, stderr=out)
    dossier = Dossier.objects.get()
    assert (dossier.unit, dossier.handling_unit) == (other_commune, commune)
    assert dossier.applicant_commune == commune


def test_the_catalogue_file_carries_the_flag_and_its_day():
    from procedures.importing import RowError, parse_row

    row = {
        "code": "1.001193",
        "name": "Đăng ký khai sinh",
        "field": "Hộ tịch",
        "implementing_level": "commune",
        "level": 3,
        "effective_from": "2025-07-01",
        "units": "commune_centre",
        "working_days": "1",
        "documents": "Tờ khai",
        "boundary_free_from": "2025-07-21",
        "boundary_free_decision": "Quyết định thử/QĐ-UBND",
    }
    record = parse_row(2, row)
    assert record.boundary_free_from == dt.date(2025, 7, 21)
    assert record.boundary_free_decision == "Quyết định thử/QĐ-UBND"
    with pytest.raises(RowError, match="before the version's effective_from"):
        parse_row(2, {**row, "boundary_free_from": "2025-06-01"})
    with pytest.raises(RowError, match="needs boundary_free_from"):
        parse_row(2, {**row, "boundary_free_from": ""})


def test_the_counter_page_asks_for_the_applicants_commune(client, certified_contract, centres):
    commune, _other = centres
    client.force_login(make_officer("desk_muong_khoa", commune, Role.DESK))
    page = client.get(
        "/can-bo/tiep-nhan/", {"unit": commune.pk, "procedure": certified_contract.pk}
    )
    assert page.status_code == 200
    assert 'name="applicant_commune"' in page.content.decode()
