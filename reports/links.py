"""Links from a figure to the list of dossiers behind it."""

from __future__ import annotations

from functools import lru_cache
from typing import Any
from urllib.parse import urlencode

from django.urls import get_script_prefix, reverse

from reports.selectors.periods import Period

# Appendix column → (drill-down metric, filters).
APPENDIX_LINKS: dict[str, tuple[str, dict[str, Any]]] = {
    "received_total": ("received", {}),
    "l2_received": ("received", {"level": 2}),
    "l3_received_direct": ("received", {"level": 3, "channel": "direct"}),
    "l3_received_online": ("received", {"level": 3, "channel": "online"}),
    "l4_received_direct": ("received", {"level": 4, "channel": "direct"}),
    "l4_received_online": ("received", {"level": 4, "channel": "online"}),
    "backlog": ("backlog", {}),
    "received_one_stop": ("received", {"channel": "direct"}),
    "received_online": ("received", {"channel": "online"}),
    "resolved_l2": ("resolved", {"level": 2}),
    "resolved_l3": ("resolved", {"level": 3}),
    "resolved_l4": ("resolved", {"level": 4}),
    "unresolved": ("unresolved", {}),
}
II06A_LINKS: dict[str, tuple[str, dict[str, Any]]] = {
    "received_total": ("in_hand", {}),
    "received_online": ("received", {"channel": "online"}),
    "received_counter_post": ("received", {"channel": "direct"}),
    "carried_over": ("backlog", {}),
    "resolved_total": ("resolved", {}),
    "resolved_early": ("resolved", {"finish": "early"}),
    "resolved_on_time": ("resolved", {"finish": "on_time"}),
    "resolved_late": ("resolved", {"finish": "late"}),
    "in_progress_total": ("unresolved", {}),
    "in_progress_within": ("within", {}),
    "in_progress_overdue": ("overdue", {}),
}

# Dashboard figure → (drill-down metric, filters); a month of the trends has the first three.
DASHBOARD_LINKS: dict[str, tuple[str, dict[str, Any]]] = {
    "received": ("received", {}),
    "online": ("received", {"channel": "online"}),
    "resolved": ("resolved", {}),
    "overdue": ("overdue", {}),
    "apologies": ("apologies", {}),
}
TREND_LINKS = {k: DASHBOARD_LINKS[k] for k in ("received", "online", "resolved")}


@lru_cache(maxsize=8)
def _drill_base(script_prefix: str) -> str:
    return reverse("reports-drilldown")


def drill_url(*, metric: str, period: Period, units: list[str], **filters: Any) -> str:
    """The drill-down list of a figure (a page of reports holds hundreds of these links)."""
    query: dict[str, Any] = {
        "metric": metric,
        "from": period.start.isoformat(),
        "to": period.end.isoformat(),
        "unit": units,
    }
    query.update({k: v for k, v in filters.items() if v not in (None, "")})
    return _drill_base(get_script_prefix()) + "?" + urlencode(query, doseq=True)


def row_links(
    *, table: dict[str, tuple[str, dict[str, Any]]], period: Period, units: list[str], **extra: Any
) -> dict[str, str]:
    return {
        column: drill_url(metric=metric, period=period, units=units, **filters, **extra)
        for column, (metric, filters) in table.items()
    }


def officer_dossier_url(code: str) -> str:
    """The officers' page of a dossier."""
    return reverse("officer-dossier", args=[code])
