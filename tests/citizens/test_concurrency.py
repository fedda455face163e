"""What really overlaps: double clicks make one dossier (PostgreSQL row locks); concurrent
guesses of keys and passwords are counted before they are checked (atomic counters)."""

from __future__ import annotations

import time

import pytest
from django.contrib.auth.base_user import AbstractBaseUser
from django.test import Client
from django.urls import reverse

from citizens.models import Draft
from citizens.services import citizen_register, draft_submit
from citizens.views.accounts import LOGIN_ATTEMPTS_PER_HOUR
from dossiers.models import Dossier
from dossiers.services import keys
from dossiers.services.citizen import dossier_get_for_citizen
from portal.exceptions import PortalError
from tests.concurrency import POSTGRES_ONLY, run_in_threads

pytestmark = [*POSTGRES_ONLY, pytest.mark.django_db(transaction=True)]


def test_simultaneous_submits_of_one_draft_make_one_dossier(wizard, commune):
    wizard.to_confirmation(commune)
    token = wizard.token

    def submit():
        return draft_submit(
            draft=Draft.objects.get(token=token),
            payment_method="none",
            captcha_key="",
            captcha_value="PASSED",
        ).pk

    results = run_in_threads(4, lambda _i: submit())
    assert all(isinstance(r, int) for r in results), results
    assert len(set(results)) == 1
    assert Dossier.objects.count() == 1


def _counting(monkeypatch, module, name: str) -> list[int]:
    """Count the calls of module.name, each made a little slow so that concurrent callers
    overlap (a check-then-count race shows)."""
    calls: list[int] = []
    real = getattr(module, name)

    def counted(*args, **kwargs):
        calls.append(1)
        time.sleep(0.05)
        return real(*args, **kwargs)

    monkeypatch.setattr(module, name, counted)
    return calls


def test_thirty_simultaneous_wrong_keys_compare_at_most_ten(dossier_and_key, monkeypatch):
    dossier, _key = dossier_and_key
    compared = _counting(monkeypatch, keys, "update_key_matches")

    def guess(index: int) -> object:
        try:
            dossier_get_for_citizen(code=dossier.code, key="WRONGKEY23", client=f"client-{index}")
        except PortalError as exc:
            return exc.status_code
        return 200

    results = run_in_threads(30, guess)
    assert set(results) == {403}, results
    assert len(compared) <= keys.MAX_KEY_FAILURES
    dossier.refresh_from_db()
    assert dossier.key_locked_until is not None


def test_one_clients_simultaneous_wrong_keys_stay_within_its_budget(dossier_and_key, monkeypatch):
    dossier, _key = dossier_and_key
    compared = _counting(monkeypatch, keys, "update_key_matches")

    def guess(_index: int) -> object:
        try:
            dossier_get_for_citizen(code=dossier.code, key="WRONGKEY23", client="one-client")
        except PortalError as exc:
            return exc.status_code
        return 200

    results = run_in_threads(30, guess)
    assert sorted(results) == [403] * keys.WRONG_KEYS_PER_CLIENT_PER_HOUR + [429] * (
        30 - keys.WRONG_KEYS_PER_CLIENT_PER_HOUR
    )
    assert len(compared) == keys.WRONG_KEYS_PER_CLIENT_PER_HOUR


def test_forty_simultaneous_wrong_logins_check_at_most_twenty(monkeypatch):
    citizen_register(full_name="An", password="Mat-khau-rat-kho-2025", email="an@example.vn")
    checked = _counting(monkeypatch, AbstractBaseUser, "check_password")

    def login(_index: int) -> int:
        data = {"login": "an@example.vn", "password": "sai-mat-khau"}
        return Client().post(reverse("citizen-login"), data).status_code

    results = run_in_threads(40, login)
    assert set(results) == {200}, results
    assert len(checked) <= LOGIN_ATTEMPTS_PER_HOUR
