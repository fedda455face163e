"""The administration site has no sign-in of its own: /quan-tri/login/ sends everyone to the
officers' sign-in, so a superuser meets the same lock-out, audit rows and second step."""

from __future__ import annotations

import time

import pytest
from django.contrib.auth import get_user_model

from portal.models import AuditLog, OfficerTOTP
from portal.totp import totp, totp_key
from portal.totp_devices import totp_enrolment_start


@pytest.fixture
def superuser(db):
    return get_user_model().objects.create_superuser(
        username="root", password="pw-root-123", email="root@example.org"
    )


def _enable_totp(user) -> None:
    device = totp_enrolment_start(user=user)
    OfficerTOTP.objects.filter(pk=device.pk).update(confirmed_at="2026-01-01T00:00:00Z")


def test_the_admin_login_page_sends_to_the_officers_sign_in(client, superuser):
    response = client.get("/quan-tri/login/?next=/quan-tri/procedures/")
    assert response.status_code == 302
    assert response["Location"] == "/can-bo/dang-nhap/?next=/quan-tri/procedures/"
    # The admin's own redirect for an anonymous visitor ends there too.
    response = client.get("/quan-tri/", follow=True)
    assert response.redirect_chain[-1][0].startswith("/can-bo/dang-nhap/?next=/quan-tri/")


def test_a_password_posted_to_the_admin_login_signs_nobody_in(client, superuser):
    _enable_totp(superuser)
    response = client.post(
        "/quan-tri/login/?next=/quan-tri/", {"username": "root", "password": "pw-root-123"}
    )
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session
    assert client.get("/quan-tri/").status_code == 302
    assert client.get("/api/v1/officer/dossiers/").status_code in (401, 403)


def test_a_superuser_with_totp_needs_the_code_to_reach_the_admin(client, superuser):
    _enable_totp(superuser)
    response = client.post(
        "/can-bo/dang-nhap/?next=/quan-tri/",
        {"username": "root", "password": "pw-root-123", "next": "/quan-tri/"},
    )
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session
    device = OfficerTOTP.objects.get(user=superuser)
    code = totp(key=totp_key(device.secret), at=time.time())
    done = client.post("/can-bo/dang-nhap/ma-xac-thuc/", {"code": code})
    assert done["Location"] == "/quan-tri/"
    assert client.get("/quan-tri/").status_code == 200
    # Signed in, the admin's login page goes straight to the site.
    assert client.get("/quan-tri/login/?next=/quan-tri/")["Location"] == "/quan-tri/"


def test_wrong_admin_passwords_lock_and_are_audited(client, superuser):
    for _ in range(5):
        client.post("/can-bo/dang-nhap/?next=/quan-tri/", {"username": "root", "password": "x"})
    right = client.post(
        "/can-bo/dang-nhap/?next=/quan-tri/", {"username": "root", "password": "pw-root-123"}
    )
    assert right.status_code == 200  # the form again, with the lock message
    assert "_auth_user_id" not in client.session
    assert AuditLog.objects.filter(action="officer_login_failed", target="root").count() == 5
    assert AuditLog.objects.filter(action="officer_login_locked", target="root").exists()


def test_a_signed_in_non_staff_user_is_refused_not_looped(client, officer):
    client.force_login(officer)
    response = client.get("/quan-tri/login/?next=/quan-tri/")
    assert response.status_code == 403
