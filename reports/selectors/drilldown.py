"""The dossiers behind a figure: every number of a report links to this list.

The filters are the reports' own definitions, read from the dossier facts the summaries are
made of, so the list always has as many dossiers as the figure says.
"""

from __future__ import annotations

from datetime import datetime

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dossiers.models import Dossier
from dossiers.selectors import late_q
from procedures.models import Channel
from reports.models import DossierFact
from reports.selectors.periods import Period

METRICS = {
    "received": _("Hồ sơ tiếp nhận trong kỳ"),
    "in_hand": _("Hồ sơ nhận giải quyết (tồn kỳ trước và tiếp nhận trong kỳ)"),
    "resolved": _("Hồ sơ đã giải quyết trong kỳ"),
    "backlog": _("Hồ sơ tồn từ kỳ trước"),
    "unresolved": _("Hồ sơ chưa giải quyết cuối kỳ"),
    "overdue": _("Hồ sơ đang giải quyết quá hạn cuối kỳ"),
    "within": _("Hồ sơ đang giải quyết trong hạn cuối kỳ"),
    "late_now": _("Hồ sơ đang quá hạn"),
    "apologies": _("Hồ sơ có phiếu xin lỗi trong kỳ"),
}
FINISHES = {c.value for c in DossierFact.Finish}


def _fact_q(metric: str, period: Period) -> Q:
    open_at_end = Q(received_day__lte=period.end) & (
        Q(finished_day__isnull=True) | Q(finished_day__gt=period.end)
    )
    if metric == "received":
        return Q(received_day__gte=period.start, received_day__lte=period.end)
    if metric == "in_hand":
        return Q(received_day__lte=period.end) & (
            Q(finished_day__isnull=True) | Q(finished_day__gte=period.start)
        )
    if metric == "resolved":
        return Q(finished_day__gte=period.start, finished_day__lte=period.end)
    if metric == "backlog":
        return Q(received_day__lt=period.start) & (
            Q(finished_day__isnull=True) | Q(finished_day__gte=period.start)
        )
    if metric == "unresolved":
        return open_at_end
    if metric == "overdue":
        return open_at_end & Q(due_day__lte=period.end)
    if metric == "within":
        return open_at_end & (Q(due_day__isnull=True) | Q(due_day__gt=period.end))
    raise ValueError(metric)


def drilldown_dossiers(
    *,
    metric: str,
    period: Period,
    unit_ids: set[int],
    level: int | None = None,
    channel: str = "",
    finish: str = "",
    field: str = "",
    now: datetime | None = None,
) -> QuerySet[Dossier]:
    """The dossiers counted by `metric` (see METRICS) for these receiving units.

    level 2 includes level 1 (the letter's columns); channel is "online" or "direct"
    (counter and post); finish is early, on_time or late (for resolved).
    """
    if metric not in METRICS:
        raise ValueError(metric)
    qs = Dossier.objects.filter(unit_id__in=unit_ids)
    if metric == "late_now":
        qs = qs.filter(late_q(at=now or timezone.now()))
    elif metric == "apologies":
        qs = qs.filter(
            apology__issued_at__gte=period.start_at, apology__issued_at__lt=period.end_at
        )
    else:
        facts = DossierFact.objects.filter(_fact_q(metric, period), unit_id__in=unit_ids)
        if finish in FINISHES:
            facts = facts.filter(finish=finish)
        qs = qs.filter(pk__in=facts.values("dossier_id"))
    if level:
        qs = qs.filter(procedure__level__lte=2) if level <= 2 else qs.filter(procedure__level=level)
    if channel == "online":
        qs = qs.filter(channel=Channel.ONLINE)
    elif channel == "direct":
        qs = qs.exclude(channel=Channel.ONLINE)
    if field:
        qs = qs.filter(procedure__field__slug=field)
    return qs.select_related("procedure", "unit", "handling_unit", "assigned_to").order_by(
        "received_at", "pk"
    )
