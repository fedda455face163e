"""Units with a life: a closed unit accepts nothing on any path; closing hands dossiers over;
loading units from vietnam-provinces and from files."""

from __future__ import annotations

import pytest

from dossiers.models import Dossier
from tests.citizens.test_api import SUBMIT, payload
from tests.unit_life import close

pytestmark = pytest.mark.django_db


def test_the_citizens_api_refuses_a_closed_unit_with_a_400_naming_the_successor(
    client, birth_registration, commune, successor
):
    close(commune, successor)
    response = client.post(SUBMIT, payload(birth_registration, commune))
    assert response.status_code == 400
    body = response.json()
    assert successor.name in body["detail"], body
    assert body["successor"] == "12-03601"
    assert Dossier.objects.count() == 0


def test_the_citizens_api_answers_in_english_too(client, birth_registration, commune, successor):
    close(commune, successor)
    response = client.post(SUBMIT, payload(birth_registration, commune), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert "no longer operates" in response.json()["detail"]


def test_the_wizard_refuses_a_unit_closed_before_the_final_step(wizard, commune, successor):
    wizard.to_confirmation(commune)
    close(commune, successor)
    response = wizard.confirm()
    assert response.status_code == 200
    assert successor.name in response.content.decode()
    assert Dossier.objects.count() == 0
