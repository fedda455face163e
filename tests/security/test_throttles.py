"""Per-client limits with the rates of settings.REST_FRAMEWORK DEFAULT_THROTTLE_RATES: look-up
(60/min), key attempts (30/hour), captcha (60/min), submissions (20/hour), in the API and on
the pages, answered with 429, a Vietnamese message and Retry-After."""

from __future__ import annotations

import time

import pytest
from django.urls import reverse

from portal.throttling import client_ip
from tests.citizens.conftest import Wizard

pytestmark = pytest.mark.django_db


def _statuses(send, count: int) -> list[int]:
    return [send().status_code for _ in range(count)]


def _assert_throttled(response) -> None:
    assert response.status_code == 429
    text = (
        response.json()["detail"]
        if response["Content-Type"].startswith("application/json")
        else response.content.decode()
    )
    assert "quá nhiều yêu cầu" in text
    assert int(response["Retry-After"]) > 0


def test_the_lookup_api_allows_sixty_a_minute_per_client(client):
    url = "/api/v1/dossiers/000.41.11.H33-261125-0001/status/"
    # Neither a key nor a captcha (400): wrong keys have a smaller budget of their own
    # (tests/citizens/test_key_lock.py).
    statuses = _statuses(lambda: client.get(url), 60)
    assert 429 not in statuses
    _assert_throttled(client.get(url))
    # Another client is not affected.
    assert client.get(url, REMOTE_ADDR="10.9.9.9").status_code != 429


def test_a_forged_forwarded_for_does_not_reset_the_count(client):
    url = "/api/v1/dossiers/X/status/"
    _statuses(lambda: client.get(url, {"key": "K"}), 60)
    _assert_throttled(client.get(url, {"key": "K"}, HTTP_X_FORWARDED_FOR="1.2.3.4"))


def test_key_attempts_allow_thirty_an_hour(client):
    url = "/api/v1/dossiers/X/withdraw/"
    statuses = _statuses(lambda: client.post(url, {"reason": "r"}), 30)  # no key: 400
    assert 429 not in statuses
    _assert_throttled(client.post(url, {"reason": "r"}))


def test_captchas_allow_sixty_a_minute(client):
    statuses = _statuses(lambda: client.get("/api/v1/captcha/"), 60)
    assert set(statuses) == {200}
    _assert_throttled(client.get("/api/v1/captcha/"))


def test_submissions_allow_twenty_an_hour(client):
    statuses = _statuses(lambda: client.post("/api/v1/dossiers/", {}), 20)
    assert set(statuses) == {400}
    _assert_throttled(client.post("/api/v1/dossiers/", {}))


def test_the_lookup_page_is_limited_like_the_api(client):
    data = {"code": "000.41.11.H33-261125-0001"}  # neither key nor captcha: asked again
    statuses = _statuses(lambda: client.post(reverse("citizen-lookup"), data), 60)
    assert 429 not in statuses
    _assert_throttled(client.post(reverse("citizen-lookup"), data))
    assert client.get(reverse("citizen-lookup")).status_code == 200  # reading the page is free


def test_the_key_resend_page_counts_key_attempts(client):
    url = reverse("citizen-key-resend")
    _statuses(lambda: client.post(url, {"code": "X"}), 30)
    _assert_throttled(client.post(url, {"code": "X"}))


def test_the_wizard_confirmation_counts_submissions(client, birth_registration, settings):
    settings.MOTCUA_CAPTCHA_TEST_MODE = True
    wizard = Wizard(client, birth_registration)
    wizard.start()
    statuses = _statuses(lambda: wizard.confirm(declaration=None), 20)
    assert 429 not in statuses
    _assert_throttled(wizard.confirm(declaration=None))
    # The other steps are not submissions.
    assert wizard.unit("03601").status_code != 429


class _Req:
    def __init__(self, remote: str, xff: str | None = None) -> None:
        self.META = {"REMOTE_ADDR": remote}
        if xff is not None:
            self.META["HTTP_X_FORWARDED_FOR"] = xff


def test_the_client_is_the_address_the_nearest_trusted_proxy_saw(settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 0}
    assert client_ip(_Req("10.0.0.5", "6.6.6.6")) == "10.0.0.5"
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    assert client_ip(_Req("10.0.0.5", "6.6.6.6, 203.0.113.7")) == "203.0.113.7"
    assert client_ip(_Req("10.0.0.5", "203.0.113.7")) == "203.0.113.7"
    assert client_ip(_Req("10.0.0.5")) == "10.0.0.5"


def test_a_cache_outage_lets_requests_through_instead_of_failing(client, settings, officer):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:6390/0",
        }
    }  # nobody listens
    assert client.get("/api/v1/dossiers/X/status/", {"key": "K"}).status_code == 403
    assert client.post(reverse("citizen-lookup"), {"code": "X", "key": "K"}).status_code != 500
    token = client.post("/api/v1/auth/token/", {"username": "officer", "password": "pw-officer"})
    assert token.status_code == 200


def test_captcha_pictures_are_limited_like_the_captcha_api(client):
    key = client.get("/api/v1/captcha/").json()["key"]
    url = reverse("captcha-image", kwargs={"key": key})
    # One budget per client and scope, pages and API together: the API's challenge was the
    # first of the 60 a minute.
    statuses = _statuses(lambda: client.get(url), 59)
    assert set(statuses) == {200}
    _assert_throttled(client.get(url))
    _assert_throttled(client.get(reverse("captcha-refresh")))


def test_a_counter_window_starts_at_the_first_hit_and_ends(db):
    # On Redis one round trip (INCR + EXPIRE NX); the window is not pushed back by later hits.
    from portal.throttling import counter_incr

    assert [counter_incr("test:window", timeout=1) for _ in range(3)] == [1, 2, 3]
    time.sleep(1.2)
    assert counter_incr("test:window", timeout=1) == 1


def test_a_scope_without_a_rate_is_not_limited(client, settings):
    rates = {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "captcha": None}
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
    assert set(_statuses(lambda: client.get("/api/v1/captcha/"), 70)) == {200}
