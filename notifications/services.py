"""The outbox: queue messages inside the caller's transaction, send them after it commits.

Writers others call:
  dossier_event_notify(*, event, context)       every dossier event (dossiers.services.core)
  sms_queue(*, to, body_template, context, dossier=None, event=None) -> SmsMessage
  sms_queue_body(*, to, body, template="", dossier=None, event=None) -> SmsMessage
  sms_key_resend(*, dossier, update_key) -> SmsMessage
  email_queue(*, to, subject, body, ...) -> EmailMessage
Used by tasks and views: sms_send, email_send, outbox_requeue_stale, sms_status_apply,
officer_digest_send, officer_digest_send_all.
"""

from __future__ import annotations

import functools
import logging
import random
import smtplib
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage as DjangoEmail
from django.db import IntegrityError, transaction
from django.db.models import Case, F, Q, Value, When
from django.template import Context, Template
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from dossiers.models import Dossier, DossierEvent
from notifications.backends import SmsError, sms_backend_get
from notifications.defaults import DEFAULT_TEMPLATES
from notifications.models import EmailMessage, OutboxStatus, SmsMessage, SmsTemplate
from notifications.models import TemplateName as T
from notifications.phone import phone_normalise
from notifications.selectors import unit_reminder_dossiers
from notifications.sms_text import sms_size, strip_diacritics
from portal.models import Membership, Role
from procedures.calendar import work_calendar
from procedures.models import Channel, Unit

logger = logging.getLogger(__name__)
S = OutboxStatus
DS = Dossier.Status

# Publishing happens in the request (on commit): give up quickly when Redis is down; the row
# is saved and outbox_requeue_stale publishes it later.
PUBLISH_RETRY_POLICY = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.2,
}


def _conf(name: str, default: float) -> float:
    return float(getattr(settings, name, default))


# --- Rendering ----------------------------------------------------------------------------


def message_render(*, name: str, context: dict[str, Any]) -> tuple[str, str]:
    """(body, e-mail subject) of template `name`: the admin's text, else the default."""
    row = SmsTemplate.objects.filter(name=name).values_list("body", "email_subject").first()
    if row is None:
        if name not in DEFAULT_TEMPLATES:
            raise ValueError(f"unknown message template {name!r}")
        row = DEFAULT_TEMPLATES[name]
    body, subject = row
    ctx = Context(context, autoescape=False)  # plain text: no HTML escaping of "&" or "'"
    return (
        " ".join(Template(body).render(ctx).split()),
        " ".join(Template(subject).render(ctx).split()),
    )


def _local(value: datetime | None) -> str:
    return timezone.localtime(value).strftime("%H:%M %d/%m/%Y") if value else ""


def _money(amount: int) -> str:
    return f"{int(amount):,}".replace(",", ".")


def dossier_message_context(*, dossier: Dossier) -> dict[str, Any]:
    """The variables every dossier message can use (listed in notifications/defaults.py)."""
    unit = dossier.unit
    return {
        "code": dossier.code,
        "unit": unit.short_name or unit.name,
        "unit_address": unit.address,
        "unit_phone": unit.phone,
        "procedure": dossier.procedure.name,
        "applicant": dossier.applicant_name,
        "site_url": settings.SITE_URL,
        "due": _local(dossier.due_at),
        "delivery": dossier.delivery,
        "delivery_address": dossier.delivery_address,
    }


# --- Queueing -----------------------------------------------------------------------------


def _publish(task: Any, pk: int) -> bool:
    """Hand one row's id to Celery. Never raises: a row that is not published waits."""
    try:
        task.apply_async(args=[pk], retry_policy=PUBLISH_RETRY_POLICY)
    except Exception:  # kombu's errors vary with the transport; the row is safe either way
        logger.warning(
            "could not publish %s(%s); the re-queue job will send it", task.name, pk, exc_info=True
        )
        return False
    return True


def _publish_on_commit(task: Any, pk: int) -> None:
    transaction.on_commit(functools.partial(_publish, task, pk))


