"""Row locks under real concurrency (PostgreSQL only: SQLite serialises everything)."""

from __future__ import annotations

import pytest

from dossiers.models import Dossier, DossierEvent
from dossiers.services import actions, reception
from portal.exceptions import InvalidTransition
from tests.concurrency import POSTGRES_ONLY, run_in_threads
from tests.dossiers.conftest import APPLICANT, S, dossier_in_state

pytestmark = POSTGRES_ONLY


@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_resolves_make_one_decision(birth_registration, commune, admin_officer):
    dossier = dossier_in_state(
        S.PROCESSING, procedure=birth_registration, unit=commune, actor=admin_officer
    )
    events_before = DossierEvent.objects.filter(dossier=dossier).count()

    def work(_index: int):
        return actions.dossier_resolve(
            dossier=Dossier.objects.get(pk=dossier.pk), actor=admin_officer, outcome="approved"
        )

    results = run_in_threads(20, work)
    wins = [r for r in results if isinstance(r, Dossier)]
    losses = [r for r in results if isinstance(r, InvalidTransition)]
    assert (len(wins), len(losses)) == (1, 19), results
    assert DossierEvent.objects.filter(dossier=dossier, to_status=S.RESOLVED).count() == 1
    assert DossierEvent.objects.filter(dossier=dossier).count() == events_before + 1


@pytest.mark.django_db(transaction=True)
def test_fifty_concurrent_receptions_get_consecutive_codes(certified_contract, commune, officer):
    checklist = [certified_contract.documents.first().pk]

    def work(_index: int):
        dossier, _ = reception.dossier_receive_at_counter(
            procedure=certified_contract,
            unit=commune,
            channel="counter",
            applicant=APPLICANT,
            actor=officer,
            checklist=checklist,
        )
        return dossier.code

    codes = run_in_threads(50, work)
    assert all(isinstance(c, str) for c in codes), codes
    numbers = sorted(int(c.rsplit("-", 1)[1]) for c in codes)
    assert numbers == list(range(1, 51))
    assert len(set(codes)) == 50
