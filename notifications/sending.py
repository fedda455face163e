"""Sending what the outbox queued (notifications.services), re-queueing what is stuck, and the
gateway's delivery reports.

Used by tasks and views: sms_send, email_send, outbox_requeue_stale, sms_status_apply.
"""

from __future__ import annotations

import logging
import random
import smtplib
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage as DjangoEmail
from django.db.models import Case, F, Q, Value, When
from django.utils import timezone

from notifications.backends import SmsError, sms_backend_get
from notifications.models import EmailMessage, OutboxStatus, SmsMessage
from notifications.services import setting_number, task_publish

logger = logging.getLogger(__name__)
S = OutboxStatus


# --- Sending ------------------------------------------------------------------------------


@dataclass(frozen=True)
class SendOutcome:
    status: str  # the row's status afterwards, or "skipped" when it was not ours to send
    retry_in: float | None = None  # seconds: a transient error, to retry then


def retry_delay(attempt: int) -> float:
    """Exponential backoff with a cap and jitter: base·2^(attempt-1), capped, times 0.5-1."""
    base = setting_number("SMS_RETRY_BACKOFF", 60.0)
    cap = setting_number("SMS_RETRY_BACKOFF_MAX", 1800.0)
    return min(cap, base * 2 ** max(attempt - 1, 0)) * random.uniform(0.5, 1.0)  # noqa: S311


def _claim(model: type[SmsMessage] | type[EmailMessage], pk: int) -> bool:
    # One UPDATE: of two workers holding the same id, exactly one changes the row.
    return bool(
        model.objects.filter(pk=pk, status=S.QUEUED).update(
            status=S.SENDING, sending_at=timezone.now(), attempts=F("attempts") + 1, retry_at=None
        )
    )


def _record_failure(
    model: type[SmsMessage] | type[EmailMessage],
    row: SmsMessage | EmailMessage,
    error: str,
    *,
    permanent: bool,
) -> SendOutcome:
    now = timezone.now()
    rows = model.objects.filter(pk=row.pk, status=S.SENDING)
    if permanent or row.attempts >= settings.SMS_MAX_ATTEMPTS:
        rows.update(status=S.FAILED, failed_at=now, last_error=error[:2000])
        logger.warning(
            "%s #%s failed after %s attempt(s): %s", model.__name__, row.pk, row.attempts, error
        )
        return SendOutcome(S.FAILED)
    delay = retry_delay(row.attempts)
    rows.update(
        status=S.QUEUED,
        queued_at=now,
        retry_at=now + timedelta(seconds=delay),
        last_error=error[:2000],
    )
    logger.info("%s #%s: %s; retry in %.1f s", model.__name__, row.pk, error, delay)
    return SendOutcome(S.QUEUED, retry_in=delay)


def sms_send(*, sms_id: int) -> SendOutcome:
    """Send one queued SMS.

    Steps: claim the row (queued → sending, one more attempt) or return if another worker
    has it or it is gone; call the gateway outside any transaction; then record sent, or a
    transient error (back to queued with a retry time, failed after SMS_MAX_ATTEMPTS), or a
    permanent one (failed at once).
    """
    if not _claim(SmsMessage, sms_id):
        return SendOutcome("skipped")
    sms = SmsMessage.objects.get(pk=sms_id)
    try:
        backend = sms_backend_get()
        provider_id = backend.send(to=sms.to, body=sms.body, reference=sms.pk)
    except SmsError as exc:
        return _record_failure(SmsMessage, sms, exc.message, permanent=exc.permanent)
    except Exception as exc:  # a bug or a time limit: the row must not stay in sending
        logger.exception("SMS #%s: unexpected error", sms.pk)
        return _record_failure(SmsMessage, sms, f"{type(exc).__name__}: {exc}", permanent=False)
    # A delivery report may have come in already: never move a row back from delivered.
    # The gateway has the message now: if the database is briefly away (a restart), keep
    # trying to record it, or the row would be re-queued and the SMS sent twice.
    masked = _secret_masked(sms) if backend.delivers_elsewhere else {}
    _retry_while_database_away(
        lambda: SmsMessage.objects.filter(pk=sms.pk).update(
            status=Case(When(status=S.SENDING, then=Value(S.SENT)), default=F("status")),
            provider_message_id=provider_id,
            sent_at=timezone.now(),
            **masked,
        )
    )
    return SendOutcome(S.SENT)


