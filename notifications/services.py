"""Provisional: the outbox lands with the notifications issue and replaces this module."""

from __future__ import annotations

from typing import Any


def dossier_event_notify(*, event: Any, context: dict[str, Any]) -> None:
    """Queue the messages a dossier event causes (implemented by the notifications app)."""
    return None