def sms_queue_body(
    *,
    to: str,
    body: str,
    template: str = "",
    dossier: Dossier | None = None,
    event: DossierEvent | None = None,
    secret: str = "",
) -> SmsMessage:
    """Write one SMS row and publish it after the commit.

    A number that cannot be normalised (or an empty text) gives a failed row at once, visible
    in the outbox, instead of an error: a bad phone number must not undo the dossier's event.
    `secret` (the update key in the body) is masked in the row once a gateway has the message.
    """
    now = timezone.now()
    if settings.SMS_STRIP_DIACRITICS:
        body = strip_diacritics(body)
    size = sms_size(body)
    sms = SmsMessage(
        body=body,
        template=template,
        dossier=dossier,
        event=event,
        queued_at=now,
        segments=size.segments,
        encoding=size.encoding,
        secret=secret if secret and secret in body else "",
    )
    try:
        sms.to = phone_normalise(to)
        # The status CheckConstraint is a database backstop: checking it here costs a query.
        sms.full_clean(exclude=["dossier", "event"], validate_constraints=False)
    except ValidationError as exc:
        sms.to, sms.status, sms.failed_at = (to or "")[:32], S.FAILED, now
        sms.last_error = " ".join(exc.messages)
        logger.warning(
            "SMS not sendable (dossier %s): %s", dossier.pk if dossier else None, sms.last_error
        )
    sms.save()
    if sms.status == S.QUEUED:
        from notifications.tasks import sms_send as sms_send_task

        _publish_on_commit(sms_send_task, sms.pk)
    return sms


def sms_queue(
    *,
    to: str,
    body_template: str,
    context: dict[str, Any],
    dossier: Dossier | None = None,
    event: DossierEvent | None = None,
    secret: str = "",
) -> SmsMessage:
    """Render SmsTemplate `body_template` (a TemplateName) with `context` and queue it to `to`."""
    body, _subject = message_render(name=body_template, context=context)
    return sms_queue_body(
        to=to, body=body, template=body_template, dossier=dossier, event=event, secret=secret
    )


def email_queue(
    *,
    to: str,
    subject: str,
    body: str,
    template: str = "",
    dossier: Dossier | None = None,
    event: DossierEvent | None = None,
    dedupe_key: str | None = None,
    secret: str = "",
) -> EmailMessage:
    """Write one e-mail row and publish it after the commit; a repeated dedupe_key is a no-op
    that returns the existing row."""
    if dedupe_key:
        existing = EmailMessage.objects.filter(dedupe_key=dedupe_key).first()
        if existing is not None:
            return existing
    now = timezone.now()
    email = EmailMessage(
        to=to,
        subject=subject[:250],
        body=body,
        template=template,
        dossier=dossier,
        event=event,
        queued_at=now,
        dedupe_key=dedupe_key,
        secret=secret if secret and secret in body else "",
    )
    try:
        email.full_clean(exclude=["dossier", "event", "dedupe_key"], validate_constraints=False)
    except ValidationError as exc:  # e.g. a bad address: kept, failed, never raised
        email.to, email.status, email.failed_at = to[:254], S.FAILED, now
        email.last_error = " ".join(exc.messages)
    try:
        with transaction.atomic():
            email.save()
    except IntegrityError:
        if dedupe_key:  # a concurrent run wrote it first
            return EmailMessage.objects.get(dedupe_key=dedupe_key)
        raise
    if email.status == S.QUEUED:
        from notifications.tasks import email_send as email_send_task

        _publish_on_commit(email_send_task, email.pk)
    return email


def _notify_applicant(
    *, dossier: Dossier, event: DossierEvent | None, template: str, context: dict[str, Any]
) -> list[SmsMessage | EmailMessage]:
    body, subject = message_render(name=template, context=context)
    rows: list[SmsMessage | EmailMessage] = []
    if dossier.applicant_phone:
        rows.append(
            sms_queue_body(
                to=dossier.applicant_phone,
                body=body,
                template=template,
                dossier=dossier,
                event=event,
                secret=str(context.get("key") or ""),
            )
        )
    if dossier.applicant_email:
        rows.append(
            email_queue(
                to=dossier.applicant_email,
                subject=subject,
                body=body,
                template=template,
                dossier=dossier,
                event=event,
                secret=str(context.get("key") or ""),
            )
        )
    return rows


