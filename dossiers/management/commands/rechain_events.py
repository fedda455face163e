"""Digest the dossier events and the audit log again with the current EVENT_CHAIN_KEY."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from dossiers.services.events import event_chains_rebuild
from portal.audit import audit_chain_rebuild


class Command(BaseCommand):
    help = (
        "Rebuild the keyed hash chains of every dossier and of the audit log with the current "
        "EVENT_CHAIN_KEY (after changing the key). Run verify_events with the old key first: "
        "whatever is stored becomes the new truth."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        dossiers = event_chains_rebuild()
        rows = audit_chain_rebuild()
        self.stdout.write(
            self.style.SUCCESS(f"Re-chained {dossiers} dossier(s) and {rows} audit row(s).")
        )
