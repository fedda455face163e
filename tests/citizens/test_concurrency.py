"""Double clicks that really overlap: PostgreSQL row locks make them one dossier."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from citizens.models import Draft
from citizens.services import draft_submit
from dossiers.models import Dossier
from dossiers.services.citizen import dossier_get_for_citizen
from dossiers.services.keys import MAX_KEY_FAILURES
from portal.exceptions import PortalError

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locks")


def _run_together(target, n: int) -> list:
    barrier = threading.Barrier(n)
    results: list = []

    def run() -> None:
        try:
            barrier.wait()
            results.append(target())
        except Exception as exc:  # collected and asserted below
            results.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results


def test_simultaneous_submits_of_one_draft_make_one_dossier(wizard, commune):
    wizard.start()
    wizard.unit(commune.code)
    wizard.applicant()
    wizard.documents()
    wizard.delivery()
    wizard.review()
    token = wizard.token

    def submit():
        return draft_submit(draft=Draft.objects.get(token=token), payment_method="none").pk

    results = _run_together(submit, 4)
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

    results = _run_together(guess, MAX_KEY_FAILURES + 4)
    assert 200 not in results
    assert 429 in results
    dossier.refresh_from_db()
    assert dossier.key_locked_until is not None
