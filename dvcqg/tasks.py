"""Thin Celery tasks of the DVCQG synchronisation (the default "celery" queue)."""

from __future__ import annotations

from celery import shared_task

from dvcqg import sending

# One round is a few HTTP calls of at most DVCQG_TIMEOUT seconds each; a row still `sending`
# DVCQG_STUCK_AFTER seconds after its send began was left by a lost worker.
SYNC_TIME_LIMIT = 100
SYNC_SOFT_TIME_LIMIT = 80
BUSY_RETRIES = 5


@shared_task(
    name="dvcqg.tasks.dossier_sync",
    bind=True,
    max_retries=None,
    time_limit=SYNC_TIME_LIMIT,
    soft_time_limit=SYNC_SOFT_TIME_LIMIT,
)
def dossier_sync(self, dossier_id: int) -> str:
    """Send what the dossier has due; come back after the back-off the service chose."""
    outcome = sending.dossier_sync(dossier_id=dossier_id)
    if outcome.status == "busy" and self.request.retries < BUSY_RETRIES:
        raise self.retry(countdown=1.0)
    if outcome.retry_in is not None:
        raise self.retry(countdown=outcome.retry_in)
    return outcome.status


@shared_task(name="dvcqg.tasks.sync_requeue")
def sync_requeue() -> dict[str, int]:
    """Beat, every minute: recover rows of lost workers, publish what is due."""
    return sending.sync_requeue()


@shared_task(name="dvcqg.tasks.errors_retry")
def errors_retry() -> int:
    """Beat, every night: try again what DVCQG refused or did not answer."""
    return sending.errors_retry()
