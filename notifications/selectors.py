"""Reads: officers' reminder counts (for the workbench and the daily digest), the outbox.

Lateness, due-soon and the 8-working-hour acknowledgement rule are the dossiers app's own
(dossiers.selectors.late_q / due_soon_q, dossiers.deadlines.dossier_ack_overdue), so
the digest, the workbench queues and the dossier pages always agree.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Count, Q
from django.utils import timezone

from dossiers.models import Dossier
from dossiers.selectors import dossiers_awaiting_acknowledgement
from notifications.models import SmsMessage

DS = Dossier.Status


@dataclass(frozen=True)
class ReminderCounts:
    due_soon: int = 0  # clock running, not late, due within one working day
    late: int = 0  # open and past the due time
    awaiting_acknowledgement: int = 0  # online, submitted > 8 working hours ago, not received

    @property
    def total(self) -> int:
        return self.due_soon + self.late + self.awaiting_acknowledgement


@dataclass
class ReminderDossiers:
    due_soon: list[Dossier] = field(default_factory=list)
    late: list[Dossier] = field(default_factory=list)
    awaiting_acknowledgement: list[Dossier] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.due_soon) + len(self.late) + len(self.awaiting_acknowledgement)


def _filters(*, at: datetime) -> tuple[Q, Q]:
    from dossiers.selectors import due_soon_q, late_q

    return late_q(at=at), due_soon_q(at=at)


def unit_reminder_counts(
    *, unit_ids: Iterable[int], at: datetime | None = None
) -> dict[int, ReminderCounts]:
    """Per unit id: dossiers due within one working day, late, and awaiting acknowledgement.

    For the officer workbench and the daily digest. A dossier counts for the unit handling it
    now (Dossier.handling_unit): that is who has to act. Due soon / late are the workbench's
    queues (dossiers.selectors due_soon_q / late_q); awaiting acknowledgement is an online
    dossier still submitted after 8 working hours (dossier_ack_overdue). Every requested id
    is in the result, zeros included. A constant number of queries, whatever the units.

        counts = unit_reminder_counts(unit_ids=[m.unit_id for m in user.memberships.all()])
        counts[unit.pk].late, counts[unit.pk].due_soon, counts[unit.pk].total
    """
    at = at or timezone.now()
    ids = sorted(set(unit_ids))
    if not ids:
        return {}
    handled = Dossier.objects.filter(handling_unit_id__in=ids)
    late, due_soon = _filters(at=at)
    rows = (
        handled.values("handling_unit_id")
        .order_by()
        .annotate(late=Count("pk", filter=late), due_soon=Count("pk", filter=due_soon))
    )
    counts = {pk: {"late": 0, "due_soon": 0, "awaiting_acknowledgement": 0} for pk in ids}
    for row in rows:
        counts[row["handling_unit_id"]].update(late=row["late"], due_soon=row["due_soon"])
    for dossier in dossiers_awaiting_acknowledgement(handled=handled, at=at):
        counts[dossier.handling_unit_id]["awaiting_acknowledgement"] += 1
    return {pk: ReminderCounts(**c) for pk, c in counts.items()}


def unit_reminder_dossiers(*, unit_id: int, at: datetime | None = None) -> ReminderDossiers:
    """The dossiers behind unit_reminder_counts for one unit, soonest due first (the digest)."""
    at = at or timezone.now()
    handled = Dossier.objects.filter(handling_unit_id=unit_id)
    late, due_soon = _filters(at=at)
    ordered = handled.select_related("procedure").order_by("due_at", "pk")
    return ReminderDossiers(
        due_soon=list(ordered.filter(due_soon)),
        late=list(ordered.filter(late)),
        awaiting_acknowledgement=dossiers_awaiting_acknowledgement(handled=handled, at=at),
    )


def sms_outbox_latest(*, last: int = 20) -> list[SmsMessage]:
    """The latest SMS rows, newest first (manage.py sms_outbox)."""
    rows = SmsMessage.objects.select_related("dossier").order_by("-created_at", "-id")
    return list(rows[:last])
