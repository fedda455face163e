"""Closing a unit in the admin (setting valid_to) hands its open dossiers over exactly as
`manage.py close_unit` does: the same service, each dossier with an event."""

from __future__ import annotations

import pytest
from django.forms.models import model_to_dict
from django.urls import reverse

from dossiers.models import Dossier, DossierEvent
from portal.models import AuditLog
from procedures.models import Unit
from tests.dossiers.conftest import counter_dossier, online_dossier, vn
from tests.unit_life import CLOSED_ON

pytestmark = pytest.mark.django_db


def change_form(unit: Unit, **changes) -> dict:
    """The admin's change form of `unit` as the browser posts it, with `changes`."""
    data = {k: v for k, v in model_to_dict(unit).items() if v is not None}
    data["other_successors"] = [u.pk for u in data.get("other_successors", [])]
    for key in ("morning_start", "morning_end", "afternoon_start", "afternoon_end"):
        data[key] = data[key].strftime("%H:%M")
    data["valid_from"] = unit.valid_from.isoformat()
    data.update(changes)
    return data


def test_setting_valid_to_in_the_admin_hands_the_open_dossiers_to_the_successor(
    admin_client, certified_contract, birth_registration, commune, officer, successor
):
    running = counter_dossier(certified_contract, commune, officer, at=vn(2025, 6, 2, 9, 0))
    waiting = online_dossier(birth_registration, commune, at=vn(2025, 6, 3, 9, 0))
    url = reverse("admin:procedures_unit_change", args=[commune.pk])
    response = admin_client.post(
        url,
        change_form(
            commune, valid_to=CLOSED_ON.isoformat(), successor=successor.pk, phone="0213 3 800"
        ),
        follow=True,
    )
    assert response.status_code == 200
    assert "Đã chuyển 2 hồ sơ đang giải quyết" in response.content.decode()
    commune.refresh_from_db()
    assert (commune.valid_to, commune.successor, commune.phone) == (
        CLOSED_ON,
        successor,
        "0213 3 800",
    )
    for dossier in (running, waiting):
        dossier.refresh_from_db()
        assert dossier.handling_unit == successor
        assert dossier.unit == commune
        event = DossierEvent.objects.filter(dossier=dossier).order_by("-seq").first()
        assert event.kind == "unit_closed"
        assert event.details == {"from_unit": "03601", "to_unit": "12-03601"}
        assert event.actor_label  # the administrator who closed it
    audit = AuditLog.objects.get(action="unit_close")
    assert audit.details["dossiers"] == 2


def test_without_a_successor_the_admin_says_why_and_saves_nothing(
    admin_client, certified_contract, commune, officer
):
    running = counter_dossier(certified_contract, commune, officer, at=vn(2025, 6, 2, 9, 0))
    url = reverse("admin:procedures_unit_change", args=[commune.pk])
    response = admin_client.post(
        url, change_form(commune, valid_to=CLOSED_ON.isoformat(), phone="0213 3 800")
    )
    assert response.status_code == 200  # the form again, with the error
    assert "phải có đơn vị kế thừa" in response.content.decode()
    commune.refresh_from_db()
    assert commune.valid_to is None
    assert commune.phone == ""
    running.refresh_from_db()
    assert running.handling_unit == commune
    assert not DossierEvent.objects.filter(kind="unit_closed").exists()


def test_a_successor_closed_the_next_day_is_refused_in_the_admin_too(
    admin_client, commune, other_commune
):
    Unit.objects.filter(pk=other_commune.pk).update(valid_to=CLOSED_ON)
    url = reverse("admin:procedures_unit_change", args=[commune.pk])
    response = admin_client.post(
        url, change_form(commune, valid_to=CLOSED_ON.isoformat(), successor=other_commune.pk)
    )
    assert response.status_code == 200
    assert "phải đang hoạt động từ ngày sau ngày thôi hoạt động" in response.content.decode()
    commune.refresh_from_db()
    assert commune.valid_to is None


def test_other_edits_of_a_unit_move_no_dossier(admin_client, certified_contract, commune, officer):
    running = counter_dossier(certified_contract, commune, officer, at=vn(2025, 6, 2, 9, 0))
    url = reverse("admin:procedures_unit_change", args=[commune.pk])
    response = admin_client.post(url, change_form(commune, phone="0213 3 801"))
    assert response.status_code == 302
    running.refresh_from_db()
    assert running.handling_unit == commune
    assert Dossier.objects.count() == 1
    assert not DossierEvent.objects.filter(kind="unit_closed").exists()
