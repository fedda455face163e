"""End to end with a real Celery worker process, real Redis and the official Twilio client
talking to the fake server (PostgreSQL + REDIS_URL only; skipped on the embedded default)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db.models import F

from notifications.models import SmsMessage
from notifications.sending import outbox_requeue_stale
from notifications.services import sms_queue_body
from notifications.tasks import sms_requeue_stale
from tests.fakes.twilio import twilio_signature
from tests.notifications.conftest import AUTH_TOKEN, PHONE_E164, celery_publisher, wait_until

Q = SmsMessage.Status
pytestmark = pytest.mark.worker


def status_of(sms: SmsMessage) -> str:
    return SmsMessage.objects.values_list("status", flat=True).get(pk=sms.pk)


def test_a_dossier_event_reaches_twilio_and_a_signed_callback_marks_it_delivered(
    worker, make_dossier, client
):
    dossier = make_dossier()  # committed: on commit, the send is published to the worker
    sms = SmsMessage.objects.get(dossier=dossier)

    [request] = worker.wait_for(1, to=PHONE_E164)
    assert request.form["Body"] == sms.body
    assert dossier.code in request.form["Body"]
    assert dossier.update_key in request.form["Body"]
    wait_until(lambda: status_of(sms) == Q.SENT, what="the worker to record the send")
    sms.refresh_from_db()
    assert (sms.provider_message_id, sms.attempts) == (request.sid, 1)

    # Twilio calls back the URL the worker gave it, signed with the auth token.
    callback = request.form["StatusCallback"]
    params = {
        "MessageSid": request.sid,
        "MessageStatus": "delivered",
        "AccountSid": request.account_sid,
    }
    response = client.post(
        callback.removeprefix("http://testserver"),
        params,
        HTTP_X_TWILIO_SIGNATURE=twilio_signature(callback, params, AUTH_TOKEN),
    )
    assert response.status_code == 204
    assert status_of(sms) == Q.DELIVERED


def test_a_message_waits_while_the_broker_is_down_then_goes_once(worker, make_dossier):
    with celery_publisher(broker_url="redis://127.0.0.1:6390/0", eager=False):
        dossier = make_dossier(phone="0987654321")  # no error reaches the caller
    sms = SmsMessage.objects.get(dossier=dossier)
    assert (sms.status, sms.attempts) == (Q.QUEUED, 0)

    # The broker is back; minutes later the beat job runs (here: through the worker too).
    SmsMessage.objects.filter(pk=sms.pk).update(queued_at=F("queued_at") - timedelta(minutes=5))
    sms_requeue_stale.delay()
    worker.wait_for(1, to="+84987654321")
    wait_until(lambda: status_of(sms) == Q.SENT, what="the re-queued message to be sent")
    assert outbox_requeue_stale() == {"sms": 0, "email": 0}
    assert len(worker.messages(to="+84987654321")) == 1
    assert SmsMessage.objects.get(pk=sms.pk).attempts == 1


def test_two_server_errors_are_retried_and_the_message_goes_once(worker):
    worker.script(500, 500, to="+84977000001")
    sms = sms_queue_body(to="0977000001", body="Thử lại")
    wait_until(lambda: status_of(sms) == Q.SENT, what="the send after two retries")
    assert [r.status for r in worker.messages(to="+84977000001")] == [500, 500, 201]
    sms.refresh_from_db()
    assert sms.attempts == 3
    assert "HTTP 500" in sms.last_error


def test_an_invalid_number_answer_fails_at_once_without_retries(worker):
    worker.script(400, to="+84977000002")
    sms = sms_queue_body(to="0977000002", body="Số sai")
    wait_until(lambda: status_of(sms) == Q.FAILED, what="the permanent failure")
    sms.refresh_from_db()
    assert sms.attempts == 1
    assert "21211" in sms.last_error
    # Failed is final: no task can claim it again.
    assert len(worker.messages(to="+84977000002")) == 1
