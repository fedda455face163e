"""Decree 118/2025 on the citizens' paths (API and wizard): a procedure not listed as
receivable regardless of boundaries goes to the applicant's own commune only; a listed one
may be submitted to any centre and is handled by the competent unit."""

from __future__ import annotations

import pytest

from dossiers.models import Dossier, DossierEvent
from tests.citizens.test_api import SUBMIT, payload
from tests.dossiers.test_boundary_free import list_it

pytestmark = pytest.mark.django_db


def test_the_citizens_api_both_ways(client, birth_registration, commune, other_commune):
    data = payload(birth_registration, other_commune, applicant_commune="03601")
    refused = client.post(SUBMIT, data)
    assert refused.status_code == 400
    body = refused.json()
    assert "không thuộc danh mục tiếp nhận không phụ thuộc" in body["detail"]
    assert body["competent_unit"] == "03601"
    assert Dossier.objects.count() == 0
    again = payload(birth_registration, other_commune, applicant_commune="03601")
    english = client.post(SUBMIT, again, HTTP_ACCEPT_LANGUAGE="en")
    assert "regardless of administrative boundaries" in english.json()["detail"]
    list_it(birth_registration)
    made = client.post(
        SUBMIT, payload(birth_registration, other_commune, applicant_commune="03601")
    )
    assert made.status_code == 201, made.content
    dossier = Dossier.objects.get()
    assert (dossier.unit, dossier.handling_unit) == (other_commune, commune)
    assert dossier.applicant_commune == commune
    created = DossierEvent.objects.get(dossier=dossier, kind="created")
    assert created.details["handling_unit"] == "03601"


def test_the_wizard_both_ways(wizard, birth_registration, commune, other_commune):
    # The wizard's applicant lives in xã Mường Khoa (ward 3601 of the address).
    wizard.to_confirmation(other_commune)
    response = wizard.confirm()
    assert response.status_code == 200
    assert "không thuộc danh mục tiếp nhận không phụ thuộc" in response.content.decode()
    assert Dossier.objects.count() == 0
    list_it(birth_registration)
    assert wizard.confirm().status_code == 302
    dossier = Dossier.objects.get()
    assert (dossier.unit, dossier.handling_unit) == (other_commune, commune)
