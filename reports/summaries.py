"""Summary rows kept current as dossiers move, and their nightly rebuild and check.

The scheme: a received dossier contributes a few counts (reports.models.SummaryRow), under
its receiving unit and its handling unit, on the days its state fixes: received on its
reception day, finished early/on time/late on the day it was resolved (or stopped), due
(and due_met) on its due day. `DossierFact` remembers what a dossier contributes now. On
every event, `summary_record_event` computes the dossier's new fact, takes back the old
fact's counts and adds the new ones, to the day row and the month row. `summaries_rebuild`
recomputes every fact and count from the dossiers and repairs (and reports) any
difference: the nightly check.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import astuple, dataclass
from datetime import datetime
from typing import Any

from django.db import connection, models, transaction
from django.db.models import F, OuterRef, Subquery
from django.utils import timezone

from dossiers.models import Dossier, DossierEvent
from payments.selectors import ONLINE_METHODS
from procedures.models import Unit
from reports.models import COUNTERS, DossierFact, Grain, SummaryRow

S = Dossier.Status
# Payment methods that count as paid online (the payments package's, issue 7).
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
) -> FactState | None:
    """The fact of a dossier in this state, or None when it was never received.

    Finished means resolved, or stopped (withdrawn) after reception. Punctuality is judged
    by date, as the national filter of Biểu II.06a does: early when finished on an earlier
    date than the due date, on time on the due date, late on a later date (a withdrawal is
    never late). A dossier paused before its due time has no due day until its clock runs
    again: it cannot be overdue meanwhile (dossiers.selectors.late_q says the same).
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


def _unit_lock(unit_ids: Iterable[int]) -> None:
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
    _unit_lock([s.unit_id for s in (old, new) if s is not None])
    delta = fact_contributions(new)
    delta.subtract(fact_contributions(old))
    _rows_apply(delta)
    _fact_save(dossier.pk, new)


# --- The nightly rebuild and check ---------------------------------------------------------


def _fresh_states(*, unit_id: int) -> Iterator[tuple[int, FactState]]:
    """Every received dossier of a receiving unit, with its fact computed afresh."""
    stopped = (
        DossierEvent.objects.filter(dossier=OuterRef("pk"), to_status=S.STOPPED)
        .order_by("seq")
        .values("at")[:1]
    )
    rows = (
        Dossier.objects.filter(unit_id=unit_id, received_at__isnull=False)
        .annotate(stopped_at=Subquery(stopped))
        .values_list(
            "pk",
            "unit_id",
            "handling_unit_id",
            "procedure_id",
            "channel",
            "received_at",
            "due_at",
            "paused_at",
            "resolved_at",
            "status",
            "stopped_at",
            "fee_vnd",
            "payment_method",
        )
        .order_by("pk")
    )
    for (
        pk,
        unit,
        handling_unit,
        procedure,
        channel,
        received_at,
        due_at,
        paused_at,
        resolved_at,
        status,
        stopped_at,
        fee_vnd,
        payment_method,
    ) in rows.iterator(chunk_size=5000):
        state = fact_state_compute(
            unit_id=unit,
            handling_unit_id=handling_unit,
            procedure_id=procedure,
            channel=channel,
            received_at=received_at,
            due_at=due_at,
            paused_at=paused_at,
            resolved_at=resolved_at,
            status=status,
            stopped_at=stopped_at,
            fee_vnd=fee_vnd,
            payment_method=payment_method,
        )
        if state is not None:
            yield pk, state


def summaries_fresh(*, unit_id: int) -> tuple[dict[int, FactState], dict[RowKey, dict[str, int]]]:
    """The facts and summary rows of one receiving unit, computed from its dossiers alone."""
    facts = dict(_fresh_states(unit_id=unit_id))
    totals: Counter[tuple[RowKey, str]] = Counter()
    for state in facts.values():
        totals.update(fact_contributions(state))
    rows: dict[RowKey, dict[str, int]] = {}
    for (key, counter), n in totals.items():
        if n:
            rows.setdefault(key, dict.fromkeys(COUNTERS, 0))[counter] = n
    return facts, rows


@dataclass
class RebuildResult:
    units: int = 0
    dossiers: int = 0
    facts_fixed: int = 0
    rows_fixed: int = 0
    problems: list[str] | None = None

    @property
    def ok(self) -> bool:
        return not self.facts_fixed and not self.rows_fixed


def _fact_row(pk: int, state: FactState) -> DossierFact:
    return DossierFact(
        dossier_id=pk,
        unit_id=state.unit_id,
        handling_unit_id=state.handling_unit_id,
        procedure_id=state.procedure_id,
        channel=state.channel,
        received_day=state.received_day,
        due_day=state.due_day,
        finished_day=state.finished_day,
        finish=state.finish,
        withdrawn=state.withdrawn,
        with_fee=state.with_fee,
        online_payment=state.online_payment,
    )


# In the order of FactState's fields.
FACT_FIELDS = [
    "unit_id",
    "handling_unit_id",
    "procedure_id",
    "channel",
    "received_day",
    "due_day",
    "finished_day",
    "finish",
    "withdrawn",
    "with_fee",
    "online_payment",
]


ROW_FIELDS = [
    "grain",
    "period",
    "unit_id",
    "handling_unit_id",
    "procedure_id",
    "channel",
    *COUNTERS,
]