def sms_key_resend(*, dossier: Dossier, update_key: str) -> SmsMessage:
    """Send a new update key (the caller generated and stored it) to the registered phone."""
    context = {**dossier_message_context(dossier=dossier), "key": update_key}
    return sms_queue(
        to=dossier.applicant_phone,
        body_template=T.KEY_RESEND,
        context=context,
        dossier=dossier,
        secret=update_key,
    )


# --- Dossier events -----------------------------------------------------------------------


def _as_datetime(value: Any) -> datetime | None:
    if isinstance(value, datetime) or value is None:
        return value
    return parse_datetime(str(value))


def _event_message(
    *, event: DossierEvent, context: dict[str, Any]
) -> tuple[str | None, dict[str, Any]]:
    """Which template a dossier event calls for, and its own variables (None: no message)."""
    dossier = event.dossier
    reason = context.get("reason") or event.note
    if event.kind == "created":
        key = context.get("update_key", "")
        if dossier.channel == Channel.ONLINE:
            return T.SUBMITTED, {"key": key}
        # dossier_create receives counter and postal dossiers in the same transaction, right
        # after this event: one SMS carries code, key and due time (not two), and the
        # reception event below finds it and stays silent.
        from dossiers.services.core import dossier_compute_due

        due = dossier_compute_due(dossier=dossier, received_at=event.at)
        return T.SUBMITTED_RECEIVED, {"key": key, "due": _local(due)}
    if event.kind == "apology":
        new_due = _as_datetime(context.get("new_due_at"))
        return T.APOLOGY, {"reason": reason, "new_due": _local(new_due)}
    if event.kind != "transition":
        return None, {}
    to = event.to_status
    if to == DS.RECEIVED:
        if any(
            model.objects.filter(dossier=dossier, template=T.SUBMITTED_RECEIVED).exists()
            for model in (SmsMessage, EmailMessage)
        ):
            return None, {}
        return T.RECEIVED, {}
    if to == DS.SUPPLEMENT_REQUESTED:
        items = context.get("items") or []
        text = "; ".join(str(i) for i in items) if isinstance(items, list | tuple) else items
        return T.SUPPLEMENT, {"items": text, "reason": context.get("reason", "")}
    if to == DS.AWAITING_PAYMENT:
        return T.PAYMENT, {"amount": _money(context.get("amount_vnd", dossier.fee_vnd))}
    if to == DS.RESOLVED:
        return T.RESOLVED, {"outcome": dossier.outcome}
    if to == DS.RETURNED:
        method = context.get("method") or getattr(dossier, "return_method", "") or ""
        return T.RETURNED, {"tracking_number": context.get("tracking_number", ""), "method": method}
    if to == DS.REFUSED:
        return T.REFUSED, {"reason": reason}
    if to == DS.STOPPED:
        return T.STOPPED, {"reason": reason}
    return None, {}


def dossier_event_notify(
    *, event: DossierEvent, context: dict[str, Any]
) -> list[SmsMessage | EmailMessage]:
    """Queue what a dossier event tells the applicant: an SMS, and an e-mail if they gave one.

    Runs inside the dossier's transaction (the rows commit or roll back with the event);
    the sends are published after the commit. Events that tell the applicant nothing
    (processing, transfers, a withdrawal they asked for themselves) queue nothing.
    """
    template, variables = _event_message(event=event, context=context)
    if template is None:
        return []
    dossier = event.dossier
    ctx = {**dossier_message_context(dossier=dossier), **variables}
    return _notify_applicant(dossier=dossier, event=event, template=template, context=ctx)


# --- Sending ------------------------------------------------------------------------------


