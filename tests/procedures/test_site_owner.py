"""Every page names the authority the portal serves and its office hours, read from the unit
data: today's province after the 2025 reform, or the unit that PORTAL_OWNER_UNIT names."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from procedures.models import Unit


@pytest.fixture
def province(db):
    return Unit.objects.create(
        code="12",
        name="Tỉnh Lai Châu",
        kind=Unit.Kind.PROVINCE,
        morning_start=dt.time(7, 30),
        afternoon_end=dt.time(17, 30),
    )


def _home(client) -> str:
    page = client.get(reverse("home"))
    assert page.status_code == 200
    return page.content.decode()


def test_the_header_names_the_province_open_today_and_its_hours(province, client):
    Unit.objects.create(
        code="111",
        name="Huyện Tân Uyên",
        kind=Unit.Kind.DISTRICT,
        parent=province,
        valid_to=dt.date(2025, 6, 30),
    )
    html = _home(client)
    assert "Tỉnh Lai Châu" in html
    assert "huyện" not in html.lower()
    assert "sáng 7:30–11:30, chiều 13:30–17:30" in html


def test_a_closed_authority_is_never_named(province, client):
    Unit.objects.filter(pk=province.pk).update(valid_to=dt.date(2025, 6, 30))
    html = _home(client)
    assert "Tỉnh Lai Châu" not in html
    assert "Giờ làm việc" not in html


def test_the_setting_names_another_unit(province, client, settings):
    commune = Unit.objects.create(
        code="12-03601", name="Xã Mường Khoa", kind=Unit.Kind.COMMUNE, parent=province
    )
    settings.PORTAL_OWNER_UNIT = commune.code
    html = _home(client)
    assert "Xã Mường Khoa" in html
    assert "Tỉnh Lai Châu" not in html


def test_the_header_is_translated(province, client):
    client.cookies["django_language"] = "en"
    page = client.get(reverse("home"))
    html = page.content.decode()
    assert "Tỉnh Lai Châu" in html
    assert "Opening hours: 7:30–11:30 and 13:30–17:30, Monday to Friday." in html