def _secret_masked(row: SmsMessage | EmailMessage) -> dict[str, str]:
    """The row's fields with its secret masked in the body, once the message has left: only
    the citizen's phone or mailbox keeps a working update key."""
    if not row.secret:
        return {}
    return {"body": row.body.replace(row.secret, "*" * len(row.secret)), "secret": ""}


def _retry_while_database_away(write: Any, *, seconds: float = 60.0) -> Any:
    """Run `write`, retrying on connection errors (the database restarting) for `seconds`."""
    import time

    from django.db import InterfaceError, OperationalError, connection

    deadline = time.monotonic() + seconds
    delay = 0.2
    while True:
        try:
            return write()
        except (OperationalError, InterfaceError):
            if time.monotonic() > deadline:
                raise
            logger.warning("database away while recording a send; retrying", exc_info=True)
            connection.close()  # the next try opens a new connection
            time.sleep(delay)
            delay = min(delay * 2, 5.0)


def _email_permanent(exc: Exception) -> bool:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return True
    return isinstance(exc, smtplib.SMTPResponseException) and exc.smtp_code >= 500


def email_send(*, email_id: int) -> SendOutcome:
    """Send one queued e-mail; the same claim, retry and failure rules as sms_send."""
    if not _claim(EmailMessage, email_id):
        return SendOutcome("skipped")
    email = EmailMessage.objects.get(pk=email_id)
    try:
        DjangoEmail(email.subject, email.body, settings.DEFAULT_FROM_EMAIL, [email.to]).send()
    except Exception as exc:  # SMTP and socket errors, or a misconfigured backend
        return _record_failure(
            EmailMessage, email, f"{type(exc).__name__}: {exc}", permanent=_email_permanent(exc)
        )
    masked = _secret_masked(email) if _email_delivers_elsewhere() else {}
    EmailMessage.objects.filter(pk=email.pk, status=S.SENDING).update(
        status=S.SENT, sent_at=timezone.now(), **masked
    )
    return SendOutcome(S.SENT)


# Django's e-mail backends whose only delivery is the copy a developer reads.
_LOCAL_EMAIL_BACKENDS = {"console", "locmem", "filebased", "dummy"}


def _email_delivers_elsewhere() -> bool:
    return settings.EMAIL_BACKEND.rsplit(".", 2)[-2] not in _LOCAL_EMAIL_BACKENDS


def _requeue(
    model: type[SmsMessage] | type[EmailMessage],
    task: Any,
    *,
    now: datetime,
    wait: timedelta,
    stuck: timedelta,
    batch: int,
) -> int:
    # Rows left in sending by a worker that died mid-send: their time limit is long past.
    stuck_rows = model.objects.filter(status=S.SENDING, sending_at__lt=now - stuck).order_by("pk")
    if model is SmsMessage:
        stuck_ids = _sms_not_at_the_gateway(list(stuck_rows[:batch]), now=now)
    else:
        stuck_ids = list(stuck_rows.values_list("pk", flat=True)[:batch])
    model.objects.filter(
        pk__in=stuck_ids, status=S.SENDING, attempts__gte=settings.SMS_MAX_ATTEMPTS
    ).update(status=S.FAILED, failed_at=now, last_error="worker lost during the last attempt")
    model.objects.filter(pk__in=stuck_ids, status=S.SENDING).update(status=S.QUEUED)
    cut = now - wait
    due = (
        model.objects.filter(status=S.QUEUED)
        .filter(
            Q(retry_at__isnull=True, queued_at__lt=cut) | Q(retry_at__lt=cut) | Q(pk__in=stuck_ids)
        )
        .order_by("pk")
        .values_list("pk", flat=True)[:batch]
    )
    published = [pk for pk in due if task_publish(task, pk)]
    # Re-arm: a row whose task is lost again is picked up `wait` later, not every run.
    model.objects.filter(pk__in=published, status=S.QUEUED).update(queued_at=now, retry_at=None)
    return len(published)


