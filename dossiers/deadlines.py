"""Is a dossier late, due soon, owed an apology or an acknowledgement? One answer for pages,
API, reminders and reports; and the rules of a new appointment (apology, lawful extension)."""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from dossiers.models import Dossier, Handover
from procedures import clock
from procedures.calendar import unit_office_hours, work_calendar
from procedures.models import Channel


def dossier_is_late(dossier: Dossier, *, at: datetime | None = None) -> bool:
    """Late when finished after the due time, or unfinished and past it.

    Judged against `due_at`, the legal appointment (moved only by supplement/payment pauses);
    an apology's new date never makes a dossier on time again. While the clock is paused,
    the pause time does not count: compare at the moment the pause began.
    """
    if dossier.due_at is None:
        return False
    finished = dossier.resolved_at
    if finished is None and dossier.status in {"refused", "stopped"}:
        return False
    moment = finished or dossier.paused_at or at or timezone.now()
    return clock.is_late(dossier.due_at, at=moment)


def dossier_turns_late_at(dossier: Dossier) -> datetime | None:
    """When dossier_is_late turns true by the clock alone: the due time of a running,
    not yet late dossier; None when no clock can change it (finished, paused, refused)."""
    running = (
        dossier.due_at is not None
        and dossier.resolved_at is None
        and dossier.paused_at is None
        and dossier.status not in {"refused", "stopped"}
    )
    return dossier.due_at if running and not dossier_is_late(dossier) else None


def dossier_is_due_soon(
    dossier: Dossier, *, at: datetime | None = None, calendar: clock.WorkCalendar | None = None
) -> bool:
    """Unfinished, not late, and due within one working day."""
    if dossier.due_at is None or dossier.resolved_at is not None or dossier.paused_at:
        return False
    if dossier.status in {"refused", "stopped", "resolved", "returned"}:
        return False
    return clock.is_due_soon(
        dossier.due_at,
        at=at or timezone.now(),
        hours=unit_office_hours(dossier.unit),
        calendar=calendar or work_calendar(dossier.unit),
    )


def dossier_apology_due(*, dossier: Dossier, at: datetime | None = None) -> bool:
    """From one working day before the due time onwards, or when late, an apology is asked."""
    at = at or timezone.now()
    return dossier_is_late(dossier, at=at) or dossier_is_due_soon(dossier, at=at)


# Decree 45/2020: an online dossier is acknowledged within 8 working hours.
ACK_LIMIT_MINUTES = 8 * 60


def dossier_ack_overdue(
    *, dossier: Dossier, at: datetime | None = None, calendar: clock.WorkCalendar | None = None
) -> bool:
    """An online dossier left in `submitted` for more than 8 working hours."""
    if dossier.status != Dossier.Status.SUBMITTED or dossier.channel != Channel.ONLINE:
        return False
    waited = clock.working_minutes_between(
        dossier.submitted_at,
        at or timezone.now(),
        hours=unit_office_hours(dossier.unit),
        calendar=calendar or work_calendar(dossier.unit),
    )
    return waited > ACK_LIMIT_MINUTES


def apology_is_late(dossier: Dossier, *, at: datetime) -> bool:
    """An apology is due at the latest one working day before the due time (DOMAIN §5): made
    with less than one working day left, or after the due time, it is recorded as late."""
    assert dossier.due_at is not None
    hours = unit_office_hours(dossier.unit)
    left = clock.working_minutes_between(
        at, dossier.due_at, hours=hours, calendar=work_calendar(dossier.unit)
    )
    return clock.is_late(dossier.due_at, at=at) or left < hours.minutes_per_day


def new_due_time_check(dossier: Dossier, *, new_due_at: datetime, field: str) -> None:
    """A new appointment (apology or extension) is a working time after the current one."""
    assert dossier.due_at is not None
    if new_due_at <= dossier.due_at:
        raise ValidationError({field: _("Thời hạn mới phải sau thời hạn trả kết quả hiện tại.")})
    if not clock.is_working_time(
        new_due_at, hours=unit_office_hours(dossier.unit), calendar=work_calendar(dossier.unit)
    ):
        raise ValidationError(
            {field: _("Thời hạn mới phải là giờ làm việc của một ngày làm việc.")}
        )


def handover_punctuality(*, given_at: datetime, due: datetime | None) -> str:
    """Early before the due date, on time on the due date, late after the due time."""
    if due is None:
        return ""
    if clock.is_late(due, at=given_at):
        return Handover.Punctuality.LATE
    if timezone.localtime(given_at).date() < timezone.localtime(due).date():
        return Handover.Punctuality.EARLY
    return Handover.Punctuality.ON_TIME
