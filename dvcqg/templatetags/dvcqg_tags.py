"""The dossier page's synchronisation box, for templates that must not import dvcqg.

{% load dvcqg_tags %}{% dvcqg_sync_box dossier %}
"""

from __future__ import annotations

from typing import Any

from django import template

from dossiers.models import Dossier
from dvcqg.client import enabled
from dvcqg.selectors import dossier_sync_state

register = template.Library()


@register.inclusion_tag("dvcqg/_sync_box.html")
def dvcqg_sync_box(dossier: Dossier) -> dict[str, Any]:
    return {"dossier": dossier, "enabled": enabled(), **dossier_sync_state(dossier)}
