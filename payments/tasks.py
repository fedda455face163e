"""Thin Celery tasks of online payments (payments.online)."""

from __future__ import annotations

from celery import shared_task

from payments import online


@shared_task(name="payments.tasks.payment_attempts_poll")
def payment_attempts_poll() -> dict[str, int]:
    """Beat, every 10 minutes: ask the national platform about orders it never confirmed."""
    return online.payment_attempts_poll()


@shared_task(
    name="payments.tasks.payment_bill_fetch", bind=True, max_retries=6, default_retry_delay=300
)
def payment_bill_fetch(self, txn_ref: str) -> bool:
    """GET_BILL once a national payment is settled; tried again while the platform has none."""
    if online.payment_bill_fetch(txn_ref=txn_ref):
        return True
    raise self.retry()