def _insert(model: type[models.Model], fields: list[str], rows: list[list[Any]]) -> None:
    """Insert many rows: COPY on PostgreSQL (a from-scratch rebuild writes millions),
    bulk_create elsewhere."""
    if not rows:
        return
    if connection.vendor == "postgresql":
        columns = ", ".join(
            connection.ops.quote_name(
                model._meta.get_field(
                    name.removesuffix("_id") if name.endswith("_id") else name
                ).column
            )
            for name in fields
        )
        table = connection.ops.quote_name(model._meta.db_table)
        with (
            connection.cursor() as cursor,
            cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row(row)
        return
    model.objects.bulk_create(
        [model(**dict(zip(fields, row, strict=True))) for row in rows], batch_size=2000
    )


def _unit_rebuild(*, unit_id: int, result: RebuildResult) -> None:
    """Recompute one receiving unit's facts and rows; repair and report what differed."""
    with transaction.atomic():
        _unit_lock([unit_id])
        facts, rows = summaries_fresh(unit_id=unit_id)
        result.dossiers += len(facts)
        stored_facts = {
            f.dossier_id: FactState.from_fact(f)
            for f in DossierFact.objects.filter(unit_id=unit_id)
        }
        gone = stored_facts.keys() - facts.keys()
        DossierFact.objects.filter(dossier_id__in=gone).delete()
        new = [pk for pk in facts if pk not in stored_facts]
        changed = [pk for pk, st in facts.items() if pk in stored_facts and stored_facts[pk] != st]
        # A dossier whose receiving unit changed may have its fact under another unit.
        moved = set(
            DossierFact.objects.filter(dossier_id__in=new).values_list("dossier_id", flat=True)
        )
        changed += [pk for pk in new if pk in moved]
        new = [pk for pk in new if pk not in moved]
        _insert(
            DossierFact, ["dossier_id", *FACT_FIELDS], [[pk, *astuple(facts[pk])] for pk in new]
        )
        DossierFact.objects.bulk_update(
            [_fact_row(pk, facts[pk]) for pk in changed], FACT_FIELDS, batch_size=2000
        )
        result.facts_fixed += len(gone) + len(new) + len(changed)

        stored = {key: (pk, counts) for key, pk, counts in _stored_rows(unit_id=unit_id)}
        stale = [pk for key, (pk, _counts) in stored.items() if key not in rows]
        SummaryRow.objects.filter(pk__in=stale).delete()
        # Rows left at zero by take-backs are noise, not errors: dropped without a word.
        stale = [
            pk for key, (pk, counts) in stored.items() if key not in rows and any(counts.values())
        ]
        create: list[list[Any]] = []
        update: list[SummaryRow] = []
        for key, counts in rows.items():
            if key not in stored:
                create.append([*key, *(counts[c] for c in COUNTERS)])
            elif stored[key][1] != counts:
                grain, period, unit, handling_unit, procedure, channel = key
                update.append(
                    SummaryRow(
                        pk=stored[key][0],
                        grain=grain,
                        period=period,
                        unit_id=unit,
                        handling_unit_id=handling_unit,
                        procedure_id=procedure,
                        channel=channel,
                        **counts,
                    )
                )
            else:
                continue
            if result.problems is not None and len(result.problems) < 50:
                result.problems.append(f"{key}: stored {stored.get(key, (0, None))[1]} != {counts}")
        _insert(SummaryRow, ROW_FIELDS, create)
        SummaryRow.objects.bulk_update(update, list(COUNTERS), batch_size=2000)
        result.rows_fixed += len(stale) + len(create) + len(update)


def _stored_rows(*, unit_id: int) -> Iterator[tuple[RowKey, int, dict[str, int]]]:
    for row in SummaryRow.objects.filter(unit_id=unit_id).values(
        "pk", "grain", "period", "unit_id", "handling_unit_id", "procedure_id", "channel", *COUNTERS
    ):
        counts = {name: row[name] for name in COUNTERS}
        key = (
            row["grain"],
            row["period"],
            row["unit_id"],
            row["handling_unit_id"],
            row["procedure_id"],
            row["channel"],
        )
        yield key, row["pk"], counts


def summaries_rebuild(
    *, unit_ids: Iterable[int] | None = None, progress: Callable[[int, int], None] | None = None
) -> RebuildResult:
    """Recompute the facts and summary rows of every (or the given) receiving unit.

    Unit by unit, each in its own transaction holding that unit's summary lock, so the
    workflow of other units goes on meanwhile. Returns how many facts and rows had to be
    repaired (zero when the incremental upkeep was right).
    """
    if unit_ids is None:
        with_dossiers = set(Dossier.objects.values_list("unit_id", flat=True).distinct())
        with_rows = set(SummaryRow.objects.values_list("unit_id", flat=True).distinct())
        unit_ids = sorted(with_dossiers | with_rows)
    unit_ids = list(unit_ids)
    result = RebuildResult(problems=[])
    for done, unit_id in enumerate(unit_ids, start=1):
        _unit_rebuild(unit_id=unit_id, result=result)
        result.units += 1
        if progress is not None:
            progress(done, len(unit_ids))
    return result


def summaries_refresh_dossiers(*, dossier_ids: Iterable[int]) -> int:
    """Bring the summaries up to date for dossiers written outside dossier_transition
    (bulk imports, the demo history). Returns how many dossiers were looked at."""
    count = 0
    for dossier in Dossier.objects.filter(pk__in=list(dossier_ids)).iterator(chunk_size=500):
        summary_record_event(event=None, dossier=dossier)
        count += 1
    return count
