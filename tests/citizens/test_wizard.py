"""The submission wizard, driven page by page with the test client."""

from __future__ import annotations

import pytest
from django.urls import reverse

from citizens.models import Draft
from dossiers.models import Dossier, DossierFile
from tests.citizens.conftest import ADDRESS, ID_NUMBER, NAME, PHONE, key_from_sms, sms_for

pytestmark = pytest.mark.django_db


def test_a_full_submission_creates_one_dossier_and_one_sms_with_a_working_key(
        wizard, commune, django_capture_on_commit_callbacks, client):
    with django_capture_on_commit_callbacks(execute=True):
        response = wizard.all_steps(commune)
    assert response.status_code == 302
    draft = Draft.objects.get(token=wizard.token)
    assert response.url == reverse("citizen-done", args=[wizard.procedure.code, draft.token])
    dossier = Dossier.objects.get()
    assert draft.dossier == dossier
    assert dossier.status == Dossier.Status.SUBMITTED
    assert dossier.channel == "online"
    assert dossier.unit == commune
    assert (dossier.applicant_name, dossier.applicant_id_number, dossier.applicant_phone) == (
        NAME, ID_NUMBER, PHONE)
    assert dossier.applicant_address == ADDRESS
    assert dossier.files.filter(kind=DossierFile.Kind.SUBMISSION).count() == 2
    messages = sms_for(dossier)
    assert len(messages) == 1
    assert messages[0].to == PHONE
    assert dossier.code in messages[0].body
    key = key_from_sms(messages[0].body)

    page = client.get(response.url)
    assert dossier.code in page.content.decode()
    assert key not in page.content.decode()

    lookup = client.post(reverse("citizen-lookup"), {"code": dossier.code, "key": key})
    assert lookup.status_code == 302
    detail = client.get(lookup.url).content.decode()
    assert ID_NUMBER in detail  # unmasked with the key


def test_it_shows_step_n_of_m(wizard):
    wizard.start()
    page = wizard.client.get(wizard.url("don-vi")).content.decode()
    assert "Bước 1/6" in page
    page = wizard.client.get(wizard.url("nguoi-nop")).content.decode()
    assert "Bước 2/6" in page


def test_a_procedure_with_one_unit_skips_the_unit_step(client, commune, birth_registration):
    birth_registration.units.set([commune])
    response = client.post(reverse("citizen-start", args=[birth_registration.code]))
    assert response.url.endswith("/nguoi-nop/")
    assert "Bước 1/5" in client.get(response.url).content.decode()
