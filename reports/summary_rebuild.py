"""The nightly rebuild and check of the report summaries (reports.summaries keeps them
current event by event).

`summaries_rebuild` recomputes every dossier fact and summary row from the dossiers alone,
unit by unit, and repairs (and reports) any difference from what the event-by-event upkeep
stored.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import astuple, dataclass
from typing import Any

from django.db import connection, models, transaction
from django.db.models import OuterRef, Subquery

from dossiers.models import Dossier, DossierEvent
from reports.models import COUNTERS, DossierFact, SummaryRow
from reports.summaries import (
    FactState,
    RowKey,
    fact_contributions,
    fact_state_compute,
    summary_unit_lock,
)

S = Dossier.Status


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
            "applicant_vneid_verified",
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
        vneid_verified,
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
            vneid_verified=vneid_verified,
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
        finished_late=state.finished_late,
        vneid_verified=state.vneid_verified,
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
    "finished_late",
    "vneid_verified",
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
        summary_unit_lock([unit_id])
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
