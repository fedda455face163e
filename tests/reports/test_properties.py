"""Property tests on random dossier histories made through the dossier services.

For any history: the summary rows kept event by event equal a fresh computation from the
dossiers; Biểu II.06a's identities hold; every report's total row is the sum of its rows;
and the figures equal a plain count over the dossiers.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

from dossiers.models import Dossier, DossierEvent
from dossiers.selectors import late_q
from dossiers.services.core import dossier_create, dossier_transition
from reports.selectors.appendix import ADDITIVE, appendix_compute
from reports.selectors.ii06a import COLUMNS, ii06a_compute
from reports.selectors.overdue import overdue_now_counts
from reports.selectors.periods import Period
from reports.summaries import local_day
from reports.summary_rebuild import summaries_rebuild
from tests.reports.conftest import APPLICANT, at

S = Dossier.Status
START = dt.date(2020, 9, 28)

# Moves a script may make from each state (a subset of dossiers.transitions.ALLOWED that
# covers every kind of move: pauses, transfers, withdrawals, refusals).
MOVES: dict[str, list[str]] = {
    S.SUBMITTED: [
        S.RECEIVED,
        S.RECEIVED,
        S.REFUSED,
        S.SUPPLEMENT_REQUESTED,
        S.WITHDRAWAL_REQUESTED,
    ],
    S.RECEIVED: [
        S.PROCESSING,
        S.SUPPLEMENT_REQUESTED,
        S.AWAITING_PAYMENT,
        S.RESOLVED,
        S.RESOLVED,
        S.WITHDRAWAL_REQUESTED,
    ],
    S.PROCESSING: [
        S.PROCESSING,
        S.SUPPLEMENT_REQUESTED,
        S.AWAITING_PAYMENT,
        S.RESOLVED,
        S.RESOLVED,
        S.WITHDRAWAL_REQUESTED,
    ],
    S.SUPPLEMENT_REQUESTED: ["answer", "answer", S.WITHDRAWAL_REQUESTED],
    S.AWAITING_PAYMENT: [S.PROCESSING, S.WITHDRAWAL_REQUESTED],
    S.WITHDRAWAL_REQUESTED: [S.STOPPED],
    S.RESOLVED: [S.RETURNED],
}

scripts = st.lists(
    st.tuples(
        st.integers(0, 1),  # unit
        st.integers(0, 1),  # procedure: same-day level 3, or 2 days level 2
        st.sampled_from(["counter", "online", "post"]),
        st.integers(0, 20 * 24),  # hours after START at which it arrives
        st.lists(st.tuples(st.integers(0, 5), st.integers(1, 80)), max_size=6),  # (move, hours)
    ),
    min_size=1,
    max_size=7,
)


def _play(script, units, procedures) -> None:
    unit_i, proc_i, channel, start_h, steps = script
    procedure = procedures[proc_i]
    if channel == "online" and not procedure.accepts_online:
        channel = "counter"
    when = at(START.isoformat(), 0) + dt.timedelta(hours=start_h)
    dossier, _key = dossier_create(
        procedure=procedure, unit=units[unit_i], channel=channel, applicant=APPLICANT, at=when
    )
    for pick, hours in steps:
        moves = MOVES.get(dossier.status)
        if not moves:
            break
        move = moves[pick % len(moves)]
        when += dt.timedelta(hours=hours)
        changes = {}
        if move == "answer":
            move = S.PROCESSING if dossier.received_at else S.SUBMITTED
        if move == S.RESOLVED:
            changes = {"resolved_at": when, "outcome": "approved"}
        if move == S.RETURNED:
            changes = {"returned_at": when}
        dossier = dossier_transition(
            dossier=dossier, to=move, actor=None, at=when, changes=changes, notify=False
        )


def _oracle(period: Period, unit_ids: set[int]) -> dict[str, int]:
    """II.06a counted dossier by dossier, straight from the dossiers."""
    counts = dict.fromkeys((*COLUMNS, "withdrawn"), 0)
    for d in Dossier.objects.filter(unit_id__in=unit_ids, received_at__isnull=False):
        received = local_day(d.received_at)
        if received > period.end:
            continue
        finished_at = d.resolved_at
        if finished_at is None and d.status == S.STOPPED:
            finished_at = DossierEvent.objects.get(dossier=d, to_status=S.STOPPED).at
        finished = local_day(finished_at) if finished_at else None
        if finished is not None and finished < period.start:
            continue
        if received < period.start:
            counts["carried_over"] += 1
        elif d.channel == "online":
            counts["received_online"] += 1
        else:
            counts["received_counter_post"] += 1
        if finished is not None and finished <= period.end:
            counts["withdrawn"] += d.status == S.STOPPED
            if d.status != S.STOPPED and finished > local_day(d.due_at):
                counts["resolved_late"] += 1
            elif finished < local_day(d.due_at):
                counts["resolved_early"] += 1
            else:
                counts["resolved_on_time"] += 1
        else:
            clock_ran_out = d.paused_at is None or d.paused_at > d.due_at
            if clock_ran_out and local_day(d.due_at) <= period.end:
                counts["in_progress_overdue"] += 1
    return counts


def _assert_identities(report) -> None:
    """Biểu II.06a's identities on every row, and the total row the sum of the rows."""
    for row in [*report.rows, report.total]:
        v = row.values
        assert v["received_total"] == (
            v["received_online"] + v["received_counter_post"] + v["carried_over"]
        )
        assert v["received_total"] == v["resolved_total"] + v["in_progress_total"]
        assert v["resolved_total"] == (
            v["resolved_early"] + v["resolved_on_time"] + v["resolved_late"]
        )
        assert v["in_progress_total"] == v["in_progress_within"] + v["in_progress_overdue"]
        assert min(v[c] for c in COLUMNS) >= 0, v
    for column in COLUMNS:
        assert report.total.values[column] == sum(r.values[column] for r in report.rows)


