"""A worker killed after the gateway took its message: the gateway's status callback is the
receipt, so the re-queue job does not send the message a second time."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from notifications.backends import sms_backend_get
from notifications.models import SmsMessage
from notifications.sending import outbox_requeue_stale
from tests.fakes.twilio import FakeTwilio
from tests.notifications.conftest import AUTH_TOKEN, PHONE_E164

Q = SmsMessage.Status


@pytest.fixture
def gateway(settings, live_server):
    with FakeTwilio(status_callbacks=True) as fake:
        settings.SMS_BACKEND = "twilio"
        settings.TWILIO_API_BASE_URL = fake.url
        settings.TWILIO_ACCOUNT_SID = "AC" + "1" * 32
        settings.TWILIO_AUTH_TOKEN = AUTH_TOKEN
        settings.TWILIO_STATUS_CALLBACK_URL = live_server.url + reverse("sms-status")
        yield fake


def test_the_callback_records_a_send_whose_worker_died_and_nothing_goes_twice(gateway):
    long_ago = timezone.now() - timedelta(hours=1)
    sms = SmsMessage.objects.create(
        to=PHONE_E164,
        body="Hồ sơ 000.00.00.H00-261128-0001",
        status=Q.SENDING,
        attempts=1,
        queued_at=long_ago,
        sending_at=long_ago,
    )
    # The worker's request reaches the gateway; the worker dies before recording the answer.
    sms_backend_get().send(to=sms.to, body=sms.body, reference=sms.pk)
    deadline = time.monotonic() + 20
    while not gateway.callbacks and time.monotonic() < deadline:
        time.sleep(0.05)
    assert [status for _, status in gateway.callbacks] == [204]
    sms.refresh_from_db()
    (message,) = gateway.messages()
    assert (sms.status, sms.provider_message_id) == (Q.SENT, message.sid)
    # The re-queue job, long after the send's time limit, finds nothing stuck to send again.
    assert outbox_requeue_stale(now=timezone.now() + timedelta(hours=1))["sms"] == 0
    sms.refresh_from_db()
    assert sms.status == Q.SENT
    assert len(gateway.messages()) == 1


def test_without_the_callback_the_stuck_row_is_sent_again(settings, db):
    # The other side of the choice: no receipt, so at least once (never lost).
    long_ago = timezone.now() - timedelta(hours=1)
    sms = SmsMessage.objects.create(
        to=PHONE_E164,
        body="x",
        status=Q.SENDING,
        attempts=1,
        queued_at=long_ago,
        sending_at=long_ago,
    )
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.SMS_BACKEND = "outbox"
    outbox_requeue_stale(now=timezone.now())
    sms.refresh_from_db()
    assert sms.status == Q.SENT
    assert sms.attempts == 2


def stuck_in_sending(body: str) -> SmsMessage:
    long_ago = timezone.now() - timedelta(hours=1)
    return SmsMessage.objects.create(
        to=PHONE_E164,
        body=body,
        status=Q.SENDING,
        attempts=1,
        queued_at=long_ago,
        sending_at=long_ago,
    )


def test_a_stuck_message_the_gateway_has_is_recorded_not_sent_again(twilio, db):
    # No status callback came back (none configured, or it was lost): the gateway is asked.
    sms = stuck_in_sending("Hồ sơ 000.00.00.H00-261128-0002 đã được tiếp nhận")
    other = stuck_in_sending("Hồ sơ 000.00.00.H00-261128-0003 đã được tiếp nhận")
    sms_backend_get().send(to=sms.to, body=sms.body, reference=sms.pk)  # then the worker died
    assert outbox_requeue_stale()["sms"] == 1  # only the message the gateway does not have
    sms.refresh_from_db()
    (first, second) = twilio.messages()
    assert (sms.status, sms.provider_message_id, sms.attempts) == (Q.SENT, first.sid, 1)
    assert second.form["Body"] == other.body
    other.refresh_from_db()
    assert (other.status, other.provider_message_id) == (Q.SENT, second.sid)


def test_while_the_gateway_cannot_be_asked_a_stuck_message_waits(twilio, db):
    sms = stuck_in_sending("Hồ sơ 000.00.00.H00-261128-0004 đã được tiếp nhận")
    twilio.list_fails = True
    assert outbox_requeue_stale()["sms"] == 0
    sms.refresh_from_db()
    assert sms.status == Q.SENDING
    assert twilio.messages() == []
    twilio.list_fails = False
    assert outbox_requeue_stale()["sms"] == 1
    sms.refresh_from_db()
    assert (sms.status, sms.attempts, len(twilio.messages())) == (Q.SENT, 2, 1)
