"""dossier_held_exists: the dossiers the national portal holds (what Decision 766's 1.4 counts)."""

from __future__ import annotations

import pytest

from dossiers.models import DossierEvent
from dossiers.services import actions
from dvcqg.models import Service, SyncRow
from dvcqg.selectors import dossier_held_exists
from dvcqg.sending import dossier_sync

pytestmark = pytest.mark.django_db


def held(dossier) -> bool:
    """Asked from a table with a dossier_id column, as the reports ask it."""
    return DossierEvent.objects.filter(dossier=dossier).filter(dossier_held_exists()).exists()


def test_held_once_its_dossier_row_is_acknowledged(dvcqg, make_dossier, officer):
    first, second = make_dossier(), make_dossier()
    assert not held(first)  # queued, nothing sent
    dvcqg.script("reject", service="DongBoHoSoMC")
    dossier_sync(dossier_id=first.pk)
    assert not held(first)  # rejected: still waiting
    assert dossier_sync(dossier_id=first.pk).status == "done"
    assert held(first)
    assert not held(second)
    # A later change waits to be sent: the portal still holds the dossier.
    actions.dossier_receive(dossier=first, actor=officer)
    head = SyncRow.objects.get(dossier=first, service=Service.DOSSIER)
    assert head.state == SyncRow.State.WAITING
    assert held(first)


def test_an_acknowledgement_alone_is_enough(dvcqg, make_dossier):
    dossier = make_dossier()
    assert dossier_sync(dossier_id=dossier.pk).status == "done"
    SyncRow.objects.filter(dossier=dossier, service=Service.DOSSIER).update(held=False)
    assert held(dossier)
    SyncRow.objects.filter(dossier=dossier, service=Service.DOSSIER).update(acknowledged_at=None)
    assert not held(dossier)
