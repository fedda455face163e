"""After a supplement the citizen lands on a confirmation page (post, redirect, get)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from dossiers.models import Dossier
from dossiers.services import actions
from tests.citizens.conftest import upload

pytestmark = pytest.mark.django_db


def _open(client, dossier, key):
    response = client.post("/tra-cuu/", {"code": dossier.code, "key": key})
    assert response.status_code == 302


def _supplement_requested(dossier, officer):
    dossier = actions.dossier_receive(dossier=dossier, actor=officer)
    doc = dossier.procedure.documents.order_by("order").last()
    actions.dossier_request_supplement(
        dossier=dossier, actor=officer, document_ids=[doc.pk], reason="Ảnh bị mờ"
    )
    return doc


def test_the_confirmation_names_the_files_and_survives_a_reload(client, dossier_and_key, officer):
    dossier, key = dossier_and_key
    doc = _supplement_requested(dossier, officer)
    _open(client, dossier, key)
    form_url = reverse("citizen-supplement", args=[dossier.code])
    response = client.post(form_url, {"note": "Chụp lại", f"document_{doc.pk}": upload("moi.pdf")})
    sent_url = reverse("citizen-supplement-sent", args=[dossier.code])
    assert response.status_code == 302
    assert response.url == sent_url
    for _reload in range(2):
        page = client.get(sent_url).content.decode()
        assert "Đã gửi hồ sơ bổ sung" in page
        assert "moi.pdf" in page
        assert "Bạn không cần gửi lại" in page
    assert dossier.files.filter(kind="supplement").count() == 1
    again = client.post(form_url, {f"document_{doc.pk}": upload("moi.pdf")})
    assert again.status_code == 302
    assert dossier.files.filter(kind="supplement").count() == 1
    dossier.refresh_from_db()
    assert dossier.status == Dossier.Status.PROCESSING


def test_the_confirmation_needs_the_key(client, dossier_and_key, officer):
    dossier, _key = dossier_and_key
    response = client.get(reverse("citizen-supplement-sent", args=[dossier.code]))
    assert response.status_code == 302
    assert response.url.startswith("/tra-cuu/")


def test_without_an_answer_the_confirmation_leads_to_the_dossier(client, dossier_and_key):
    dossier, key = dossier_and_key
    _open(client, dossier, key)
    response = client.get(reverse("citizen-supplement-sent", args=[dossier.code]))
    assert response.url == reverse("citizen-dossier", args=[dossier.code])