@dataclass(frozen=True)
class SendOutcome:
    status: str  # the row's status afterwards, or "skipped" when it was not ours to send
    retry_in: float | None = None  # seconds: a transient error, to retry then


def retry_delay(attempt: int) -> float:
    """Exponential backoff with a cap and jitter: base·2^(attempt-1), capped, times 0.5-1."""
    base = _conf("SMS_RETRY_BACKOFF", 60.0)
    cap = _conf("SMS_RETRY_BACKOFF_MAX", 1800.0)
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
    # trying to record it, or the row would be re-queued and the SMS sent twice (issue 9).
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
    stuck_rows = model.objects.filter(status=S.SENDING, sending_at__lt=now - stuck)
    stuck_rows.filter(attempts__gte=settings.SMS_MAX_ATTEMPTS).update(
        status=S.FAILED, failed_at=now, last_error="worker lost during the last attempt"
    )
    stuck_ids = list(stuck_rows.values_list("pk", flat=True)[:batch])
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
    published = [pk for pk in due if _publish(task, pk)]
    # Re-arm: a row whose task is lost again is picked up `wait` later, not every run.
    model.objects.filter(pk__in=published, status=S.QUEUED).update(queued_at=now, retry_at=None)
    return len(published)


def outbox_requeue_stale(
    *, now: datetime | None = None, wait: timedelta | None = None, batch: int = 1000
) -> dict[str, int]:
    """Publish again the rows whose task was lost (the broker was down, a worker died).

    Picks rows queued more than `wait` ago (SMS_REQUEUE_AFTER seconds, default 120; a
    retry counts from its retry time) and rows stuck in sending past the task's time limit.
    A row published twice is still sent once: the send claims it.
    """
    from notifications.tasks import SEND_TIME_LIMIT, email_send, sms_send

    now = now or timezone.now()
    wait = wait if wait is not None else timedelta(seconds=_conf("SMS_REQUEUE_AFTER", 120))
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


# --- Officer reminders --------------------------------------------------------------------


def officer_digest_send(*, unit_id: int, at: datetime | None = None) -> list[EmailMessage]:
    """Queue today's reminder e-mail for each officer of one unit (once per officer and day).

    Goes to desk officers, specialists and heads with an e-mail address; nothing is sent
    when the unit has nothing due soon, late or waiting for acknowledgement.
    """
    at = at or timezone.now()
    unit = Unit.objects.get(pk=unit_id)
    lists = unit_reminder_dossiers(unit_id=unit.pk, at=at)
    if not lists.total:
        return []
    officers = (
        Membership.objects.filter(
            unit=unit, user__is_active=True, role__in=[Role.DESK, Role.SPECIALIST, Role.HEAD]
        )
        .exclude(user__email="")
        .select_related("user")
        .order_by("user_id")
    )
    day = timezone.localdate(at)
    subject = f"[MotCua] Nhắc việc {day:%d/%m/%Y} – {unit.short_name or unit.name}"
    body = render_to_string(
        "notifications/officer_digest.txt",
        {
            "unit": unit,
            "day": day,
            "lists": lists,
            "site_url": settings.SITE_URL,
        },
    )
    sent: dict[str, EmailMessage] = {}
    for membership in officers:
        email = membership.user.email
        if email in sent:
            continue
        sent[email] = email_queue(
            to=email,
            subject=subject,
            body=body,
            template="officer_digest",
            dedupe_key=f"digest:{unit.pk}:{membership.user_id}:{day}",
        )
    return list(sent.values())


def officer_digest_send_all(*, at: datetime | None = None) -> int:
    """Queue the digests of every unit with officers, on working days only."""
    at = at or timezone.now()
    if not work_calendar().is_working_day(timezone.localdate(at)):
        return 0
    unit_ids = Membership.objects.values_list("unit_id", flat=True).distinct().order_by()
    return sum(len(officer_digest_send(unit_id=uid, at=at)) for uid in sorted(set(unit_ids)))
