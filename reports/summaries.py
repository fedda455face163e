"""Summary rows kept current as dossiers move, event by event.

The scheme: a received dossier contributes a few counts (reports.models.SummaryRow), under
its receiving unit and its handling unit, on the days its state fixes: received on its
reception day, finished early/on time/late on the day it was resolved (or stopped), due
(and due_met) on its due day. `DossierFact` remembers what a dossier contributes now. On
every event, `summary_record_event` computes the dossier's new fact, takes back the old
fact's counts and adds the new ones, to the day row and the month row. The nightly rebuild
and check that repairs any difference is reports.summary_rebuild.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from dossiers.models import Dossier, DossierEvent
from payments.selectors import ONLINE_METHODS
from procedures.models import Unit
from reports.models import DossierFact, Grain, SummaryRow

S = Dossier.Status
# Payment methods that count as paid online (the payments package's).
ONLINE_PAYMENT_METHODS: tuple[str, ...] = tuple(str(m) for m in ONLINE_METHODS)
# (grain, period, unit_id, handling_unit_id, procedure_id, channel)
RowKey = tuple[str, dt.date, int, int, int, str]


@dataclass(frozen=True)
class FactState:
    """What the reports count of one received dossier (see reports.models.SummaryRow)."""

    unit_id: int
    handling_unit_id: int
    procedure_id: int
    channel: str
    received_day: dt.date
    due_day: dt.date | None
    finished_day: dt.date | None
    finish: str
    withdrawn: bool
    with_fee: bool = False
    online_payment: bool = False
    finished_late: bool = False  # resolved after the due time (2.1 compares times)
    vneid_verified: bool = False

    @classmethod
    def from_fact(cls, fact: DossierFact) -> FactState:
        return cls(
            fact.unit_id,
            fact.handling_unit_id,
            fact.procedure_id,
            fact.channel,
            fact.received_day,
            fact.due_day,
            fact.finished_day,
            fact.finish,
            fact.withdrawn,
            fact.with_fee,
            fact.online_payment,
            fact.finished_late,
            fact.vneid_verified,
        )


def local_day(moment: datetime) -> dt.date:
    return timezone.localtime(moment).date()


def month_of(day: dt.date) -> dt.date:
    return day.replace(day=1)


def fact_state_compute(
    *,
    unit_id: int,
    handling_unit_id: int,
    procedure_id: int,
    channel: str,
    received_at: datetime | None,
    due_at: datetime | None,
    paused_at: datetime | None,
    resolved_at: datetime | None,
    status: str,
    stopped_at: datetime | None,
    fee_vnd: int = 0,
    payment_method: str = "",
    vneid_verified: bool = False,
) -> FactState | None:
    """The fact of a dossier in this state, or None when it was never received.

    Finished means resolved, or stopped (withdrawn) after reception. Punctuality is judged
    by date, as the national filter of Biểu II.06a does: early when finished on an earlier
    date than the due date, on time on the due date, late on a later date (a withdrawal is
    never late). A dossier paused before its due time has no due day until its clock runs
    again: it cannot be overdue meanwhile (dossiers.selectors.late_q says the same).
    Decision 766 compares times instead: `finished_late` when resolved after the due time.
    """
    if received_at is None:
        return None
    finished_at = resolved_at
    withdrawn = False
    if finished_at is None and status == S.STOPPED and stopped_at is not None:
        finished_at, withdrawn = stopped_at, True
    finish = ""
    if finished_at is not None:
        finish = DossierFact.Finish.ON_TIME
        if due_at is not None and local_day(finished_at) > local_day(due_at) and not withdrawn:
            finish = DossierFact.Finish.LATE
        elif due_at is not None and local_day(finished_at) < local_day(due_at):
            finish = DossierFact.Finish.EARLY
    due_day = None
    if due_at is not None and not (paused_at is not None and paused_at <= due_at):
        due_day = local_day(due_at)
    return FactState(
        unit_id=unit_id,
        handling_unit_id=handling_unit_id,
        procedure_id=procedure_id,
        channel=channel,
        received_day=local_day(received_at),
        due_day=due_day,
        finished_day=local_day(finished_at) if finished_at else None,
        finish=str(finish),
        withdrawn=withdrawn,
        with_fee=fee_vnd > 0,
        online_payment=payment_method in ONLINE_PAYMENT_METHODS,
        finished_late=bool(
            not withdrawn
            and resolved_at is not None
            and due_at is not None
            and resolved_at > due_at
        ),
        vneid_verified=vneid_verified,
    )


def fact_contributions(state: FactState | None) -> Counter[tuple[RowKey, str]]:
    """The counts one dossier adds to the summary rows, to its day row and its month row."""
    counts: Counter[tuple[RowKey, str]] = Counter()
    if state is None:
        return counts
    base = (state.unit_id, state.handling_unit_id, state.procedure_id, state.channel)

    def add(day: dt.date, counter: str) -> None:
        counts[((Grain.DAY, day, *base), counter)] += 1
        counts[((Grain.MONTH, month_of(day), *base), counter)] += 1

    add(state.received_day, "received")
    if state.finished_day is not None:
        add(state.finished_day, f"resolved_{state.finish}")
        if state.withdrawn:
            add(state.finished_day, "withdrawn")
    if state.due_day is not None:
        add(state.due_day, "due")
        if state.finish in (DossierFact.Finish.EARLY, DossierFact.Finish.ON_TIME):
            # Finished without being late: no longer due from its due day, or from the day
            # it was withdrawn when that came later (a withdrawal is never late, but the
            # dossier was overdue until then).
            assert state.finished_day is not None
            add(max(state.due_day, state.finished_day), "due_met")
    return counts


def _rows_apply(delta: Counter[tuple[RowKey, str]]) -> None:
    """Add `delta` to the summary rows (creating missing rows). Caller holds the unit lock."""
    by_row: dict[RowKey, dict[str, int]] = {}
    for (key, counter), n in delta.items():
        if n:
            by_row.setdefault(key, {})[counter] = n
    for (grain, period, unit_id, handling_id, procedure_id, channel), counts in sorted(
        by_row.items()
    ):
        lookup = {
            "grain": grain,
            "period": period,
            "unit_id": unit_id,
            "handling_unit_id": handling_id,
            "procedure_id": procedure_id,
            "channel": channel,
        }
        updated = SummaryRow.objects.filter(**lookup).update(
            **{name: F(name) + n for name, n in counts.items()}
        )
        if not updated:
            SummaryRow.objects.create(**lookup, **counts)


def summary_unit_lock(unit_ids: Iterable[int]) -> None:
    """Serialise summary writers of a unit (events, the rebuild) until the transaction ends.

    FOR NO KEY UPDATE: inserting dossiers or events that refer to the unit is not blocked.
    """
    list(
        Unit.objects.select_for_update(no_key=True)
        .filter(pk__in=sorted(set(unit_ids)))
        .values_list("pk", flat=True)
    )


def _fact_save(dossier_id: int, state: FactState | None) -> None:
    if state is None:
        DossierFact.objects.filter(dossier_id=dossier_id).delete()
        return
    DossierFact.objects.update_or_create(
        dossier_id=dossier_id,
        defaults={
            "unit_id": state.unit_id,
            "handling_unit_id": state.handling_unit_id,
            "procedure_id": state.procedure_id,
            "channel": state.channel,
            "received_day": state.received_day,
            "due_day": state.due_day,
            "finished_day": state.finished_day,
            "finish": state.finish,
            "withdrawn": state.withdrawn,
            "with_fee": state.with_fee,
            "online_payment": state.online_payment,
            "finished_late": state.finished_late,
            "vneid_verified": state.vneid_verified,
        },
    )


def _stopped_at(dossier: Dossier, event: DossierEvent | None) -> datetime | None:
    if dossier.status != S.STOPPED:
        return None
    if event is not None and event.to_status == S.STOPPED:
        return event.at
    return (
        DossierEvent.objects.filter(dossier=dossier, to_status=S.STOPPED)
        .order_by("seq")
        .values_list("at", flat=True)
        .first()
    )


def dossier_fact_state(*, dossier: Dossier, event: DossierEvent | None = None) -> FactState | None:
    return fact_state_compute(
        unit_id=dossier.unit_id,
        handling_unit_id=dossier.handling_unit_id,
        procedure_id=dossier.procedure_id,
        channel=dossier.channel,
        received_at=dossier.received_at,
        due_at=dossier.due_at,
        paused_at=dossier.paused_at,
        resolved_at=dossier.resolved_at,
        status=dossier.status,
        stopped_at=_stopped_at(dossier, event),
        fee_vnd=dossier.fee_vnd,
        payment_method=dossier.payment_method,
        vneid_verified=dossier.applicant_vneid_verified,
    )


@transaction.atomic(savepoint=False)
def summary_record_event(*, event: DossierEvent | None, dossier: Dossier) -> None:
    """Bring the summaries up to date with `dossier`'s state after `event`.

    Called for each status change (reports.listeners) inside its transaction, with the
    dossier row locked. Steps: compute the new fact; if it differs from the stored one, lock
    the unit's summaries, take back the old fact's counts, add the new ones, store the fact.
    """
    new = dossier_fact_state(dossier=dossier, event=event)
    stored = DossierFact.objects.filter(dossier_id=dossier.pk).first()
    old = FactState.from_fact(stored) if stored is not None else None
    if new == old:
        return
    summary_unit_lock([s.unit_id for s in (old, new) if s is not None])
    delta = fact_contributions(new)
    delta.subtract(fact_contributions(old))
    _rows_apply(delta)
    _fact_save(dossier.pk, new)


def summaries_refresh_dossiers(*, dossier_ids: Iterable[int]) -> int:
    """Bring the summaries up to date for dossiers written outside dossier_transition
    (bulk imports, the demo history). Returns how many dossiers were looked at."""
    count = 0
    for dossier in Dossier.objects.filter(pk__in=list(dossier_ids)).iterator(chunk_size=500):
        summary_record_event(event=None, dossier=dossier)
        count += 1
    return count
