import datetime as dt

from reports.access import report_unit_ids
from reports.selectors.appendix import appendix_compute
from reports.selectors.periods import Period
from tests.reports.conftest import at, receive, resolve


def test_it_counts_received_resolved_and_backlog(
    commune, other_commune, birth_registration, certified_contract, reporter, desk
):
    old = receive(certified_contract, commune, at("2020-09-28"))
    d1 = receive(birth_registration, commune, at("2020-10-05"))
    receive(birth_registration, commune, at("2020-10-06"), channel="online")
    resolve(d1, at("2020-10-05", 10))
    resolve(old, at("2020-10-02"))
    scope = report_unit_ids(user=reporter)
    result = appendix_compute(
        period=Period(dt.date(2020, 10, 1), dt.date(2020, 10, 31)),
        units=[commune, other_commune],
        scope=scope,
    )
    row = result.rows[0].values
    assert row["received_total"] == 2
    assert row["backlog"] == 1
    assert row["l3_received_direct"] == 1
    assert row["l3_received_online"] == 1
    assert row["resolved_l2"] == 1
    assert row["resolved_l3"] == 1
    assert row["unresolved"] == 1
    assert row["resolution_rate_pct"] == 66.7
    assert result.rows[1].values["resolution_rate_pct"] is None
    assert result.total.values["received_total"] == 2


def test_overdue_now_counts_dossiers_due_earlier_today_and_before(
    commune, birth_registration, certified_contract
):
    import datetime as dt

    from django.utils import timezone

    from procedures.calendar import work_calendar
    from reports.selectors.overdue import overdue_now_counts

    calendar, today = work_calendar(), timezone.localdate()
    while not calendar.is_working_day(today):
        today -= dt.timedelta(days=1)
    this_morning = receive(birth_registration, commune, at(today.isoformat(), 8))
    receive(certified_contract, commune, at("2020-10-05"))  # long overdue
    due = timezone.localtime(this_morning.due_at)
    assert due.date() == today
    before = due - dt.timedelta(minutes=1)
    after = due + dt.timedelta(minutes=1)
    assert overdue_now_counts(unit_ids={commune.pk}, now=before) == {commune.pk: 1}
    assert overdue_now_counts(unit_ids={commune.pk}, now=after) == {commune.pk: 2}
