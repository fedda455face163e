"""Units with a life: a closed unit accepts nothing on any path; closing hands dossiers over;
loading units from vietnam-provinces and from files."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from rest_framework.test import APIClient

from dossiers.models import Dossier, DossierEvent
from dossiers.services.units import unit_close
from procedures.models import Unit
from tests.dossiers.conftest import counter_dossier, online_dossier, pdf_upload, vn
from tests.unit_life import CLOSED_ON, close

pytestmark = pytest.mark.django_db


def test_the_counter_page_and_the_officers_api_refuse_a_closed_unit(
    client, certified_contract, commune, officer, successor
):
    close(commune, successor)
    doc = certified_contract.documents.first()
    data = {
        "unit": commune.pk,
        "procedure": certified_contract.pk,
        "channel": "counter",
        "applicant_name": "Trần Thị Bình",
        "applicant_id_number": "001122334455",
        "applicant_phone": "0987654321",
        "applicant_address": "Mường Khoa",
        "delivery": "counter",
        "checklist": [str(doc.pk)],
    }
    client.force_login(officer)
    response = client.post("/can-bo/tiep-nhan/", data)
    assert response.status_code == 400
    assert successor.name in response.content.decode()
    api = APIClient()
    api.force_authenticate(officer)
    response = api.post(
        "/api/v1/officer/dossiers/",
        {
            **data,
            "unit": commune.code,
            "procedure": certified_contract.code,
            f"document_{doc.pk}": pdf_upload(),
        },
        format="multipart",
    )
    assert response.status_code == 400
    assert response.json()["successor"] == "12-03601"
    assert Dossier.objects.count() == 0


def test_the_import_refuses_dossiers_received_after_the_closing_by_line(
    tmp_path, certified_contract, commune, successor
):
    close(commune, successor)
    path = tmp_path / "legacy.csv"
    path.write_text(
        "code,procedure_code,unit_code,channel,applicant_name,applicant_phone,received_at,"
        "due_at,status,resolved_at,returned_at\n"
        "OLD-1,2.001035,03601,counter,Lý Thị Hà,0912000111,2025-06-30T09:00:00+07:00,,"
        "processing,,\n"
        "OLD-2,2.001035,03601,counter,Lý Thị Hà,0912000111,2025-07-01T09:00:00+07:00,,"
        "processing,,\n",
        encoding="utf-8",
    )
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_dossiers", str(path), stdout=out, stderr=out)
    said = out.getvalue()
    assert "line 3: received_at:" in said
    assert successor.name in said
    assert "line 2" not in said
    assert Dossier.objects.count() == 0


def test_closing_hands_open_dossiers_to_the_successor_each_with_an_event(
    certified_contract, birth_registration, commune, officer, successor
):
    running = counter_dossier(certified_contract, commune, officer, at=vn(2025, 6, 2, 9, 0))
    waiting = online_dossier(birth_registration, commune, at=vn(2025, 6, 3, 9, 0))
    moved = unit_close(unit=commune, last_day=CLOSED_ON, successor=successor)
    assert moved == 2
    for dossier in (running, waiting):
        dossier.refresh_from_db()
        assert dossier.handling_unit == successor
        assert dossier.unit == commune  # received there: history stays
        event = DossierEvent.objects.filter(dossier=dossier).order_by("-seq").first()
        assert event.kind == "unit_closed"
        assert event.details == {"from_unit": "03601", "to_unit": "12-03601"}
    commune.refresh_from_db()
    assert (commune.valid_to, commune.successor) == (CLOSED_ON, successor)


def test_closing_refuses_a_successor_not_open_the_next_day(commune, other_commune):
    from django.core.exceptions import ValidationError

    Unit.objects.filter(pk=other_commune.pk).update(valid_to=CLOSED_ON)
    other_commune.refresh_from_db()
    with pytest.raises(ValidationError):
        unit_close(unit=commune, last_day=CLOSED_ON, successor=other_commune)
