"""Officers' reminders: the counts for the workbench and the daily digest e-mail."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from notifications.models import EmailMessage
from notifications.selectors import ReminderCounts, unit_reminder_counts
from notifications.services import officer_digest_send, officer_digest_send_all
from portal.models import Membership, Role
from procedures.models import Channel
from tests.notifications.conftest import vn

pytestmark = pytest.mark.django_db

# Wednesday 9/12/2026, 10:00 (an ordinary week: no holiday). certified_contract takes 2
# working days at the counter.
NOW = vn(2026, 12, 9, 10, 0)


@pytest.fixture
def desk_of_commune(commune, officer, supervisor):
    officer.email, supervisor.email = "officer@example.vn", "head@example.vn"
    officer.save()
    supervisor.save()
    return commune


@pytest.fixture
def workload(make_dossier):
    """One dossier of every kind at NOW."""
    return {
        "late": make_dossier(channel=Channel.COUNTER, at=vn(2026, 12, 7, 9, 0)),  # due Wed 9:00
        "due_soon": make_dossier(channel=Channel.COUNTER, at=vn(2026, 12, 8, 10, 0)),  # Thu
        "on_time": make_dossier(channel=Channel.COUNTER, at=vn(2026, 12, 9, 9, 0)),  # Fri
        "waiting": make_dossier(at=vn(2026, 12, 7, 9, 0)),  # online, 2 days unacknowledged
        "fresh": make_dossier(at=vn(2026, 12, 9, 8, 0)),  # online, 2 working hours
    }


def test_counts_per_unit(commune, other_commune, workload):
    counts = unit_reminder_counts(unit_ids=[commune.pk, other_commune.pk], at=NOW)
    assert counts[commune.pk] == ReminderCounts(due_soon=1, late=1, awaiting_acknowledgement=1)
    assert counts[commune.pk].total == 3
    assert counts[other_commune.pk] == ReminderCounts()
    assert unit_reminder_counts(unit_ids=[], at=NOW) == {}


def test_counts_follow_the_handling_unit(commune, other_commune, workload, officer):
    from dossiers.services.actions import dossier_transfer

    dossier_transfer(
        dossier=workload["late"], actor=officer, to_unit=other_commune, at=vn(2026, 12, 7, 10, 0)
    )
    counts = unit_reminder_counts(unit_ids=[commune.pk, other_commune.pk], at=NOW)
    assert (counts[commune.pk].late, counts[other_commune.pk].late) == (0, 1)


def test_counts_take_a_constant_number_of_queries(commune, other_commune, district, workload):
    with CaptureQueriesContext(connection) as one:
        unit_reminder_counts(unit_ids=[commune.pk], at=NOW)
    with CaptureQueriesContext(connection) as three:
        unit_reminder_counts(unit_ids=[commune.pk, other_commune.pk, district.pk], at=NOW)
    assert len(three) == len(one) <= 6


def test_the_digest_lists_the_dossiers_for_each_officer(desk_of_commune, workload):
    emails = officer_digest_send(unit_id=desk_of_commune.pk, at=NOW)
    assert sorted(e.to for e in emails) == ["head@example.vn", "officer@example.vn"]
    body = emails[0].body
    assert "Hồ sơ đã quá hạn (1):" in body
    assert workload["late"].code in body
    assert "Hồ sơ đến hạn trong một ngày làm việc (1):" in body
    assert workload["due_soon"].code in body
    assert "chờ tiếp nhận quá 8 giờ làm việc (1):" in body
    assert workload["waiting"].code in body
    for quiet in ("on_time", "fresh"):
        assert workload[quiet].code not in body
    assert emails[0].subject == "[MotCua] Nhắc việc 09/12/2026 – UBND xã Mường Khoa"


def test_the_digest_goes_once_a_day(desk_of_commune, workload):
    assert len(officer_digest_send(unit_id=desk_of_commune.pk, at=NOW)) == 2
    officer_digest_send(unit_id=desk_of_commune.pk, at=vn(2026, 12, 9, 11, 0))
    assert EmailMessage.objects.count() == 2


def test_no_digest_when_nothing_is_pending(desk_of_commune, make_dossier):
    make_dossier(channel=Channel.COUNTER, at=vn(2026, 12, 9, 9, 0))
    assert officer_digest_send(unit_id=desk_of_commune.pk, at=NOW) == []


def test_reporting_officers_and_officers_without_email_get_none(
    desk_of_commune, workload, django_user_model
):
    user = django_user_model.objects.create_user("stats", email="stats@example.vn")
    Membership.objects.create(user=user, unit=desk_of_commune, role=Role.REPORTING)
    emails = officer_digest_send(unit_id=desk_of_commune.pk, at=NOW)
    assert "stats@example.vn" not in {e.to for e in emails}


def test_the_daily_job_covers_every_unit_on_working_days_only(
    desk_of_commune, workload, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        assert officer_digest_send_all(at=vn(2026, 12, 13, 6, 30)) == 0  # a Sunday
        assert officer_digest_send_all(at=NOW) == 2
    assert len(mailoutbox) == 2
