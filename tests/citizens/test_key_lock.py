"""The update key's guard cannot be turned against the citizen (dossiers.services.keys): one
answer for an unknown code, a wrong key and a locked dossier; a client's own budget runs out
before any dossier locks; a re-sent key works at once and takes nothing away until used."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from dossiers.models import Dossier
from dossiers.services.keys import MAX_KEY_FAILURES, WRONG_KEYS_PER_CLIENT_PER_HOUR
from tests.citizens.conftest import key_from_sms, sms_for

pytestmark = pytest.mark.django_db
WRONG = "WRONGKEY23"


def look_up(client, code: str, key: str, addr: str = "198.51.100.1"):
    return client.get(f"/api/v1/dossiers/{code}/status/", {"key": key}, REMOTE_ADDR=addr)


def answer(response) -> tuple[int, dict]:
    return response.status_code, response.json()


def lock_from_many_clients(client, dossier: Dossier) -> None:
    for n in range(MAX_KEY_FAILURES):
        assert look_up(client, dossier.code, WRONG, addr=f"203.0.113.{n + 1}").status_code == 403
    dossier.refresh_from_db()
    assert dossier.key_locked_until is not None


def test_an_unknown_code_a_wrong_key_and_a_locked_dossier_get_the_same_answer(
    client, dossier_and_key
):
    dossier, key = dossier_and_key
    unknown = answer(look_up(client, "000.41.11.H33-990101-0001", "ABCDEFGHJK"))
    wrong = answer(look_up(client, dossier.code, WRONG))
    assert unknown == wrong
    assert unknown[0] == 403
    lock_from_many_clients(client, dossier)
    assert answer(look_up(client, dossier.code, key)) == unknown
    # The page says the same for an unknown code and a locked dossier too.
    pages = [
        client.post(reverse("citizen-lookup"), {"code": code, "key": key}, REMOTE_ADDR="192.0.2.9")
        for code in ("000.41.11.H33-990101-0001", dossier.code)
    ]
    problems = [re.search(r'role="alert"><p>(.*?)</p>', p.content.decode()).group(1) for p in pages]
    assert [p.status_code for p in pages] == [403, 403]
    assert problems[0] == problems[1]


def test_one_client_runs_out_of_wrong_keys_before_the_dossier_locks(client, dossier_and_key):
    dossier, key = dossier_and_key
    statuses = [look_up(client, dossier.code, WRONG).status_code for _ in range(20)]
    assert statuses == [403] * WRONG_KEYS_PER_CLIENT_PER_HOUR + [429] * (
        20 - WRONG_KEYS_PER_CLIENT_PER_HOUR
    )
    dossier.refresh_from_db()
    assert dossier.key_locked_until is None
    assert look_up(client, dossier.code, key, addr="192.0.2.50").status_code == 200


def test_a_right_key_does_not_use_the_clients_budget(client, dossier_and_key):
    dossier, key = dossier_and_key
    Dossier.objects.filter(pk=dossier.pk).update(key_failures=1)  # not served from the cache
    for _ in range(WRONG_KEYS_PER_CLIENT_PER_HOUR + 2):
        assert look_up(client, dossier.code, key).status_code == 200


def test_a_resent_key_lifts_the_lock_and_works_at_once(
    client, dossier_and_key, django_capture_on_commit_callbacks
):
    dossier, old_key = dossier_and_key
    lock_from_many_clients(client, dossier)
    assert look_up(client, dossier.code, old_key).status_code == 403
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("citizen-key-resend"), {"code": dossier.code, "captcha_value": "PASSED"}
        )
    assert response.status_code == 302
    new_key = key_from_sms(sms_for(dossier)[-1].body)
    assert look_up(client, dossier.code, new_key).status_code == 200
    # Used once, the new key is the only one.
    assert look_up(client, dossier.code, old_key).status_code == 403
    assert look_up(client, dossier.code, new_key).status_code == 200


def test_a_strangers_resend_takes_no_working_key_away(
    client, dossier_and_key, django_capture_on_commit_callbacks
):
    dossier, old_key = dossier_and_key
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("citizen-key-resend"),
            {"code": dossier.code, "captcha_value": "PASSED"},
            REMOTE_ADDR="192.0.2.66",
        )
    new_key = key_from_sms(sms_for(dossier)[-1].body)
    assert new_key != old_key
    assert look_up(client, dossier.code, old_key).status_code == 200
    assert look_up(client, dossier.code, old_key).status_code == 200  # and again
