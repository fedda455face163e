"""What the officers' services ask of free-text inputs."""

from __future__ import annotations

from django.core.exceptions import ValidationError


def required_text(value: str, field: str, message: str) -> str:
    """`value` stripped; a ValidationError on `field` with `message` when nothing is left."""
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: message})
    return value
