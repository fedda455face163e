"""What the notifications app does when the dossier core appends an event (dossiers.signals)."""

from __future__ import annotations

from typing import Any

from dossiers.models import Dossier, DossierEvent
from notifications.services import dossier_event_notify


def dossier_event_tell_applicant(
    sender: type[Dossier],
    *,
    event: DossierEvent,
    context: dict[str, Any],
    notify: bool,
    **kwargs: Any,
) -> None:
    """Queue the applicant's SMS / e-mail for the event, unless the action said not to."""
    if notify:
        dossier_event_notify(event=event, context=context)
