"""The dossiers behind a figure: every number of a report links to this list.

The filters are the reports' own definitions, read from the dossier facts the summaries are
made of, so the list always has as many dossiers as the figure says.
"""

from __future__ import annotations

import datetime as dt
from datetime import datetime

from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dossiers.models import Dossier, DossierEvent
from dossiers.selectors import late_q
from procedures.models import Channel
from reports.access import RECEIVING, UNIT_FIELDS
from reports.models import DossierFact
from reports.selectors.overdue import period_open, reference_time
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
S = Dossier.Status


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
    role: str = RECEIVING,
) -> QuerySet[Dossier]:
    """The dossiers counted by `metric` (see METRICS) for these receiving units (or
    handling units: `role`).

    level 2 includes level 1 (the letter's columns); channel is "online" or "direct"
    (counter and post); finish is early, on_time or late (for resolved).
    """
    if metric not in METRICS:
        raise ValueError(metric)
    now = now or timezone.now()
    in_units = {f"{UNIT_FIELDS[role]}__in": unit_ids}
    qs = Dossier.objects.filter(**in_units)
    if metric == "late_now":
        qs = qs.filter(late_q(at=now))
    elif metric in ("overdue", "within") and period_open(period=period, now=now):
        # The period has not ended: judged now, as the report's figure is.
        facts = DossierFact.objects.filter(**in_units, finished_day__isnull=True)
        qs = qs.filter(pk__in=facts.values("dossier_id"))
        qs = qs.filter(late_q(at=now)) if metric == "overdue" else qs.exclude(late_q(at=now))
    elif metric == "apologies":
        qs = qs.filter(
            apology__issued_at__gte=period.start_at, apology__issued_at__lt=period.end_at
        )
    else:
        facts = DossierFact.objects.filter(_fact_q(metric, period), **in_units)
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
    status_then = (
        DossierEvent.objects.filter(
            dossier=OuterRef("pk"), at__lt=reference_time(period=period, now=now)
        )
        .order_by("-seq")
        .values("to_status")[:1]
    )
    return (
        qs.select_related("procedure", "unit", "handling_unit", "assigned_to")
        .annotate(status_at_end=Subquery(status_then))
        .order_by("received_at", "pk")
    )


def drilldown_overdue_days(*, dossier: Dossier, period: Period, now: datetime) -> int | None:
    """Days overdue at the report's reference time, by date: finished by then after its due
    date, or still open then and past its due time (a paused clock is judged when the pause
    began). None when it was not overdue; a withdrawal is never late."""
    if dossier.due_at is None:
        return None

    def day(moment: datetime) -> dt.date:
        return timezone.localtime(moment).date()

    reference = reference_time(period=period, now=now)
    if dossier.resolved_at is not None and dossier.resolved_at < reference:
        days = (day(dossier.resolved_at) - day(dossier.due_at)).days
        return days if days > 0 else None
    if getattr(dossier, "status_at_end", None) in (S.STOPPED, S.REFUSED):
        return None
    moment = reference
    if dossier.paused_at is not None and dossier.paused_at < reference:
        moment = dossier.paused_at
    if moment <= dossier.due_at:
        return None
    # The reference is the first instant after the period: its last day is the day before.
    return (day(moment - dt.timedelta(microseconds=1)) - day(dossier.due_at)).days
