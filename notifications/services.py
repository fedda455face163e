"""The outbox: queue messages inside the caller's transaction, send them after it commits.

Writers others call:
  dossier_event_notify(*, event, context)       every dossier event (dossiers.services.core)
  sms_queue(*, to, body_template, context, dossier=None, event=None) -> SmsMessage
  sms_queue_body(*, to, body, template="", dossier=None, event=None) -> SmsMessage
  sms_key_resend(*, dossier, update_key) -> SmsMessage
  email_queue(*, to, subject, body, ...) -> EmailMessage
Used by tasks: officer_digest_send, officer_digest_send_all. Sending the queued rows, the
re-queue of stale ones and the gateway's delivery reports are in notifications.sending.
"""

from __future__ import annotations

import functools
import logging
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.template import Context, Template
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from dossiers.models import Dossier, DossierEvent
from dossiers.slips import lookup_url
from notifications.defaults import DEFAULT_TEMPLATES
from notifications.models import EmailMessage, OutboxStatus, SmsMessage, SmsTemplate
from notifications.models import TemplateName as T
from notifications.phone import phone_normalise
from notifications.selectors import unit_reminder_dossiers
from notifications.sms_text import sms_size, strip_diacritics
from portal.models import Membership, Role
from procedures.calendar import work_calendar
from procedures.fees import money
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


def setting_number(name: str, default: float) -> float:
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
        "lookup_url": lookup_url(dossier.code),
        "due": _local(dossier.due_at),
        "delivery": dossier.delivery,
        "delivery_address": dossier.delivery_address,
    }


# --- Queueing -----------------------------------------------------------------------------


def task_publish(task: Any, pk: int) -> bool:
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
    transaction.on_commit(functools.partial(task_publish, task, pk))


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
    common = {
        "body": body,
        "template": template,
        "dossier": dossier,
        "event": event,
        "secret": str(context.get("key") or ""),
    }
    rows: list[SmsMessage | EmailMessage] = []
    if dossier.applicant_phone:
        rows.append(sms_queue_body(to=dossier.applicant_phone, **common))
    if dossier.applicant_email:
        rows.append(email_queue(to=dossier.applicant_email, subject=subject, **common))
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
        return T.PAYMENT, {"amount": money(context.get("amount_vnd", dossier.fee_vnd))}
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
