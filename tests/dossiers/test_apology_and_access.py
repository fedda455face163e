"""Apology letters (Mẫu 04) and the access helpers, role by role."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404

from dossiers import access
from dossiers.deadlines import dossier_is_late
from dossiers.models import Apology, DossierEvent
from dossiers.services import actions
from portal.exceptions import InvalidTransition, NotAllowed
from tests.dossiers.conftest import S, counter_dossier, online_dossier, vn


@pytest.fixture
def contract_dossier(certified_contract, commune, officer):
    dossier = counter_dossier(certified_contract, commune, officer, vn(2026, 3, 2, 9, 0))
    return dossier  # due Wed 4/3 09:00


def test_apology_is_signed_by_the_head_once(contract_dossier, officer, supervisor):
    with pytest.raises(NotAllowed):
        actions.dossier_apologize(
            dossier=contract_dossier,
            actor=officer,
            reason="Chậm",
            new_due_at=vn(2026, 3, 6, 17, 0),
            at=vn(2026, 3, 3, 10, 0),
        )
    apology = actions.dossier_apologize(
        dossier=contract_dossier,
        actor=supervisor,
        reason="Chờ xác minh",
        new_due_at=vn(2026, 3, 6, 17, 0),
        at=vn(2026, 3, 3, 10, 0),
    )
    assert apology.original_due_at == vn(2026, 3, 4, 9, 0)
    assert apology.signed_by == supervisor
    event = DossierEvent.objects.filter(dossier=contract_dossier).order_by("-seq").first()
    assert event.kind == "apology"
    assert event.to_status == event.from_status == S.RECEIVED
    # The citizen is told (an outbox row written with the event).
    from notifications.models import SmsMessage

    sms = SmsMessage.objects.get(event=event)
    assert sms.to.endswith("912345678")
    assert "06/03/2026" in sms.body
    with pytest.raises(InvalidTransition):
        actions.dossier_apologize(
            dossier=contract_dossier,
            actor=supervisor,
            reason="Lại",
            new_due_at=vn(2026, 3, 9, 17, 0),
            at=vn(2026, 3, 5, 10, 0),
        )
    assert Apology.objects.count() == 1
    # The dossier still counts as late against the original due time.
    contract_dossier.refresh_from_db()
    assert dossier_is_late(contract_dossier, at=vn(2026, 3, 5, 10, 0))


def test_an_apology_as_soon_as_lateness_is_foreseen_is_on_time(contract_dossier, supervisor):
    # Received Mon 2/3 09:00, due Wed 4/3 09:00: on the day of reception, two working days
    # before the due time, the apology is allowed and not late.
    apology = actions.dossier_apologize(
        dossier=contract_dossier,
        actor=supervisor,
        reason="Cần xác minh",
        new_due_at=vn(2026, 3, 6, 17, 0),
        at=vn(2026, 3, 2, 10, 0),
    )
    assert apology.is_late is False


@pytest.mark.parametrize(
    ("at", "late"),
    [
        (vn(2026, 3, 3, 9, 0), False),  # exactly one working day before the due time
        (vn(2026, 3, 3, 9, 1), True),  # less than one working day left
        (vn(2026, 3, 5, 10, 0), True),  # after the due time: still made, recorded as late
    ],
)
def test_an_apology_after_one_working_day_before_the_due_time_is_recorded_late(
    contract_dossier, supervisor, at, late
):
    apology = actions.dossier_apologize(
        dossier=contract_dossier,
        actor=supervisor,
        reason="Chậm",
        new_due_at=vn(2026, 3, 9, 17, 0),
        at=at,
    )
    assert apology.is_late is late
    event = DossierEvent.objects.filter(dossier=contract_dossier, kind="apology").get()
    assert event.details["late"] is late


@pytest.mark.parametrize(
    "new_due_at",
    [
        vn(2026, 3, 4, 8, 0),  # before the original due time
        vn(2026, 3, 7, 9, 0),  # a Saturday
        vn(2026, 3, 6, 12, 0),  # the lunch break
        vn(2026, 3, 6, 19, 0),  # after closing
    ],
)
def test_the_apologys_new_date_is_a_working_time_after_the_old_one(
    contract_dossier, supervisor, new_due_at
):
    with pytest.raises(ValidationError):
        actions.dossier_apologize(
            dossier=contract_dossier,
            actor=supervisor,
            reason="Chậm",
            new_due_at=new_due_at,
            at=vn(2026, 3, 3, 10, 0),
        )
    assert Apology.objects.count() == 0


def test_apology_is_refused_in_final_states(birth_registration, commune, supervisor, officer):
    dossier = online_dossier(birth_registration, commune)
    with pytest.raises(InvalidTransition):
        actions.dossier_apologize(
            dossier=dossier, actor=supervisor, reason="Chậm", new_due_at=vn(2030, 1, 1, 9, 0)
        )


def test_unit_scope_per_role(
    officer,
    other_officer,
    supervisor,
    leader,
    commune,
    desk,
    other_commune,
    district,
    justice_office,
):
    assert access.officer_unit_ids(user=officer) == {commune.pk}
    assert access.officer_unit_ids(user=supervisor) == {commune.pk}
    assert access.officer_unit_ids(user=other_officer) == {other_commune.pk}
    assert access.officer_unit_ids(user=leader) == {
        district.pk,
        desk.pk,
        justice_office.pk,
        commune.pk,
        other_commune.pk,
    }


def test_dossier_get_for_officer_hides_other_units(
    birth_registration, commune, officer, other_officer, leader, specialist, reporting
):
    dossier = online_dossier(birth_registration, commune)
    assert access.dossier_get_for_officer(user=officer, code=dossier.code) == dossier
    assert access.dossier_get_for_officer(user=leader, code=dossier.code) == dossier
    with pytest.raises(Http404):
        access.dossier_get_for_officer(user=other_officer, code=dossier.code)
    with pytest.raises(Http404):
        access.dossier_get_for_officer(user=officer, code="nope")
    assert access.dossier_get_for_officer(user=officer, code=dossier.code, action="receive")
    for user, action in [
        (specialist, "receive"),
        (leader, "receive"),
        (reporting, "resolve"),
        (officer, "resolve"),
        (officer, "apologize"),
    ]:
        with pytest.raises(NotAllowed):
            access.dossier_get_for_officer(user=user, code=dossier.code, action=action)


def test_a_transferred_dossier_is_seen_by_both_offices(
    certified_contract, commune, justice_office, officer
):
    from tests.conftest import make_officer

    clerk = make_officer("clerk", justice_office, "specialist")
    dossier = counter_dossier(certified_contract, commune, officer)
    with pytest.raises(Http404):
        access.dossier_get_for_officer(user=clerk, code=dossier.code)
    actions.dossier_transfer(dossier=dossier, actor=officer, to_unit=justice_office, to_user=clerk)
    assert access.dossier_get_for_officer(user=clerk, code=dossier.code, action="resolve")
    assert access.dossier_get_for_officer(user=officer, code=dossier.code, action="return")


def test_anonymous_users_see_nothing(birth_registration, commune):
    from django.contrib.auth.models import AnonymousUser

    dossier = online_dossier(birth_registration, commune)
    assert access.officer_unit_ids(user=AnonymousUser()) == set()
    with pytest.raises(Http404):
        access.dossier_get_for_officer(user=AnonymousUser(), code=dossier.code)
