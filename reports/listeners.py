"""How the report summaries follow the dossier core's events (dossiers.signals)."""

from __future__ import annotations

from typing import Any

from dossiers.models import Dossier, DossierEvent
from reports.summaries import summaries_refresh_dossiers, summary_record_event


def dossier_event_count(
    sender: type[Dossier], *, event: DossierEvent, dossier: Dossier, **kwargs: Any
) -> None:
    """Every change of status moves the summaries (a created dossier counts once received)."""
    if event.kind == "transition":
        summary_record_event(event=event, dossier=dossier)


def dossiers_imported_count(
    sender: type[Dossier], *, dossier_ids: list[int], **kwargs: Any
) -> None:
    """Imported dossiers arrive with their history: their facts are computed afresh."""
    summaries_refresh_dossiers(dossier_ids=dossier_ids)
