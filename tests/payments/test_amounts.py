"""Amounts are written one way on every page: "10.000 đồng" ("." groups thousands in every
language; the unit is translated, "10.000 VND" in English), through procedures.fees.money
and the `vnd` / `money` filters."""

from __future__ import annotations

import pytest
from django.template import Context, Template
from django.utils import translation

from procedures.fees import money, money_text
from tests.payments.conftest import submit_online
from tests.payments.test_views import with_lookup_proof

pytestmark = pytest.mark.django_db


def _render(text: str, **context) -> str:
    return Template("{% load citizen_tags %}" + text).render(Context(context))


@pytest.mark.parametrize(
    ("amount", "number"),
    [
        (0, "0"),
        (800, "800"),
        (8000, "8.000"),
        (10_000, "10.000"),
        (1_250_000, "1.250.000"),
        (-2000, "-2.000"),
        ("8000", "8.000"),
    ],
)
def test_the_number_is_grouped_by_dots(amount, number):
    assert money(amount) == number
    assert _render("{{ a|vnd }}", a=amount) == number


def test_the_amount_carries_its_translated_unit():
    assert money_text(8000) == "8.000 đồng"
    assert _render("{{ a|money }}", a=8000) == "8.000 đồng"
    with translation.override("en"):
        assert money_text(8000) == "8.000 VND"
        assert _render("{{ a|money }}", a=8000) == "8.000 VND"


def test_what_is_not_a_number_is_shown_as_is():
    assert _render("{{ a|money }}|{{ a|vnd }}", a="—") == "—|—"


def test_the_officers_dossier_page_writes_the_fee_like_the_citizens_page(
    client, officer, residence, commune
):
    dossier = submit_online(residence, commune)
    client.force_login(officer)
    officer_page = client.get(f"/can-bo/ho-so/{dossier.code}/").content.decode()
    assert "10.000 đồng" in officer_page
    assert "10000 đ" not in officer_page
    client.logout()
    citizen_page = (
        with_lookup_proof(client, dossier.code)
        .get(f"/tra-cuu/ho-so/{dossier.code}/")
        .content.decode()
    )
    assert "10.000 đồng" in citizen_page


def test_the_officers_dossier_page_in_english(client, officer, residence, commune):
    dossier = submit_online(residence, commune)
    client.force_login(officer)
    client.cookies["django_language"] = "en"
    page = client.get(f"/can-bo/ho-so/{dossier.code}/").content.decode()
    assert "<dd>10.000 VND</dd>" in page
    assert " đ</dd>" not in page


def test_the_procedure_page_groups_the_fee_by_dots(client, residence):
    page = client.get(f"/thu-tuc/{residence.code}/").content.decode()
    assert "phí 10.000 đồng" in page
    assert "10000" not in page


def test_the_posting_sheet_groups_the_fee_by_dots(residence):
    from django.template.loader import render_to_string

    html = render_to_string(
        "procedures/pdf/posting_sheet.html", {"procedures": [residence], "p": residence}
    )
    assert "10.000 đồng" in html
    assert "10000 đồng" not in html
