"""How payments follow the officers' payment actions on a dossier (dossiers.signals)."""

from __future__ import annotations

from typing import Any

from dossiers.models import Dossier, DossierEvent
from payments.services import payment_record_paid, payment_request_record


def dossier_event_record_payment(
    sender: type[Dossier], *, event: DossierEvent, dossier: Dossier, **kwargs: Any
) -> None:
    """An officer asked for a fee (request_payment): record the amount asked. An officer
    confirmed it was paid (confirm_payment): record the payment. A payment settled here
    (payments.services) names its payment in the event and is already recorded."""
    details = event.details or {}
    action = details.get("action")
    if action == "request_payment":
        payment_request_record(
            dossier=dossier, amount_vnd=int(details["amount_vnd"]), actor=event.actor, at=event.at
        )
    elif action == "confirm_payment" and "payment" not in details:
        payment_record_paid(
            dossier=dossier,
            method=details["method"],
            reference=details.get("reference", ""),
            actor=event.actor,
            at=event.at,
        )
