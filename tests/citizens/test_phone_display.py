"""The applicant's phone on the citizens' pages: the national form people write ("0912 345
678"), never the stored E.164 ("+84912345678"); masked where the page masks personal data."""

from __future__ import annotations

import pytest
from django.template import Context, Template

from tests.citizens.conftest import PHONE

pytestmark = pytest.mark.django_db
LOOKUP = "/tra-cuu/"


def _render(text: str, **context) -> str:
    return Template("{% load citizen_tags %}" + text).render(Context(context))


@pytest.mark.parametrize(
    ("stored", "shown"),
    [
        ("+84912345678", "0912 345 678"),
        ("0912345678", "0912 345 678"),  # an older row kept as typed
        ("84 912.345.678", "0912 345 678"),
        ("02133876543", "02133876543"),  # not a mobile number: shown as stored
        ("", ""),
        (None, ""),
    ],
)
def test_the_filter_shows_the_national_form(stored, shown):
    assert _render("{{ phone|phone_national }}", phone=stored) == shown


def test_the_dossier_page_with_the_key_shows_the_phone_in_the_national_form(
    client, dossier_and_key
):
    dossier, key = dossier_and_key
    assert dossier.applicant_phone == PHONE  # stored as E.164
    response = client.post(LOOKUP, {"code": dossier.code, "key": key})
    page = client.get(response.url).content.decode()
    assert "0912 345 678" in page
    assert PHONE not in page
    assert "+84" not in page


def test_the_masked_dossier_page_keeps_masking_in_the_national_form(client, dossier_and_key):
    dossier, _key = dossier_and_key
    response = client.post(LOOKUP, {"code": dossier.code, "captcha_value": "PASSED"})
    page = client.get(response.url).content.decode()
    assert "09** *** 678" in page
    assert "0912 345 678" not in page
    assert "+84" not in page


def test_the_review_of_the_answers_shows_the_typed_phone_in_the_national_form():
    from django.template.loader import render_to_string

    summary = {
        "applicant": {"name": "Nguyễn Văn An"},
        "applicant_raw": {"phone": "0912.345.678", "phone_e164": PHONE},
        "fee": 8000,
    }
    html = render_to_string("citizens/_answers.html", {"summary": summary, "urls": {}})
    assert "0912 345 678" in html
    assert "8.000 đồng" in html
