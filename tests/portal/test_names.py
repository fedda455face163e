"""One "Họ và tên", shown as written: "Lò Thị Mai", never "Mai Lò Thị"."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model

from portal.demo import officers_seed
from procedures.services import units_load
from tests.dossiers.test_demo import DATA

pytestmark = pytest.mark.django_db
join_migration = importlib.import_module("portal.migrations.0005_full_names")


def test_names_stored_split_are_joined_family_name_first():
    user = get_user_model().objects.create_user(
        username="mai", first_name="Mai", last_name="Lò Thị"
    )
    assert user.get_full_name() == "Mai Lò Thị"  # Django's Western order
    join_migration.names_join(apps, None)
    user.refresh_from_db()
    assert (user.first_name, user.last_name) == ("Lò Thị Mai", "")
    assert user.get_full_name() == "Lò Thị Mai"


def test_the_demo_officers_carry_their_names_as_written():
    units_load(path=DATA / "demo_units.json")
    officers_seed()
    user = get_user_model().objects.get(username="tiepnhan.huyen")
    assert user.get_full_name() == "Lò Thị Mai"


def test_the_admin_edits_one_full_name(admin_client):
    user = get_user_model().objects.create_user(username="hoa", first_name="Nguyễn Thị Hoa")
    page = admin_client.get(f"/quan-tri/auth/user/{user.pk}/change/").content.decode()
    assert "Họ và tên" in page
    assert 'name="last_name"' not in page
