"""Balances as at the reference time: the period's end, or now while the period runs."""

from __future__ import annotations

import pytest

from reports.selectors.dashboard import dashboard_compute
from reports.selectors.drilldown import drilldown_dossiers, drilldown_overdue_days
from reports.selectors.ii06a import ii06a_compute
from reports.selectors.periods import Period
from tests.reports.conftest import at, receive, resolve

OCT = Period(at("2020-10-01").date(), at("2020-10-31").date())


def _ii06a(commune, district, period, now):
    report = ii06a_compute(period=period, units=[commune], scope={district.pk, commune.pk}, now=now)
    return report.rows[0].values


@pytest.fixture
def two_open(commune, certified_contract, officer):
    """Due Thursday 1/10 09:00 + 2 working days = Monday 5/10 09:00, and due Wednesday 7/10."""
    early = receive(certified_contract, commune, at("2020-10-01"), actor=officer)
    later = receive(certified_contract, commune, at("2020-10-05"), actor=officer)
    assert (early.due_at, later.due_at) == (at("2020-10-05"), at("2020-10-07"))
    return early, later


def test_mid_month_a_dossier_not_yet_due_is_within_its_deadline(commune, district, two_open):
    values = _ii06a(commune, district, OCT, now=at("2020-10-06", 12))
    assert values["in_progress_total"] == 2
    assert (values["in_progress_within"], values["in_progress_overdue"]) == (1, 1)
    # Earlier the same day as a due time: overdue only once it has passed.
    values = _ii06a(commune, district, OCT, now=at("2020-10-05", 8))
    assert (values["in_progress_within"], values["in_progress_overdue"]) == (2, 0)
    values = _ii06a(commune, district, OCT, now=at("2020-10-05", 10))
    assert (values["in_progress_within"], values["in_progress_overdue"]) == (1, 1)


def test_a_dossier_due_after_the_period_end_is_within_its_deadline(commune, district, two_open):
    first_week = Period(at("2020-10-01").date(), at("2020-10-06").date())
    values = _ii06a(commune, district, first_week, now=at("2026-01-01"))
    assert (values["in_progress_within"], values["in_progress_overdue"]) == (1, 1)


def test_a_past_months_overdue_count_stays_after_later_changes(
    commune, district, reporter, two_open
):
    early, later = two_open
    resolve(early, at("2020-11-03"))
    resolve(later, at("2020-11-04"))
    now = at("2026-01-01")
    values = _ii06a(commune, district, OCT, now=now)
    assert (values["in_progress_total"], values["in_progress_overdue"]) == (2, 2)
    board = dashboard_compute(
        month=OCT.start, units=[commune], scope={district.pk, commune.pk}, now=now
    )
    assert board.total.overdue == 2
    assert board.as_of == OCT.end_at
    november = dashboard_compute(
        month=at("2020-11-01").date(), units=[commune], scope={district.pk, commune.pk}, now=now
    )
    assert november.total.overdue == 0
    # The drill-down lists them with their status then and how late they were.
    listed = list(drilldown_dossiers(metric="overdue", period=OCT, unit_ids={commune.pk}, now=now))
    assert {d.pk for d in listed} == {early.pk, later.pk}
    for d in listed:
        assert d.status_at_end == "received"
    days = {d.pk: drilldown_overdue_days(dossier=d, period=OCT, now=now) for d in listed}
    assert days == {early.pk: 26, later.pk: 24}
