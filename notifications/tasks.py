"""Thin Celery tasks: they take ids, call a service and nothing else.

Callers import the send task as `from notifications.tasks import sms_send as sms_send_task`.
Routing (portal/settings.py CELERY_TASK_ROUTES): sms_* and email_* go to the "sms" queue,
the digest to the default "celery" queue.
"""

from __future__ import annotations

from typing import Any

from celery import shared_task

from notifications import sending, services

# A send is one HTTP call (15 s timeout) or one SMTP session: far below these limits. A row
# still in "sending" after SEND_TIME_LIMIT + 30 s is re-queued (sending._requeue).
SEND_TIME_LIMIT = 90
SEND_SOFT_TIME_LIMIT = 60
# The service counts attempts in the row and decides when to stop (max_retries=None).
SEND_TASK_OPTIONS = {
    "bind": True,
    "max_retries": None,
    "time_limit": SEND_TIME_LIMIT,
    "soft_time_limit": SEND_SOFT_TIME_LIMIT,
}


def _status_or_retry(task: Any, outcome: sending.SendOutcome) -> str:
    """A transient error comes back after the backoff the service chose."""
    if outcome.retry_in is not None:
        raise task.retry(countdown=outcome.retry_in)
    return outcome.status


@shared_task(name="notifications.tasks.sms_send", **SEND_TASK_OPTIONS)
def sms_send(self, sms_id: int) -> str:
    """Send one SMS row."""
    return _status_or_retry(self, sending.sms_send(sms_id=sms_id))


@shared_task(name="notifications.tasks.email_send", **SEND_TASK_OPTIONS)
def email_send(self, email_id: int) -> str:
    """Send one e-mail row."""
    return _status_or_retry(self, sending.email_send(email_id=email_id))


@shared_task(name="notifications.tasks.sms_requeue_stale")
def sms_requeue_stale() -> dict[str, int]:
    """Beat, every minute: publish again the SMS and e-mails whose task was lost."""
    return sending.outbox_requeue_stale()


@shared_task(name="notifications.tasks.officer_digest_send_all")
def officer_digest_send_all() -> int:
    """Beat, every working morning: queue each unit's reminder e-mail to its officers."""
    return services.officer_digest_send_all()
