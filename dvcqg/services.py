"""Writing the outbox: a row per dossier and per event, in the event's transaction, and the
re-sends an operator asks for (dvcqg_resync)."""

from __future__ import annotations

import functools
import logging
from collections.abc import Iterable
from datetime import datetime

from django.db import transaction

from dossiers.models import Dossier, DossierEvent
from dvcqg.client import enabled
from dvcqg.models import Service, SyncRow, SyncState

logger = logging.getLogger(__name__)
W = SyncState

PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2}


def task_publish(dossier_id: int, *, countdown: float | None = None) -> bool:
    """Hand a dossier to Celery. Never raises: what is not published waits in the table for
    the periodic job (dvcqg.sending.sync_requeue)."""
    from dvcqg.tasks import dossier_sync

    try:
        dossier_sync.apply_async(
            args=[dossier_id], countdown=countdown, retry_policy=PUBLISH_RETRY_POLICY
        )
    except Exception:  # kombu's errors vary with the transport; the rows are safe either way
        logger.warning("could not publish the DVCQG sync of dossier %s", dossier_id, exc_info=True)
        return False
    return True


def _head_touch(dossier: Dossier) -> SyncRow:
    """The dossier's row, created or marked changed (it is sent again as an update)."""
    head = SyncRow.objects.select_for_update().filter(dossier=dossier, service=Service.DOSSIER)
    row = head.first()
    if row is None:
        return SyncRow.objects.create(dossier=dossier, service=Service.DOSSIER)
    row.revision += 1
    if row.state in (W.ACKNOWLEDGED, W.ERROR):
        if row.state == W.ERROR:
            row.attempts = 0
        row.state, row.next_attempt_at = W.WAITING, None
    row.save(update_fields=["revision", "state", "attempts", "next_attempt_at", "updated_at"])
    return row


def event_queue(*, event: DossierEvent, dossier: Dossier) -> None:
    """Queue the dossier (again) and the event; publish the send after the commit.

    Runs inside the event writer's transaction, with the dossier row locked: the rows commit
    or roll back with the event. Off (DVCQG_URL empty): nothing is queued.
    """
    if not enabled():
        return
    _head_touch(dossier)
    SyncRow.objects.get_or_create(
        event=event,
        defaults={"dossier": dossier, "service": Service.PROGRESS, "event_seq": event.seq},
    )
    transaction.on_commit(functools.partial(task_publish, dossier.pk))


def dossiers_imported_queue(*, dossier_ids: list[int]) -> int:
    """Queue dossiers an import wrote directly (with their history, no status writer): the
    dossier and each of its events, as if they had been made here; publish after the commit.
    Runs in the import's transaction. Off: nothing. Returns the number of dossiers queued."""
    if not enabled() or not dossier_ids:
        return 0
    SyncRow.objects.bulk_create(
        (SyncRow(dossier_id=pk, service=Service.DOSSIER) for pk in dossier_ids),
        ignore_conflicts=True,
    )
    events = DossierEvent.objects.filter(dossier_id__in=dossier_ids).values_list(
        "pk", "dossier_id", "seq"
    )
    SyncRow.objects.bulk_create(
        (
            SyncRow(dossier_id=dossier_id, service=Service.PROGRESS, event_id=pk, event_seq=seq)
            for pk, dossier_id, seq in events.iterator()
        ),
        batch_size=1000,
        ignore_conflicts=True,
    )
    ids = list(dossier_ids)
    transaction.on_commit(lambda: [task_publish(pk) for pk in ids])
    return len(ids)


@transaction.atomic
def dossier_resync(*, dossier: Dossier, resend_unconfirmed: bool = False) -> int:
    """Send a dossier again: the dossier itself as an update, and every event DVCQG has not
    acknowledged (rows are made for events from before the synchronisation was on). An event
    already acknowledged is never sent again. Rows in error go back to waiting; those whose
    arrival could not be confirmed keep their check unless `resend_unconfirmed` (an operator
    decided that DVCQG does not have them). Returns the number of rows waiting."""
    dossier = Dossier.objects.select_for_update().get(pk=dossier.pk)
    _head_touch(dossier)
    have = set(
        SyncRow.objects.filter(dossier=dossier, service=Service.PROGRESS).values_list(
            "event_id", flat=True
        )
    )
    SyncRow.objects.bulk_create(
        SyncRow(dossier=dossier, service=Service.PROGRESS, event=e, event_seq=e.seq)
        for e in DossierEvent.objects.filter(dossier=dossier).exclude(pk__in=have).order_by("seq")
    )
    errors = SyncRow.objects.filter(dossier=dossier, state=W.ERROR)
    if resend_unconfirmed:
        errors.update(state=W.WAITING, attempts=0, next_attempt_at=None, verify=False)
    else:
        errors.update(state=W.WAITING, attempts=0, next_attempt_at=None)
    SyncRow.objects.filter(dossier=dossier, state=W.WAITING).update(next_attempt_at=None)
    transaction.on_commit(functools.partial(task_publish, dossier.pk))
    return SyncRow.objects.filter(dossier=dossier, state=W.WAITING).count()


def dossiers_for_resync(*, since: datetime | None = None, code: str = "") -> Iterable[Dossier]:
    """The dossiers `dvcqg_resync` sends again: one by code, or those with an event since
    `since`, or every dossier with something not acknowledged."""
    dossiers = Dossier.objects.order_by("pk")
    if code:
        return dossiers.filter(code=code)
    if since is not None:
        return dossiers.filter(events__at__gte=since).distinct()
    pending = SyncRow.objects.exclude(state=W.ACKNOWLEDGED).values("dossier_id")
    return dossiers.filter(pk__in=pending)
