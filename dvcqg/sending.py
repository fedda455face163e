"""Sending what the outbox holds to DVCQG, one dossier at a time and in its order.

Rules (docs/NATIONAL.md of the repository, "Synchronisation"):
- A dossier's rows go in order: the dossier (DongBoHoSoMC) first; no progress before DVCQG
  holds the dossier; progress oldest first, at most ten items per call; a row that waits for
  its retry or is in error holds back the rows after it.
- Nothing of a dossier is claimed while a row of it is `sending`: one send at a time.
- A create answered "đã tồn tại" goes again at once as an update (the same body).
- A send whose answer never came (read time-out, broken answer, a worker lost mid-send) may
  have arrived: its rows are marked `verify`, and before they go again DVCQG is asked which
  progress items it holds (TraCuuHoSo); those it has are acknowledged, not sent twice.
"""

from __future__ import annotations

import logging
import random
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from dvcqg.client import Client, DvcqgError, enabled
from dvcqg.mapping import progress_key
from dvcqg.models import Service, SyncRow, SyncState
from dvcqg.selectors import dossier_record, progress_items

logger = logging.getLogger(__name__)
W = SyncState
BATCH = 10
MAX_ROUNDS = 50
UNCONFIRMED = (
    "Không xác định được Cổng quốc gia đã nhận hay chưa (tra cứu không trả về tiến độ); "
    "kiểm tra rồi gửi lại bằng dvcqg_resync --code … --resend-unconfirmed"
)


@dataclass(frozen=True)
class Outcome:
    status: str  # off | done | busy | retry
    retry_in: float | None = None


def retry_delay(attempt: int) -> float:
    """Exponential back-off with a cap and jitter: base·2^(attempt-1), capped, times 0.5-1."""
    base = float(settings.DVCQG_RETRY_BACKOFF)
    cap = float(settings.DVCQG_RETRY_BACKOFF_MAX)
    return min(cap, base * 2 ** max(attempt - 1, 0)) * random.uniform(0.5, 1.0)  # noqa: S311


def _claim(dossier_id: int) -> list[SyncRow] | None:
    """The next rows to send, marked `sending`; [] when nothing is due, None when busy."""
    now = timezone.now()
    with transaction.atomic():
        head = (
            SyncRow.objects.select_for_update(skip_locked=True)
            .filter(dossier_id=dossier_id, service=Service.DOSSIER)
            .first()
        )
        if head is None:
            exists = SyncRow.objects.filter(dossier_id=dossier_id, service=Service.DOSSIER)
            return None if exists.exists() else []
        if SyncRow.objects.filter(dossier_id=dossier_id, state=W.SENDING).exists():
            return None

        def due(row: SyncRow) -> bool:
            return row.state == W.WAITING and (
                row.next_attempt_at is None or row.next_attempt_at <= now
            )

        if head.state == W.WAITING:
            batch = [head] if due(head) else []
        elif not head.held:
            batch = []  # DVCQG does not hold the dossier yet: its progress waits
        else:
            batch = []
            pending = (
                SyncRow.objects.filter(dossier_id=dossier_id, service=Service.PROGRESS)
                .exclude(state=W.ACKNOWLEDGED)
                .order_by("event_seq")[:BATCH]
            )
            for row in pending:
                if not due(row):
                    break  # an error or a retry not yet due holds back what follows
                batch.append(row)
        if not batch:
            return []
        ids = [r.pk for r in batch]
        SyncRow.objects.filter(pk__in=ids).update(state=W.SENDING, sending_at=now)
        for row in batch:
            row.attempts += 1
            SyncRow.objects.filter(pk=row.pk).update(attempts=row.attempts)
        if batch[0].service == Service.DOSSIER:
            SyncRow.objects.filter(pk=head.pk).update(sent_revision=head.revision)
            head.sent_revision = head.revision
        return batch


def _failed(rows: list[SyncRow], exc: DvcqgError) -> Outcome:
    now = timezone.now()
    attempts = max(r.attempts for r in rows)
    delay = retry_delay(attempts)
    final = attempts >= settings.DVCQG_MAX_ATTEMPTS
    for row in rows:
        SyncRow.objects.filter(pk=row.pk, state=W.SENDING).update(
            state=W.ERROR if final else W.WAITING,
            next_attempt_at=None if final else now + timedelta(seconds=delay),
            last_error=exc.message[:2000],
            verify=row.verify or exc.maybe_received,
        )
    logger.info("DVCQG: %s row(s) of dossier %s: %s", len(rows), rows[0].dossier_id, exc.message)
    return Outcome("done" if final else "retry", retry_in=None if final else delay)


def _acknowledged(rows: list[SyncRow], **extra: Any) -> None:
    now = timezone.now()
    SyncRow.objects.filter(pk__in=[r.pk for r in rows], state=W.SENDING).update(
        state=W.ACKNOWLEDGED,
        acknowledged_at=now,
        last_error="",
        verify=False,
        next_attempt_at=None,
        **extra,
    )


