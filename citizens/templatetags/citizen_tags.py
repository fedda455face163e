"""Template filters of the citizens' pages (the payment and officer pages load them too).

{{ fee|vnd }}      "8.000"        the number alone (a table whose heading says "(đồng)")
{{ fee|money }}    "8.000 đồng"   the amount with its unit ("8.000 VND" in English)
{{ phone|phone_national }}  "+84912345678" → "0912 345 678"
"""

from __future__ import annotations

from django import template
from django.core.exceptions import ValidationError

from notifications.phone import phone_display, phone_normalise
from procedures.fees import money as money_number
from procedures.fees import money_text

register = template.Library()


@register.filter
def vnd(value: object) -> str:
    """10000 → "10.000": money the Vietnamese way, whatever the locale's grouping setting."""
    try:
        return money_number(value)
    except (TypeError, ValueError):
        return str(value)


@register.filter
def money(value: object) -> str:
    """10000 → "10.000 đồng": every amount shown with its unit goes through here."""
    try:
        return money_text(value)
    except (TypeError, ValueError):
        return str(value)


@register.filter
def phone_national(value: object) -> str:
    """A mobile number the way people write it: "+84912345678" → "0912 345 678".

    Anything that is not a Vietnamese mobile number is shown as stored.
    """
    text = "" if value is None else str(value)
    try:
        return phone_display(phone_normalise(text))
    except ValidationError:
        return text
