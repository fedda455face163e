"""The counter's written guidance to walk-in applicants: Mẫu 02 and Mẫu 03 without a dossier."""

from __future__ import annotations

from datetime import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from dossiers.models import CounterGuidance, Dossier
from dossiers.services.guidance import counter_guidance_counts, counter_guidance_give
from portal.exceptions import NotAllowed
from tests.dossiers.conftest import vn
from tests.dossiers.test_slips import pdf_text

pytestmark = pytest.mark.django_db


def give(procedure, unit, actor, **changes):
    data = {
        "unit": unit,
        "procedure": procedure,
        "kind": "supplement",
        "applicant_name": "Lò Thị Xuân",
        "reason": "Thiếu giấy chứng sinh bản chính.",
        "actor": actor,
        "document_ids": [procedure.documents.order_by("order").last().pk],
        "at": vn(2026, 12, 1, 9, 0),
    }
    data.update(changes)
    return counter_guidance_give(**data)


def test_a_walk_in_gets_mau_02_listing_the_missing_items_and_no_dossier_is_made(
    birth_registration, commune, officer
):
    made = give(birth_registration, commune, officer)
    assert list(made.documents.values_list("name", flat=True)) == ["Giấy chứng sinh"]
    assert (made.given_by, made.number, made.year) == (officer, 1, 2026)
    assert Dossier.objects.count() == 0
    again = give(birth_registration, commune, officer, kind="refusal", document_ids=[])
    assert again.number == 1  # Mẫu 03 has its own series
    assert give(birth_registration, commune, officer).number == 2


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"document_ids": []}, "documents"),
        ({"document_ids": [999_999]}, "documents"),
        ({"reason": " "}, "reason"),
        ({"applicant_name": ""}, "applicant_name"),
    ],
)
def test_a_bad_guidance_is_refused_on_its_field(
    birth_registration, commune, officer, changes, field
):
    with pytest.raises(ValidationError) as caught:
        give(birth_registration, commune, officer, **changes)
    assert field in caught.value.message_dict
    assert CounterGuidance.objects.count() == 0


def test_only_the_desk_gives_guidance(birth_registration, commune, specialist):
    with pytest.raises(NotAllowed):
        give(birth_registration, commune, specialist)


def test_guidance_is_counted_for_the_reports(birth_registration, commune, officer):
    give(birth_registration, commune, officer)
    give(birth_registration, commune, officer, kind="refusal", document_ids=[])
    counts = counter_guidance_counts(
        unit_ids=[commune.pk], start=vn(2026, 12, 1, 0, 0), end=vn(2026, 12, 2, 0, 0)
    )
    assert counts == {"supplement": 1, "refusal": 1}


def test_the_page_gives_and_prints_the_slip(client, birth_registration, commune, officer):
    client.force_login(officer)
    url = reverse("officer-guidance")
    params = {"unit": commune.pk, "procedure": birth_registration.pk}
    page = client.get(url, params)
    assert page.status_code == 200
    missing = birth_registration.documents.order_by("order").last()
    response = client.post(
        url,
        {
            **params,
            "kind": "supplement",
            "applicant_name": "Lò Thị Xuân",
            "documents": [str(missing.pk)],
            "reason": "Thiếu giấy chứng sinh bản chính.",
        },
    )
    assert response.status_code == 302
    made = CounterGuidance.objects.get()
    pdf = client.get(response["Location"])
    assert pdf["Content-Type"] == "application/pdf"
    text = pdf_text(pdf.content)
    assert "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ" in text
    assert "Giấy chứng sinh" in text
    assert f"Số: {made.number}/BSHS" in text
    assert "Lò Thị Xuân" in client.get(url).content.decode()
    bad = client.post(url, {**params, "kind": "refusal", "applicant_name": "X", "reason": ""})
    assert bad.status_code == 200 or bad.status_code == 400
    assert CounterGuidance.objects.count() == 1


def test_another_units_officer_cannot_print_it(
    client, birth_registration, commune, officer, other_officer
):
    made = give(birth_registration, commune, officer, at=datetime.now().astimezone())
    client.force_login(other_officer)
    assert client.get(reverse("officer-guidance-pdf", args=[made.pk])).status_code == 404