def _send_dossier(client: Client, head: SyncRow) -> Outcome | None:
    record = dossier_record(head.dossier)
    SyncRow.objects.filter(pk=head.pk).update(body=record)
    updating = head.held
    try:
        try:
            client.dossier_send(record, updating=updating)
        except DvcqgError as exc:
            if not exc.exists:
                raise
            # DVCQG holds it already (an earlier create whose answer was lost, or a dossier
            # synchronised by another system): the same body as an update.
            client.dossier_send(record, updating=True)
    except DvcqgError as exc:
        return _failed([head], exc)
    now = timezone.now()
    # Changed meanwhile (a newer event): acknowledged for this revision, waiting for the next.
    changed = SyncRow.objects.filter(pk=head.pk, state=W.SENDING).exclude(
        revision=head.sent_revision
    )
    changed.update(state=W.WAITING, held=True, last_error="", next_attempt_at=None, verify=False)
    _acknowledged([head], held=True)
    logger.debug("DVCQG: dossier %s acknowledged at %s", head.dossier_id, now)
    return None


def _send_progress(client: Client, rows: list[SyncRow]) -> Outcome | None:
    fresh = dict(zip([r.pk for r in rows], progress_items(rows), strict=True))
    for row in rows:
        if not row.verify or not row.body:
            row.body = fresh[row.pk]
            SyncRow.objects.filter(pk=row.pk).update(body=row.body)
    to_send = rows
    if any(r.verify for r in rows):
        try:
            found = client.lookup(rows[0].dossier.code)
        except DvcqgError as exc:
            return _failed(rows, exc)
        if found.progress is None:
            checks = [r for r in rows if r.verify]
            SyncRow.objects.filter(pk__in=[r.pk for r in checks]).update(
                state=W.ERROR, last_error=UNCONFIRMED
            )
            rest = [r for r in rows if not r.verify]
            SyncRow.objects.filter(pk__in=[r.pk for r in rest]).update(state=W.WAITING)
            return Outcome("done")
        have: dict[tuple[str, ...], int] = {}
        for item in found.progress:
            have[progress_key(item)] = have.get(progress_key(item), 0) + 1
        arrived, to_send = [], []
        for row in rows:
            key = progress_key(row.body)
            if row.verify and have.get(key, 0) > 0:
                have[key] -= 1
                arrived.append(row)
            else:
                to_send.append(row)
        _acknowledged(arrived)
        if arrived:
            logger.info(
                "DVCQG: %s progress item(s) of dossier %s had arrived; not sent again",
                len(arrived),
                rows[0].dossier_id,
            )
        SyncRow.objects.filter(pk__in=[r.pk for r in to_send]).update(verify=False)
        for row in to_send:
            row.verify = False
    if not to_send:
        return None
    try:
        client.progress_send([r.body for r in to_send])
    except DvcqgError as exc:
        return _failed(to_send, exc)
    _acknowledged(to_send)
    return None


def dossier_sync(*, dossier_id: int) -> Outcome:
    """Send everything of the dossier that is due, in order, until nothing is due."""
    if not enabled():
        return Outcome("off")
    client = Client()
    for _round in range(MAX_ROUNDS):
        batch = _claim(dossier_id)
        if batch is None:
            return Outcome("busy")
        if not batch:
            return Outcome("done", retry_in=_next_due_in(dossier_id))
        try:
            if batch[0].service == Service.DOSSIER:
                outcome = _send_dossier(client, batch[0])
            else:
                outcome = _send_progress(client, batch)
        except Exception as exc:  # a bug or a time limit: the rows must not stay in sending
            logger.exception("DVCQG: unexpected error on dossier %s", dossier_id)
            outcome = _failed(
                batch, DvcqgError(f"{type(exc).__name__}: {exc}", maybe_received=True)
            )
        if outcome is not None:
            return outcome
    return Outcome("retry", retry_in=0.1)


def _next_due_in(dossier_id: int) -> float | None:
    """Seconds until the dossier's first waiting row is due (a retry set by another run)."""
    nxt = (
        SyncRow.objects.filter(
            dossier_id=dossier_id, state=W.WAITING, next_attempt_at__isnull=False
        )
        .order_by("next_attempt_at")
        .values_list("next_attempt_at", flat=True)
        .first()
    )
    if nxt is None:
        return None
    return max((nxt - timezone.now()).total_seconds(), 0.0) or None


def sync_requeue(*, batch: int = 500) -> dict[str, int]:
    """The periodic job: rows left `sending` by a lost worker go back to waiting, marked to be
    checked with DVCQG before they go again; dossiers with rows due are published again."""
    if not enabled():
        return {"stuck": 0, "published": 0}
    from dvcqg.services import task_publish

    now = timezone.now()
    stuck = SyncRow.objects.filter(
        state=W.SENDING, sending_at__lt=now - timedelta(seconds=settings.DVCQG_STUCK_AFTER)
    ).update(
        state=W.WAITING,
        verify=True,
        next_attempt_at=None,
        last_error="Tiến trình gửi bị gián đoạn; sẽ tra cứu Cổng quốc gia trước khi gửi lại",
    )
    due = (
        SyncRow.objects.filter(state=W.WAITING)
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .values_list("dossier_id", flat=True)
        .order_by("dossier_id")
        .distinct()[:batch]
    )
    published = sum(task_publish(pk) for pk in due)
    return {"stuck": stuck, "published": published}


def errors_retry() -> int:
    """The nightly job: rows in error are tried again (attempts start over; a row whose
    arrival is unconfirmed is checked with DVCQG again first)."""
    if not enabled():
        return 0
    from dvcqg.services import task_publish

    rows = SyncRow.objects.filter(state=W.ERROR)
    dossier_ids = list(rows.values_list("dossier_id", flat=True).distinct())
    rows.update(state=W.WAITING, attempts=0, next_attempt_at=None)
    for pk in dossier_ids:
        task_publish(pk)
    return len(dossier_ids)
