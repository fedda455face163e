"""Sending from the outbox: the Twilio backend against the fake server, claims, retries,
the re-queue job, and a broker that is down. Celery runs eagerly here (no worker)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db.models import F
from django.utils import timezone

from notifications import sending
from notifications.backends import ConsoleBackend, SmsError, TwilioBackend, sms_backend_get
from notifications.models import EmailMessage, SmsMessage
from notifications.sending import outbox_requeue_stale, retry_delay, sms_send
from notifications.services import email_queue, sms_key_resend, sms_queue_body
from tests.notifications.conftest import PHONE, PHONE_E164, celery_publisher

Q = SmsMessage.Status
pytestmark = pytest.mark.django_db


def queue_one(**kwargs) -> SmsMessage:
    return sms_queue_body(to=kwargs.pop("to", PHONE), body=kwargs.pop("body", "Xin chào"), **kwargs)


def test_twilio_backend_posts_to_the_configured_base_url(twilio):
    message_id = sms_backend_get().send(to=PHONE_E164, body="Hồ sơ đã nhận", reference=41)
    [request] = twilio.messages()
    assert request.account_sid == "AC" + "1" * 32
    assert request.form["To"] == PHONE_E164
    assert request.form["Body"] == "Hồ sơ đã nhận"
    assert request.form["From"] == "MOTCUA"
    assert request.form["StatusCallback"] == "http://testserver/api/v1/sms/status/?m=41"
    assert message_id == request.sid


@pytest.mark.parametrize(
    ("status", "permanent"),
    [(400, True), (401, True), (404, True), (429, False), (500, False), (503, False)],
)
def test_twilio_errors_are_classified(twilio, status, permanent):
    twilio.script(status)
    with pytest.raises(SmsError) as info:
        sms_backend_get().send(to=PHONE_E164, body="x", reference=1)
    assert info.value.permanent is permanent
    assert f"HTTP {status}" in info.value.message


def test_an_unreachable_gateway_is_a_transient_error():
    backend = TwilioBackend(
        account_sid="AC1", auth_token="t", from_="MOTCUA", base_url="http://127.0.0.1:9"
    )  # discard port: nobody listens
    with pytest.raises(SmsError) as info:
        backend.send(to=PHONE_E164, body="x", reference=1)
    assert info.value.permanent is False


def test_the_console_backend_prints(capsys):
    assert ConsoleBackend().send(to=PHONE_E164, body="Xin chào", reference=7) == "console-7"
    assert "[SMS #7 → +84912345678] Xin chào" in capsys.readouterr().out


def test_a_message_is_sent_once_through_twilio(twilio, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        sms = queue_one()
    sms.refresh_from_db()
    [request] = twilio.messages()
    assert (sms.status, sms.attempts, sms.provider_message_id) == (Q.SENT, 1, request.sid)
    assert sms.sent_at is not None
    assert sms.sending_at is not None


def test_a_row_is_claimed_once_even_when_published_twice(twilio):
    sms = queue_one()  # not committed in this test: nothing published yet
    assert sms_send(sms_id=sms.pk).status == Q.SENT
    assert sms_send(sms_id=sms.pk).status == "skipped"
    assert len(twilio.messages()) == 1


def test_a_row_another_worker_is_sending_is_left_alone(twilio):
    sms = queue_one()
    SmsMessage.objects.filter(pk=sms.pk).update(status=Q.SENDING)
    assert sms_send(sms_id=sms.pk).status == "skipped"
    assert sms_send(sms_id=10**9).status == "skipped"  # gone: nothing to do
    assert twilio.messages() == []


def test_transient_errors_are_retried_then_sent_once(
    twilio, settings, django_capture_on_commit_callbacks
):
    twilio.script(500, 500)
    with django_capture_on_commit_callbacks(execute=True):
        sms = queue_one()
    sms.refresh_from_db()
    assert [r.status for r in twilio.messages()] == [500, 500, 201]
    assert (sms.status, sms.attempts) == (Q.SENT, 3)
    assert "HTTP 500" in sms.last_error  # the history of the last failure stays


def test_a_permanent_error_fails_at_once(twilio, django_capture_on_commit_callbacks):
    twilio.script(400)
    with django_capture_on_commit_callbacks(execute=True):
        sms = queue_one()
    sms.refresh_from_db()
    assert len(twilio.messages()) == 1
    assert (sms.status, sms.attempts) == (Q.FAILED, 1)
    assert "21211" in sms.last_error
    assert sms.failed_at is not None


def test_transient_errors_fail_after_the_last_attempt(
    twilio, settings, django_capture_on_commit_callbacks
):
    settings.SMS_MAX_ATTEMPTS = 3
    twilio.script(503, 503, 503, 503)
    with django_capture_on_commit_callbacks(execute=True):
        sms = queue_one()
    sms.refresh_from_db()
    assert len(twilio.messages()) == 3
    assert (sms.status, sms.attempts) == (Q.FAILED, 3)


def test_a_transient_error_schedules_the_retry_in_the_row(twilio, settings):
    settings.SMS_RETRY_BACKOFF = 60
    twilio.script(500)
    sms = queue_one()
    outcome = sms_send(sms_id=sms.pk)
    sms.refresh_from_db()
    assert sms.status == Q.QUEUED
    assert outcome.retry_in is not None
    assert 30 <= outcome.retry_in <= 60
    assert sms.retry_at == pytest.approx(
        sms.queued_at + timedelta(seconds=outcome.retry_in), abs=timedelta(seconds=1)
    )


def test_backoff_grows_exponentially_with_jitter_and_a_cap(settings):
    settings.SMS_RETRY_BACKOFF = 10
    settings.SMS_RETRY_BACKOFF_MAX = 100
    for attempt, ceiling in [(1, 10), (2, 20), (3, 40), (4, 80), (5, 100), (12, 100)]:
        delays = [retry_delay(attempt) for _ in range(50)]
        assert all(ceiling / 2 <= d <= ceiling for d in delays)
        assert len(set(delays)) > 1  # jitter: retries of many messages do not stampede


def test_an_unexpected_error_does_not_leave_the_row_sending(settings, monkeypatch):
    def broken(*args, **kwargs):
        raise KeyError("bug")

    monkeypatch.setattr(sending, "sms_backend_get", broken)
    sms = queue_one()
    assert sms_send(sms_id=sms.pk).status == Q.QUEUED
    sms.refresh_from_db()
    assert sms.status == Q.QUEUED
    assert "KeyError" in sms.last_error


def test_key_resend_texts_the_new_key(make_dossier):
    dossier = make_dossier()
    sms = sms_key_resend(dossier=dossier, update_key="ABCDE23456")
    assert sms.template == "key_resend"
    assert sms.to == PHONE_E164
    assert f"hồ sơ {dossier.code}: ABCDE23456" in sms.body


# --- Broker down, and the re-queue job ----------------------------------------------------


def test_publishing_to_an_unreachable_broker_does_not_raise(
    django_capture_on_commit_callbacks, make_dossier, twilio
):
    # A real kombu publish to a closed port: the request must not see the error.
    with (
        celery_publisher(broker_url="redis://127.0.0.1:6390/0", eager=False),
        django_capture_on_commit_callbacks(execute=True) as callbacks,
    ):
        dossier = make_dossier()
    assert len(callbacks) == 1
    sms = SmsMessage.objects.get(dossier=dossier)
    assert sms.status == Q.QUEUED
    assert sms.attempts == 0
    assert twilio.messages() == []


def age(model, pk, **delta) -> None:
    model.objects.filter(pk=pk).update(queued_at=F("queued_at") - timedelta(**delta))


def test_requeue_sends_what_waited_once(twilio):
    sms = queue_one()  # its publish never happened (never committed here)
    assert outbox_requeue_stale()["sms"] == 0  # too fresh: its task may be on the way
    age(SmsMessage, sms.pk, minutes=5)
    assert outbox_requeue_stale() == {"sms": 1, "email": 0}
    sms.refresh_from_db()
    assert sms.status == Q.SENT
    assert outbox_requeue_stale() == {"sms": 0, "email": 0}
    assert len(twilio.messages()) == 1


def test_requeue_waits_for_a_scheduled_retry(twilio):
    sms = queue_one()
    now = timezone.now()
    SmsMessage.objects.filter(pk=sms.pk).update(
        queued_at=now - timedelta(hours=1), retry_at=now + timedelta(minutes=10)
    )
    assert outbox_requeue_stale()["sms"] == 0
    assert outbox_requeue_stale(now=now + timedelta(minutes=13))["sms"] == 1


def test_requeue_rescues_rows_stuck_in_sending(twilio, settings):
    settings.SMS_MAX_ATTEMPTS = 5
    lost, exhausted, busy = queue_one(), queue_one(), queue_one()
    long_ago = timezone.now() - timedelta(minutes=10)
    SmsMessage.objects.filter(pk__in=[lost.pk, exhausted.pk]).update(
        status=Q.SENDING, sending_at=long_ago, attempts=1
    )
    SmsMessage.objects.filter(pk=exhausted.pk).update(attempts=5)
    SmsMessage.objects.filter(pk=busy.pk).update(status=Q.SENDING, sending_at=timezone.now())
    assert outbox_requeue_stale()["sms"] == 1
    statuses = dict(SmsMessage.objects.values_list("pk", "status"))
    assert statuses == {lost.pk: Q.SENT, exhausted.pk: Q.FAILED, busy.pk: Q.SENDING}


def test_requeue_keeps_rows_waiting_while_the_broker_is_down(twilio):
    sms = queue_one()
    age(SmsMessage, sms.pk, minutes=5)
    with celery_publisher(broker_url="redis://127.0.0.1:6390/0", eager=False):
        assert outbox_requeue_stale()["sms"] == 0
    sms.refresh_from_db()
    assert sms.status == Q.QUEUED
    assert outbox_requeue_stale()["sms"] == 1  # the broker is back


def test_emails_share_the_outbox(mailoutbox):
    email = email_queue(to="can-bo@example.vn", subject="Nhắc việc", body="3 hồ sơ")
    age(EmailMessage, email.pk, minutes=5)
    assert outbox_requeue_stale() == {"sms": 0, "email": 1}
    email.refresh_from_db()
    assert email.status == Q.SENT
    assert email.attempts == 1
    assert [m.subject for m in mailoutbox] == ["Nhắc việc"]


def test_an_email_dedupe_key_queues_once():
    first = email_queue(to="a@example.vn", subject="s", body="b", dedupe_key="digest:1:2:x")
    again = email_queue(to="a@example.vn", subject="s", body="b", dedupe_key="digest:1:2:x")
    assert first.pk == again.pk
    assert EmailMessage.objects.count() == 1


def test_a_refused_recipient_fails_the_email_at_once(settings):
    settings.EMAIL_BACKEND = "tests.notifications.test_outbox.RefusingBackend"
    email = email_queue(to="x@example.vn", subject="s", body="b")
    assert sending.email_send(email_id=email.pk).status == Q.FAILED


class RefusingBackend:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        import smtplib

        raise smtplib.SMTPRecipientsRefused({"x@example.vn": (550, b"no such user")})


def test_an_empty_text_gives_a_failed_row_not_an_error():
    sms = sms_queue_body(to=PHONE, body="")
    assert sms.status == Q.FAILED
    assert sms.last_error


def test_a_bad_email_address_gives_a_failed_row_not_an_error(mailoutbox):
    email = email_queue(to="not-an-address", subject="s", body="b")
    assert email.status == Q.FAILED
    assert email.last_error
    assert mailoutbox == []
