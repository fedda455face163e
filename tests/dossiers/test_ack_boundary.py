"""The workbench's 'waiting for acknowledgement' warning counts in SQL against one boundary per
set of office hours: the same dossiers as the clock's rule applied one by one."""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest

from dossiers.deadlines import ACK_LIMIT_MINUTES, dossier_ack_overdue
from dossiers.models import Dossier
from dossiers.selectors import (
    ack_overdue_since,
    dossiers_awaiting_acknowledgement,
    dossiers_awaiting_acknowledgement_count,
)
from procedures import clock
from procedures.calendar import unit_office_hours, work_calendar
from tests.dossiers.conftest import online_dossier, vn

pytestmark = pytest.mark.django_db

MICROSECOND = timedelta(microseconds=1)


def waited(submitted, at, unit, calendar):
    return clock.working_minutes_between(
        submitted, at, hours=unit_office_hours(unit), calendar=calendar
    )


def test_the_boundary_is_the_clocks_to_the_microsecond_on_each_units_hours(
    birth_registration, commune, other_commune
):
    other_commune.morning_start = time(8, 0)
    other_commune.afternoon_end = time(17, 30)
    other_commune.save()
    at = vn(2026, 3, 4, 9, 15, 30)  # a Wednesday morning
    calendar = work_calendar()
    since = {}
    for unit in (commune, other_commune):
        since[unit] = ack_overdue_since(at=at, hours=unit_office_hours(unit), calendar=calendar)
        assert waited(since[unit], at, unit, calendar) > ACK_LIMIT_MINUTES
        assert waited(since[unit] + MICROSECOND, at, unit, calendar) <= ACK_LIMIT_MINUTES
    assert since[commune] != since[other_commune]

    moments = [at - timedelta(hours=2), at - timedelta(days=20)]
    for unit in (commune, other_commune):
        moments += [since[unit] - MICROSECOND, since[unit], since[unit] + MICROSECOND]
    made = {}
    for unit in (commune, other_commune):
        for moment in moments:
            dossier = online_dossier(birth_registration, commune, at=moment)
            Dossier.objects.filter(pk=dossier.pk).update(
                unit=unit, handling_unit=unit, submitted_at=moment
            )
            made[unit, moment] = dossier.pk
    handled = Dossier.objects.filter(pk__in=made.values())
    rows = handled.select_related("unit").order_by("submitted_at", "pk")
    expected = [d for d in rows if dossier_ack_overdue(dossier=d, at=at, calendar=calendar)]
    overdue = {d.pk for d in expected}
    for unit in (commune, other_commune):  # each unit on its own hours' boundary
        assert made[unit, since[unit]] in overdue
        assert made[unit, since[unit] + MICROSECOND] not in overdue
    assert dossiers_awaiting_acknowledgement(handled=handled, at=at) == expected
    assert dossiers_awaiting_acknowledgement_count(handled=handled, at=at) == len(expected)


def test_a_fortnight_without_eight_working_hours_has_no_boundary(commune):
    at = vn(2026, 3, 4, 9, 0)
    days_off = [date(2026, 2, 17) + timedelta(days=n) for n in range(20)]
    calendar = clock.WorkCalendar(extra_days_off=days_off)
    assert ack_overdue_since(at=at, hours=unit_office_hours(commune), calendar=calendar) is None
