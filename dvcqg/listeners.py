"""What the DVCQG synchronisation does when the dossier core appends an event."""

from __future__ import annotations

from typing import Any

from dossiers.models import Dossier, DossierEvent
from dvcqg.services import dossiers_imported_queue, event_queue


def dossier_event_queue_sync(
    sender: type[Dossier], *, event: DossierEvent, dossier: Dossier, **kwargs: Any
) -> None:
    """Queue the dossier and this event for DVCQG (nothing when the sync is off)."""
    event_queue(event=event, dossier=dossier)


def dossiers_imported_queue_sync(
    sender: type[Dossier], *, dossier_ids: list[int], **kwargs: Any
) -> None:
    """Queue dossiers an import wrote directly, with their history (nothing when off)."""
    dossiers_imported_queue(dossier_ids=dossier_ids)
