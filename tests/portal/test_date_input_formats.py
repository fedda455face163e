"""Dates typed the Vietnamese way, day first: "12/10/2026" is 12 October, in the Vietnamese UI
and in the English one (the officers who pick English still write Vietnamese dates); ISO dates
still work, and the browsers' date inputs still get ISO values."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from django import forms
from django.urls import reverse
from django.utils import translation

from payments.forms import ReconciliationForm
from procedures.models import CalendarOverride

LANGUAGES = ["vi", "en"]


@pytest.mark.django_db
@pytest.mark.parametrize("language", LANGUAGES)
def test_the_admin_reads_a_typed_date_day_first(admin_client, language):
    admin_client.cookies["django_language"] = language
    response = admin_client.post(
        reverse("admin:procedures_calendaroverride_add"),
        {"date": "12/10/2026", "kind": "day_off", "note": "Thử", "source": "Thử"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert CalendarOverride.objects.get().date == date(2026, 10, 12)


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("12/10/2026", date(2026, 10, 12)),
        ("25/12/2026", date(2026, 12, 25)),
        ("1/2/2026", date(2026, 2, 1)),
        ("12-10-2026", date(2026, 10, 12)),  # as the Vietnamese short format shows dates
        ("12.10.2026", date(2026, 10, 12)),
        ("12/10/26", date(2026, 10, 12)),
        ("2026-10-12", date(2026, 10, 12)),  # ISO, what <input type=date> sends
    ],
)
def test_a_date_field_reads_day_first_and_iso(language, typed, meant):
    with translation.override(language):
        assert forms.DateField().clean(typed) == meant


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_month_first_date_is_an_error_not_another_day(language):
    with translation.override(language), pytest.raises(forms.ValidationError):
        forms.DateField().clean("10/25/2026")


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_date_and_time_reads_day_first(language):
    with translation.override(language):
        field = forms.DateTimeField()
        assert field.clean("12/10/2026 08:30").replace(tzinfo=None) == datetime(2026, 10, 12, 8, 30)
        assert field.clean("2026-10-12 08:30").replace(tzinfo=None) == datetime(2026, 10, 12, 8, 30)
        # Time first, as Django's Vietnamese short datetime format shows it.
        assert field.clean("08:30 12-10-2026").replace(tzinfo=None) == datetime(2026, 10, 12, 8, 30)


@pytest.mark.parametrize("language", LANGUAGES)
def test_date_inputs_of_the_pages_still_get_iso_values(language):
    """A DateInput renders with the first input format: <input type=date> only takes ISO."""
    with translation.override(language):
        html = str(ReconciliationForm(initial={"start": date(2026, 10, 12)})["start"])
    assert 'value="2026-10-12"' in html, html
