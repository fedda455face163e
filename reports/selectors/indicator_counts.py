"""What the Decision 766 indicators count, per receiving unit, in a few aggregate queries.

The dossiers a period "handled" (the base of 2.1 and 5.4) are those finished in it and those
still in progress at its reference time (the end, or now for a period not yet ended): an
unfinished dossier is judged as if it ended then, overdue when its due time had passed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Count, DurationField, Exists, F, OuterRef, Q, Sum
from django.utils import timezone

from citizens.models import Rating
from dossiers.models import Dossier, DossierFile, SupplementRequest
from dossiers.selectors import late_q
from dossiers.signatures import signed_result_files
from dvcqg import client as dvcqg_client
from dvcqg.selectors import dossier_held_exists
from payments.selectors import payment_paid_online_exists
from procedures.models import Channel, Procedure
from procedures.selectors import in_force
from reports.models import DossierFact
from reports.selectors.overdue import period_open
from reports.selectors.periods import Period
from reports.selectors.sums import period_sums

# A rating at or below this is a "dislike" (Không hài lòng, Rất không hài lòng).
DISLIKE_AT_MOST = Rating.Score.DISSATISFIED

COUNT_KEYS = (
    "finished",  # finished in the period, withdrawals excluded
    "handled",  # finished in the period or in progress at the reference time
    "overdue",  # among handled: finished after the due time, or in progress and overdue
    "late_or_multi",  # overdue, or more than one supplement request
    "disliked",  # among handled: rated "dislike"
    "with_result_file",
    "digitised",
    "with_fee",
    "paid_online",
    "received",
    "received_online",
    "vneid",  # received through an account VNeID verified
    "synchronised",  # received, and the national portal (DVCQG) holds the dossier
)


def national_sync_on() -> bool:
    """Whether dossiers are synchronised with the national portal (DVCQG_URL set)."""
    return dvcqg_client.enabled()


@dataclass
class ProcedureFacts:
    """What 1.3, 3.1, 3.2 and 3.5 need of one procedure in force."""

    code: str
    complete: bool  # published with all its parts
    online: bool  # partly or fully online (level 3–4)
    with_fee: bool
    pay_online: bool  # level 4: the fee is paid online


def counts_by_unit(
    *, period: Period, unit_ids: set[int], now: datetime, unit_field: str = "unit_id"
) -> dict[int, dict[str, Any]]:
    """Per unit (receiving or handling: `unit_field`): the counts of COUNT_KEYS, the total
    handling time of the finished dossiers ("handling_time", a timedelta or None) and the
    procedure codes that received an online dossier ("online_codes")."""
    multi = (
        SupplementRequest.objects.values("dossier_id")
        .annotate(n=Count("id"))
        .filter(n__gte=2)
        .values("dossier_id")
    )
    scanned = DossierFile.objects.filter(
        dossier_id=OuterRef("dossier_id"),
        kind__in=[DossierFile.Kind.SUBMISSION, DossierFile.Kind.SUPPLEMENT],
    )
    result = DossierFile.objects.filter(
        dossier_id=OuterRef("dossier_id"), kind=DossierFile.Kind.RESULT
    )
    # 4.1: the result is an electronic document, signed (dossiers.signatures).
    electronic = signed_result_files().filter(dossier_id=OuterRef("dossier_id"))
    disliked = Rating.objects.filter(dossier_id=OuterRef("dossier_id"), score__lte=DISLIKE_AT_MOST)
    finished_in = Q(finished_day__gte=period.start, finished_day__lte=period.end)
    finished = finished_in & Q(withdrawn=False)
    open_at_end = Q(received_day__lte=period.end) & (
        Q(finished_day__isnull=True) | Q(finished_day__gt=period.end)
    )
    if period_open(period=period, now=now):
        # Judged now: due before today by the facts; due earlier today read live below.
        overdue_open = open_at_end & Q(due_day__lt=timezone.localtime(now).date())
    else:
        overdue_open = open_at_end & Q(due_day__lte=period.end)
    # 2.1 compares times: resolved after the due time is late (a withdrawal never is); the
    # fact stores it, so no join to the dossiers.
    finished_late = finished & Q(finished_late=True)
    overdue = finished_late | overdue_open
    handled = finished_in | open_at_end
    received_in = Q(received_day__gte=period.start, received_day__lte=period.end)
    aggregates: dict[str, Any] = {
        "finished": Count("pk", filter=finished),
        "handled": Count("pk", filter=handled),
        "overdue": Count("pk", filter=overdue),
        "late_or_multi": Count("pk", filter=overdue | (handled & Q(dossier_id__in=multi))),
        "disliked": Count("pk", filter=handled & Q(Exists(disliked))),
        "with_result_file": Count("pk", filter=finished & Q(Exists(electronic))),
        "digitised": Count("pk", filter=finished & Q(Exists(scanned)) & Q(Exists(result))),
        # The fee and the chosen payment method are on the fact: no join to the dossiers.
        "with_fee": Count("pk", filter=finished_in & Q(with_fee=True)),
        # 3.6: paid, and not refunded, online through the national platform or the
        # province's own channels (payments.selectors.payment_channel): a payment recorded,
        # not the method chosen at submission.
        "paid_online": Count(
            "pk", filter=finished_in & Q(with_fee=True) & Q(payment_paid_online_exists())
        ),
        # Received in the period: all among the handled (finished in it or open at its end).
        "vneid": Count("pk", filter=received_in & Q(vneid_verified=True)),
        "handling_time": Sum(
            F("finished_day") - F("received_day"), filter=finished, output_field=DurationField()
        ),
    }
    if national_sync_on():
        aggregates["synchronised"] = Count("pk", filter=received_in & Q(dossier_held_exists()))
    counts: dict[int, dict[str, Any]] = {}

    def blank(unit_id: int) -> dict[str, Any]:
        return counts.setdefault(
            unit_id, {**dict.fromkeys(COUNT_KEYS, 0), "handling_time": None, "online_codes": set()}
        )

    rows = (
        DossierFact.objects.filter(handled, **{f"{unit_field}__in": unit_ids})
        # "n_" names: an annotation must not shadow a field (with_fee) its filters read.
        .values(unit_field)
        .annotate(**{f"n_{k}": v for k, v in aggregates.items()})
        .order_by()
    )
    for row in rows:
        target = blank(row[unit_field])
        for key in COUNT_KEYS:
            target[key] = int(row.get(f"n_{key}") or 0)
        target["handling_time"] = row["n_handling_time"]
    if period_open(period=period, now=now):
        _add_due_earlier_today(
            counts=counts,
            blank=blank,
            unit_ids=unit_ids,
            now=now,
            multi=multi,
            unit_field=unit_field,
        )
    for item in period_sums(
        period=period,
        unit_ids=unit_ids,
        group=(unit_field, "channel", "procedure__code"),
        counters=("received",),
        unit_field=unit_field,
    ):
        target = blank(item[unit_field])
        target["received"] += item["received"]
        if item["channel"] == Channel.ONLINE:
            target["received_online"] += item["received"]
            if item["received"]:
                target["online_codes"].add(item["procedure__code"])
    return counts


def _add_due_earlier_today(
    *,
    counts: dict,
    blank: Any,
    unit_ids: set[int],
    now: datetime,
    multi: Any,
    unit_field: str,
) -> None:
    """In a period not yet ended, the open dossiers due earlier today are overdue too."""
    today = timezone.localtime(now).date()
    start = timezone.make_aware(datetime.combine(today, datetime.min.time()))
    rows = (
        Dossier.objects.filter(
            late_q(at=now),
            **{f"{unit_field}__in": unit_ids},
            received_at__isnull=False,
            due_at__gte=start,
            due_at__lt=now,
        )
        .values(unit_field)
        .annotate(n=Count("pk"), n_multi=Count("pk", filter=Q(pk__in=multi)))
        .order_by()
    )
    for row in rows:
        target = blank(row[unit_field])
        target["overdue"] += row["n"]
        # Those with several supplement requests were counted late already.
        target["late_or_multi"] += row["n"] - row["n_multi"]


def procedures_by_unit(
    *, period: Period, unit_ids: set[int]
) -> dict[int, dict[int, ProcedureFacts]]:
    """Unit → {procedure in force at the period's end it handles: its facts}.

    Published with all its parts (1.3): a name, steps, applicants, documents, and a way of
    submitting with its time limit (a channel row always carries one).
    """
    rows = (
        Procedure.objects.filter(in_force(on=period.end), units__in=unit_ids)
        .annotate(
            docs=Count("documents", distinct=True),
            ways=Count("channels", distinct=True),
            fees=Count("channels", filter=Q(channels__fee_vnd__gt=0), distinct=True),
        )
        .values_list(
            "units", "pk", "code", "name", "steps", "applicants", "level", "docs", "ways", "fees"
        )
    )
    result: dict[int, dict[int, ProcedureFacts]] = {}
    for unit_id, pk, code, name, steps, applicants, level, docs, ways, fees in rows:
        result.setdefault(unit_id, {})[pk] = ProcedureFacts(
            code=code,
            complete=bool(name and steps and applicants) and docs > 0 and ways > 0,
            online=level >= 3,
            with_fee=fees > 0,
            pay_online=level >= 4,
        )
    return result


def average_days(total: timedelta | None, count: int) -> float | None:
    """Average days of `count` dossiers whose times add up to `total`, one decimal."""
    if total is None or not count:
        return None
    return round(total.total_seconds() / 86400 / count, 1)
