"""After signing in, a leader lands on the dashboard; an officer who acts, on the workbench."""

from __future__ import annotations

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def _sign_in(client, username):
    response = client.post(
        reverse("officer-login"), {"username": username, "password": f"pw-{username}"}
    )
    return client.get(response["Location"])["Location"]


def test_a_leader_lands_on_the_dashboard(client, leader):
    assert _sign_in(client, "leader") == reverse("reports-dashboard")


def test_a_desk_officer_lands_on_the_workbench(client, officer):
    assert _sign_in(client, "officer") == reverse("officer-workbench")
