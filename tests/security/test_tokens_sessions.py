"""API tokens expire and do not outlive turning two-factor sign-in on; an officer's session
ends after a working day while a citizen's keeps the site's usual age."""

from __future__ import annotations

import datetime
import time

from django.utils import timezone
from rest_framework.authtoken.models import Token

from portal.models import OfficerTOTP
from portal.totp import totp, totp_key
from portal.totp_devices import totp_enrolment_confirm, totp_enrolment_start

TOKEN_URL = "/api/v1/auth/token/"
LIST_URL = "/api/v1/officer/dossiers/"


def _token(client) -> str:
    response = client.post(TOKEN_URL, {"username": "officer", "password": "pw-officer"})
    assert response.status_code == 200
    assert response.json()["expires_at"]
    return response.json()["token"]


def test_a_token_past_its_lifetime_is_refused_and_a_new_one_issued(client, officer, settings):
    settings.API_TOKEN_SECONDS = 3600
    key = _token(client)
    assert client.get(LIST_URL, HTTP_AUTHORIZATION=f"Token {key}").status_code == 200
    Token.objects.filter(key=key).update(created=timezone.now() - datetime.timedelta(hours=2))
    expired = client.get(LIST_URL, HTTP_AUTHORIZATION=f"Token {key}")
    assert expired.status_code in (401, 403)  # 403: session authentication comes first
    assert "hết hạn" in expired.json()["detail"]
    fresh = _token(client)
    assert fresh != key
    assert client.get(LIST_URL, HTTP_AUTHORIZATION=f"Token {fresh}").status_code == 200


def test_a_live_token_is_given_again(client, officer):
    assert _token(client) == _token(client)


def test_turning_two_factor_on_revokes_the_token(client, officer):
    key = _token(client)
    device = totp_enrolment_start(user=officer)
    code = totp(key=totp_key(device.secret), at=time.time())
    assert totp_enrolment_confirm(user=officer, code=code)
    assert OfficerTOTP.objects.get(user=officer).confirmed_at is not None
    assert not Token.objects.filter(key=key).exists()
    assert client.get(LIST_URL, HTTP_AUTHORIZATION=f"Token {key}").status_code in (401, 403)


def test_an_officer_session_lasts_a_working_day(client, officer, settings):
    settings.OFFICER_SESSION_SECONDS = 10 * 3600
    response = client.post("/can-bo/dang-nhap/", {"username": "officer", "password": "pw-officer"})
    assert response.status_code == 302
    assert client.session.get_expiry_age() == 10 * 3600
    assert client.cookies["sessionid"]["max-age"] == 10 * 3600


def test_a_citizen_session_keeps_the_usual_age(client, settings, db):
    from citizens.services import citizen_register

    citizen_register(full_name="Công Dân", password="pw-citizen-123", phone="+84911111112")
    response = client.post(
        "/tai-khoan/dang-nhap/", {"login": "0911111112", "password": "pw-citizen-123"}
    )
    assert response.status_code == 302, response.content[:500]
    assert client.session.get_expiry_age() == settings.SESSION_COOKIE_AGE
