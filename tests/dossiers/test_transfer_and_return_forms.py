"""The transfer form offers the usual handling unit and tells same-named officers apart; the
return form starts on the citizen's chosen way and shows the postal address."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from dossiers.forms import ReturnForm, TransferForm
from dossiers.models import Dossier
from dossiers.services import actions
from portal.models import Membership, Role
from portal.names import full_name_fields
from tests.dossiers.conftest import online_dossier

pytestmark = pytest.mark.django_db


def _officer(username, unit):
    user = get_user_model().objects.create_user(
        username=username, **full_name_fields("Hoàng Văn Dũng")
    )
    Membership.objects.create(user=user, unit=unit, role=Role.SPECIALIST)
    return user


def test_the_usual_handling_unit_is_chosen_and_officers_are_told_apart(
    birth_registration, commune, officer, justice_office
):
    first = actions.dossier_receive(
        dossier=online_dossier(birth_registration, commune), actor=officer
    )
    actions.dossier_transfer(dossier=first, actor=officer, to_unit=justice_office)
    _officer("dung.tp", justice_office)
    _officer("dung.xa", commune)
    second = actions.dossier_receive(
        dossier=online_dossier(birth_registration, commune), actor=officer
    )
    form = TransferForm(dossier=second)
    assert form.initial["to_unit"] == justice_office.code
    html = str(form["to_user"])
    assert "---------" not in html
    assert "Hoàng Văn Dũng (dung.tp) – Phòng Tư pháp" in html
    assert "Hoàng Văn Dũng (dung.xa) – UBND xã Mường Khoa" in html
    assert f'data-units="{justice_office.code}"' in html


def test_the_return_form_shows_the_postal_address(birth_registration, commune, officer):
    dossier = online_dossier(birth_registration, commune)
    Dossier.objects.filter(pk=dossier.pk).update(
        delivery="post", delivery_address="Bản Nà Bó, xã Mường Khoa"
    )
    dossier.refresh_from_db()
    form = ReturnForm(dossier=dossier)
    assert form.initial["method"] == "post"
    assert "Bản Nà Bó, xã Mường Khoa" in str(form["tracking_number"].help_text)
