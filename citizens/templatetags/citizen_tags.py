"""Template filters of the citizens' pages."""

from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def vnd(value: object) -> str:
    """10000 → "10.000": money the Vietnamese way, whatever the locale's grouping setting."""
    try:
        number = int(value)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return str(value)
    return f"{number:,}".replace(",", ".")
