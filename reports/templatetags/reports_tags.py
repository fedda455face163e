"""Template helpers for linking to the reports from other pages."""

from __future__ import annotations

from typing import Any

from django import template

from reports.access import is_report_reader

register = template.Library()


@register.filter
def reads_reports(user: Any) -> bool:
    """Whether the user holds a leader, reporting or admin role (sees the reports menu)."""
    return bool(user and getattr(user, "is_authenticated", False) and is_report_reader(user=user))
