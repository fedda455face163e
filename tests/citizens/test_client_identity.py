"""One client identity behind a proxy: logins, key re-sends and look-ups count per citizen
(the address nginx saw, portal.throttling.client_key), never per proxy, and an address the
client writes into X-Forwarded-For itself buys no new budget."""

from __future__ import annotations

import pytest
from django.urls import reverse

from citizens.services import citizen_register
from citizens.views.accounts import LOGIN_ATTEMPTS_PER_HOUR

pytestmark = pytest.mark.django_db
PASSWORD = "Mat-khau-rat-kho-2025"
WRONG = "sai-mat-khau"
NGINX = "10.0.0.2"  # every request reaches Django from the proxy
CITIZEN_A, CITIZEN_B = "203.0.113.7", "203.0.113.8"
SPOOFED_A = f"198.51.100.1, {CITIZEN_A}"  # A writes an extra hop in front of nginx's


@pytest.fixture(autouse=True)
def _behind_one_proxy(settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}


def via(xff: str) -> dict[str, str]:
    return {"REMOTE_ADDR": NGINX, "HTTP_X_FORWARDED_FOR": xff}


def test_logins_are_counted_per_citizen_behind_the_proxy(client):
    citizen_register(full_name="An", password=PASSWORD, email="an@example.vn")

    def login(xff: str, password: str = WRONG) -> str:
        data = {"login": "an@example.vn", "password": password}
        return client.post(reverse("citizen-login"), data, **via(xff)).content.decode()

    for _ in range(LOGIN_ATTEMPTS_PER_HOUR):
        assert "không đúng" in login(CITIZEN_A)
    assert "quá nhiều lần" in login(CITIZEN_A)
    assert "quá nhiều lần" in login(SPOOFED_A)
    assert "quá nhiều lần" not in login(CITIZEN_B)
    client.post(
        reverse("citizen-login"), {"login": "an@example.vn", "password": PASSWORD}, **via(CITIZEN_B)
    )
    assert "_auth_user_id" in client.session


def test_key_resends_are_counted_per_citizen_behind_the_proxy(client, submit_online):
    url = reverse("citizen-key-resend")
    codes = [submit_online()[0].code for _ in range(3)]

    def resend(code: str, xff: str) -> int:
        return client.post(url, {"code": code, "captcha_value": "PASSED"}, **via(xff)).status_code

    # Five an hour per client (dossiers.services.citizen), at most three a day per dossier.
    assert [resend(code, CITIZEN_A) for code in codes for _ in range(2)][:5] == [302] * 5
    assert resend(codes[2], SPOOFED_A) == 429
    assert resend(codes[2], CITIZEN_B) == 302


def test_look_ups_are_counted_per_citizen_behind_the_proxy(client):
    url = "/api/v1/dossiers/X-1/status/"

    def look_up(xff: str) -> int:  # neither key nor captcha: 400, counted all the same
        return client.get(url, **via(xff)).status_code

    assert {look_up(CITIZEN_A) for _ in range(60)} == {400}
    assert look_up(CITIZEN_A) == 429
    assert look_up(SPOOFED_A) == 429
    assert look_up(CITIZEN_B) == 400