def _sms_not_at_the_gateway(rows: list[SmsMessage], *, now: datetime) -> list[int]:
    """Of SMS a dead worker left in `sending`, record as sent those the gateway already has
    (asked by recipient and text, since the send began) and return the ids it does not have,
    to send again. While the gateway cannot be asked the rows stay in `sending` for the next
    run: sending blind could deliver a message twice."""
    if not rows:
        return []
    backend = sms_backend_get()
    missing = []
    for sms in rows:
        try:
            provider_id = backend.sent_already(to=sms.to, body=sms.body, since=sms.sending_at)
        except SmsError as exc:
            logger.warning("SMS #%s: cannot ask the gateway whether it has it: %s", sms.pk, exc)
            continue
        if provider_id is None:
            missing.append(sms.pk)
            continue
        masked = _secret_masked(sms) if backend.delivers_elsewhere else {}
        SmsMessage.objects.filter(pk=sms.pk, status=S.SENDING).update(
            status=S.SENT, provider_message_id=provider_id, sent_at=now, **masked
        )
        logger.info("SMS #%s: the gateway has it (%s); not sent again", sms.pk, provider_id)
    return missing


def outbox_requeue_stale(
    *, now: datetime | None = None, wait: timedelta | None = None, batch: int = 1000
) -> dict[str, int]:
    """Publish again the rows whose task was lost (the broker was down, a worker died).

    Picks rows queued more than `wait` ago (SMS_REQUEUE_AFTER seconds, default 120; a
    retry counts from its retry time) and rows stuck in sending past the task's time limit;
    an SMS stuck in sending goes again only if the gateway says it does not have it. A row
    published twice is still sent once: the send claims it.
    """
    from notifications.tasks import SEND_TIME_LIMIT, email_send, sms_send

    now = now or timezone.now()
    wait = wait if wait is not None else timedelta(seconds=setting_number("SMS_REQUEUE_AFTER", 120))
    stuck = timedelta(seconds=SEND_TIME_LIMIT + 30)
    return {
        "sms": _requeue(SmsMessage, sms_send, now=now, wait=wait, stuck=stuck, batch=batch),
        "email": _requeue(EmailMessage, email_send, now=now, wait=wait, stuck=stuck, batch=batch),
    }


# --- Delivery reports ---------------------------------------------------------------------

# The provider's status → (our status, the states it may follow). Final states stay final.
# Any report proves the gateway has the message: a row left `sending` by a worker that died
# before recording the answer becomes `sent` and the re-queue job leaves it alone.
_REPORT: dict[str, tuple[str, tuple[str, ...]]] = {
    "accepted": (S.SENT, (S.SENDING,)),
    "queued": (S.SENT, (S.SENDING,)),
    "sending": (S.SENT, (S.SENDING,)),
    "sent": (S.SENT, (S.SENDING,)),
    "delivered": (S.DELIVERED, (S.SENDING, S.SENT)),
    "read": (S.DELIVERED, (S.SENDING, S.SENT)),
    "undelivered": (S.FAILED, (S.SENDING, S.SENT)),
    "failed": (S.FAILED, (S.SENDING, S.SENT)),
}


def sms_status_apply(
    *,
    provider_message_id: str,
    provider_status: str,
    sms_id: int | None = None,
    error_code: str = "",
) -> SmsMessage | None:
    """Apply a delivery report; returns the row, or None for a message we do not know.

    The row is found by our id (in the callback URL) or the provider's id; the two must agree.
    Out-of-order reports never move a row backwards.
    """
    rows = SmsMessage.objects.all()
    if sms_id is not None:
        rows = rows.filter(pk=sms_id).filter(
            Q(provider_message_id="") | Q(provider_message_id=provider_message_id)
        )
    else:
        rows = rows.filter(provider_message_id=provider_message_id)
    sms = rows.first()
    if sms is None or not provider_message_id:
        return None
    now = timezone.now()
    status = provider_status.strip().lower()
    # A report comes from the gateway: it has the message, so the outbox's copy of the key
    # can go (also for a row whose worker died before recording the send).
    changes: dict[str, Any] = {
        "provider_status": status[:20],
        "provider_message_id": provider_message_id,
        **_secret_masked(sms),
    }
    target = _REPORT.get(status)
    moved = 0
    if target is not None:
        new, allowed_from = target
        extra: dict[str, Any] = {"status": new}
        if new == S.DELIVERED:
            extra["delivered_at"] = now
        elif new == S.FAILED:
            extra.update(failed_at=now, last_error=f"{status} (error {error_code or '-'})")
        moved = SmsMessage.objects.filter(pk=sms.pk, status__in=allowed_from).update(
            **changes, **extra
        )
    if not moved:
        SmsMessage.objects.filter(pk=sms.pk).exclude(status__in=[S.DELIVERED, S.FAILED]).update(
            **changes
        )
    sms.refresh_from_db()
    return sms
