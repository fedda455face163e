"""Double clicks that really overlap: PostgreSQL row locks make them one dossier."""

from __future__ import annotations

import pytest

from citizens.models import Draft
from citizens.services import draft_submit
from dossiers.models import Dossier
from dossiers.services.citizen import dossier_get_for_citizen
from dossiers.services.keys import MAX_KEY_FAILURES
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


def test_simultaneous_wrong_keys_cannot_slip_past_the_lock(dossier_and_key):
    dossier, _key = dossier_and_key

    def guess():
        try:
            dossier_get_for_citizen(code=dossier.code, key="WRONGKEY23")
        except PortalError as exc:
            return exc.status_code
        return 200

    results = run_in_threads(MAX_KEY_FAILURES + 4, lambda _i: guess())
    assert 200 not in results
    assert 429 in results
    dossier.refresh_from_db()
    assert dossier.key_locked_until is not None
