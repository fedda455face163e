"""What the fault runs (bench/faults_run.py) found, kept as tests: a database connection that
drops after the gateway took an SMS must not make the SMS go twice."""

from __future__ import annotations

from unittest import mock

import pytest
from django.db import connection
from django.utils import timezone

from notifications import sending
from notifications.backends import OutboxBackend
from notifications.models import SmsMessage
from tests.database import backend_terminate

pytestmark = pytest.mark.postgres


@pytest.fixture
def postgres(transactional_db):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (a server-side connection to terminate)")


def test_a_send_is_recorded_once_when_the_database_drops_after_the_gateway_took_it(
    postgres, settings
):
    settings.SMS_BACKEND = "outbox"
    sms = SmsMessage.objects.create(
        to="+84912345678",
        body="Hồ sơ đã được tiếp nhận",
        status=SmsMessage.Status.QUEUED,
        queued_at=timezone.now(),
    )

    def gateway(self, *, to, body, reference):  # the SMS HTTP call
        backend_terminate(connection.connection.info.backend_pid)
        return "SM-once"

    with mock.patch.object(OutboxBackend, "send", autospec=True, side_effect=gateway) as send:
        outcome = sending.sms_send(sms_id=sms.pk)
    assert outcome.status == SmsMessage.Status.SENT
    assert send.call_count == 1
    sms.refresh_from_db()
    assert (sms.status, sms.provider_message_id, sms.attempts) == (
        SmsMessage.Status.SENT,
        "SM-once",
        1,
    )
    # Nothing is left for the re-queue job to send again.
    assert sending.outbox_requeue_stale(now=timezone.now() + timezone.timedelta(hours=1)) == {
        "sms": 0,
        "email": 0,
    }
