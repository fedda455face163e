"""The demo dossiers: a dozen, in various states, one late and one due soon, idempotent."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.utils import timezone

from dossiers.deadlines import dossier_is_due_soon, dossier_is_late
from dossiers.demo import demo_dossiers_seed, province_2025_seed
from dossiers.models import Apology, Dossier
from dossiers.services.events import event_chain_verify
from portal.demo import officers_seed
from procedures.services import calendar_overrides_load, procedures_import, units_load

DATA = Path(settings.BASE_DIR) / "procedures" / "data"


def test_demo_dossiers_are_made_once_in_various_states(db):
    units_load(path=DATA / "demo_units.json")
    province_2025_seed()
    calendar_overrides_load(path=DATA / "calendar_overrides.json")
    assert procedures_import(path=DATA / "demo_procedures.json").ok
    assert procedures_import(path=DATA / "demo_procedures_2025.json").ok
    officers_seed()
    codes = demo_dossiers_seed()
    assert len(codes) == 12
    assert len(set(codes)) == 12
    assert demo_dossiers_seed() == codes
    assert Dossier.objects.count() == 12
    dossiers = list(Dossier.objects.select_related("unit"))
    now = timezone.now()
    states = {d.status for d in dossiers}
    assert states >= {
        "submitted",
        "refused",
        "received",
        "processing",
        "supplement_requested",
        "awaiting_payment",
        "resolved",
        "returned",
    }
    assert any(dossier_is_late(d, at=now) for d in dossiers)
    assert any(dossier_is_due_soon(d, at=now) for d in dossiers)
    assert Apology.objects.count() == 1
    assert Apology.objects.get().is_late is False  # made as soon as lateness was foreseen
    assert {d.unit.code for d in dossiers} == {"12-03598-TTPVHCC", "12-03601-TTPVHCC"}
    assert all(not event_chain_verify(dossier=d) for d in dossiers)
