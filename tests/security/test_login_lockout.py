"""Officers' sign-in is throttled: 5 failures per username and address lock it for 15
minutes, on the page and in the token API alike, with a translated message and an audit
trail."""

from __future__ import annotations

import pytest
from django.urls import reverse

from portal import login_lockout
from portal.models import AuditLog

LOGIN = "/can-bo/dang-nhap/"
TOKEN = "/api/v1/auth/token/"


def _fail_page(client, username="officer", times=1, addr="10.0.0.1"):
    responses = []
    for _ in range(times):
        responses.append(
            client.post(LOGIN, {"username": username, "password": "wrong"}, REMOTE_ADDR=addr)
        )
    return responses


def test_the_page_locks_after_five_failures_even_for_the_right_password(client, officer):
    first_four = _fail_page(client, times=4)
    assert all(r.status_code == 200 for r in first_four)
    assert "không đúng" in first_four[-1].content.decode()
    fifth = _fail_page(client)[0]
    assert "tạm bị khóa" in fifth.content.decode()
    right = client.post(
        LOGIN, {"username": "officer", "password": "pw-officer"}, REMOTE_ADDR="10.0.0.1"
    )
    assert right.status_code == 200
    assert "tạm bị khóa" in right.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_lock_is_per_address_and_per_username(client, officer, supervisor):
    _fail_page(client, times=5)
    other_user = client.post(
        LOGIN, {"username": "supervisor", "password": "pw-supervisor"}, REMOTE_ADDR="10.0.0.1"
    )
    assert other_user.status_code == 302
    client.logout()
    other_addr = client.post(
        LOGIN, {"username": "officer", "password": "pw-officer"}, REMOTE_ADDR="10.0.0.2"
    )
    assert other_addr.status_code == 302


def test_a_success_clears_the_failures(client, officer):
    _fail_page(client, times=4)
    assert (
        client.post(
            LOGIN, {"username": "officer", "password": "pw-officer"}, REMOTE_ADDR="10.0.0.1"
        ).status_code
        == 302
    )
    client.logout()
    _fail_page(client, times=4)
    assert (
        client.post(
            LOGIN, {"username": "officer", "password": "pw-officer"}, REMOTE_ADDR="10.0.0.1"
        ).status_code
        == 302
    )


def test_failures_and_the_lock_are_in_the_audit_log(client, officer):
    _fail_page(client, times=5)
    failed = AuditLog.objects.filter(action="officer_login_failed", target="officer")
    assert failed.count() == 5
    assert failed.first().details["user_id"] == officer.pk
    [locked] = AuditLog.objects.filter(action="officer_login_locked")
    assert locked.details["client"] == "10.0.0.1"
    assert locked.details["seconds"] == 15 * 60


def test_the_lock_ends_after_fifteen_minutes(client, officer, monkeypatch):
    _fail_page(client, times=5)
    now = login_lockout.time.time()
    monkeypatch.setattr(login_lockout.time, "time", lambda: now + 15 * 60 + 1)
    assert login_lockout.login_locked_for(username="officer", client="10.0.0.1") == 0
    assert (
        client.post(
            LOGIN, {"username": "officer", "password": "pw-officer"}, REMOTE_ADDR="10.0.0.1"
        ).status_code
        == 302
    )


def test_the_token_api_answers_429_in_vietnamese_once_locked(client, officer):
    for _ in range(4):
        response = client.post(
            TOKEN, {"username": "officer", "password": "x"}, REMOTE_ADDR="10.0.0.9"
        )
        assert response.status_code == 400
    fifth = client.post(TOKEN, {"username": "officer", "password": "x"}, REMOTE_ADDR="10.0.0.9")
    assert fifth.status_code == 429
    assert "tạm bị khóa" in fifth.json()["detail"]
    right = client.post(
        TOKEN, {"username": "officer", "password": "pw-officer"}, REMOTE_ADDR="10.0.0.9"
    )
    assert right.status_code == 429
    assert "token" not in right.json()


def test_the_page_and_the_api_share_the_count(client, officer):
    _fail_page(client, times=3, addr="10.0.0.3")
    for _ in range(2):
        client.post(TOKEN, {"username": "officer", "password": "x"}, REMOTE_ADDR="10.0.0.3")
    assert (
        client.post(
            TOKEN, {"username": "officer", "password": "pw-officer"}, REMOTE_ADDR="10.0.0.3"
        ).status_code
        == 429
    )


def test_the_token_api_still_gives_a_token_for_the_right_password(client, officer):
    response = client.post(TOKEN, {"username": "officer", "password": "pw-officer"})
    assert response.status_code == 200
    assert len(response.json()["token"]) == 40


def test_many_usernames_from_one_address_lock_the_address(client, officer, monkeypatch):
    monkeypatch.setattr(login_lockout, "LOGIN_MAX_FAILURES_PER_CLIENT", 8)
    for i in range(8):
        _fail_page(client, username=f"guess{i}", addr="10.0.0.7")
    assert AuditLog.objects.filter(action="officer_login_client_locked", target="10.0.0.7").exists()
    response = client.post(
        LOGIN, {"username": "officer", "password": "pw-officer"}, REMOTE_ADDR="10.0.0.7"
    )
    assert "tạm bị khóa" in response.content.decode()


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_login_page_still_renders(client, db, lang):
    client.cookies["django_language"] = lang
    response = client.get(reverse("officer-login"))
    assert response.status_code == 200
    assert f'<html lang="{lang}">' in response.content.decode()


@pytest.mark.parametrize("username", ["off\x00icer", ["officer"], {"a": 1}, ""])
def test_the_token_api_refuses_malformed_credentials_with_400(client, officer, username):
    response = client.post(
        TOKEN, {"username": username, "password": "pw-officer"}, content_type="application/json"
    )
    assert response.status_code == 400
    assert not AuditLog.objects.exists()  # not even a failure to count