@pytest.mark.django_db
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    histories=scripts,
    start=st.integers(0, 40),
    length=st.integers(0, 40),
    after=st.integers(0, 72),
)
def test_summaries_and_reports_agree_with_the_dossiers(
    histories,
    start,
    length,
    after,
    commune,
    other_commune,
    birth_registration,
    certified_contract,
    reporter,
):
    units = [commune, other_commune]
    certified_contract.units.add(other_commune)
    procedures = [birth_registration, certified_contract]
    scope = {u.pk for u in units}
    note(f"histories={histories!r} start={start} length={length}")
    with transaction.atomic():
        for script in histories:
            _play(script, units, procedures)

        # The rows kept event by event are exactly what a rebuild computes afresh.
        result = summaries_rebuild()
        assert result.rows_fixed == 0, result.problems
        assert result.facts_fixed == 0

        period = Period(START + dt.timedelta(days=start), START + dt.timedelta(days=start + length))
        report = ii06a_compute(period=period, units=units, scope=scope)
        _assert_identities(report)
        for unit, row in zip(units, report.rows, strict=True):
            expected = _oracle(period, {unit.pk})
            for column in (
                "received_online",
                "received_counter_post",
                "carried_over",
                "resolved_early",
                "resolved_on_time",
                "resolved_late",
                "in_progress_overdue",
                "withdrawn",
            ):
                assert row.values[column] == expected[column], (unit.code, column)

        # The dashboard's "late now", counted partly from facts, is late_q's answer.
        now = timezone.now()
        assert (
            sum(overdue_now_counts(unit_ids=scope, now=now).values())
            == Dossier.objects.filter(late_q(at=now), unit_id__in=scope).count()
        )

        by_field = ii06a_compute(period=period, units=units, scope=scope, by="field")
        _assert_identities(by_field)
        for column in COLUMNS:
            assert by_field.total.values[column] == report.total.values[column]

        # A period not yet ended: balances now, a dossier not yet due is never overdue.
        last = DossierEvent.objects.aggregate(last=Max("at"))["last"]
        running_now = last + dt.timedelta(hours=after)
        running = Period(period.start, max(period.end, local_day(running_now)))
        for by in ("unit", "field"):
            current = ii06a_compute(
                period=running, units=units, scope=scope, by=by, now=running_now
            )
            _assert_identities(current)
            if by == "unit":
                for unit, row in zip(units, current.rows, strict=True):
                    late = Dossier.objects.filter(late_q(at=running_now), unit=unit)
                    assert row.values["in_progress_overdue"] == late.count(), unit.code

        appendix = appendix_compute(period=period, units=units, scope=scope)
        for column in ADDITIVE:
            assert appendix.total.values[column] == sum(r.values[column] for r in appendix.rows)
        for row, ii in zip(appendix.rows, report.rows, strict=True):
            assert row.values["received_total"] == (
                ii.values["received_online"] + ii.values["received_counter_post"]
            )
            assert row.values["backlog"] == ii.values["carried_over"]
            assert row.values["unresolved"] == ii.values["in_progress_total"]
        transaction.set_rollback(True)
