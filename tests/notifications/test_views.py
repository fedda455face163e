"""POST /api/v1/sms/status/: the provider's signed delivery reports."""

from __future__ import annotations

import pytest
from django.utils import timezone

from notifications.models import SmsMessage
from notifications.services import sms_queue_body
from tests.fakes.twilio import twilio_signature
from tests.notifications.conftest import AUTH_TOKEN, PHONE

Q = SmsMessage.Status
URL = "/api/v1/sms/status/"
pytestmark = pytest.mark.django_db


@pytest.fixture
def sent_sms() -> SmsMessage:
    sms = sms_queue_body(to=PHONE, body="Xin chào")
    SmsMessage.objects.filter(pk=sms.pk).update(
        status=Q.SENT, sent_at=timezone.now(), provider_message_id="SM" + "a" * 32
    )
    sms.refresh_from_db()
    return sms


def report(client, sms, status, *, token=AUTH_TOKEN, query=None, signature=None, **extra):
    query = f"m={sms.pk}" if query is None else query
    path = f"{URL}?{query}" if query else URL
    params = {
        "MessageSid": sms.provider_message_id or "SM" + "a" * 32,
        "MessageStatus": status,
        "AccountSid": "AC" + "1" * 32,
        **extra,
    }
    if signature is None:
        signature = twilio_signature(f"http://testserver{path}", params, token)
    return client.post(path, params, HTTP_X_TWILIO_SIGNATURE=signature)


def test_a_signed_delivered_report_marks_the_message_delivered(client, sent_sms):
    response = report(client, sent_sms, "delivered")
    assert response.status_code == 204
    sent_sms.refresh_from_db()
    assert sent_sms.status == Q.DELIVERED
    assert sent_sms.provider_status == "delivered"
    assert sent_sms.delivered_at is not None


def test_a_wrong_signature_is_refused_and_changes_nothing(client, sent_sms):
    response = report(client, sent_sms, "delivered", token="not-the-token")
    assert response.status_code == 403
    sent_sms.refresh_from_db()
    assert (sent_sms.status, sent_sms.provider_status, sent_sms.delivered_at) == (Q.SENT, "", None)


def test_a_report_without_signature_is_refused(client, sent_sms):
    assert report(client, sent_sms, "delivered", signature="").status_code == 403


def test_a_tampered_report_is_refused(client, sent_sms):
    path = f"{URL}?m={sent_sms.pk}"
    params = {"MessageSid": sent_sms.provider_message_id, "MessageStatus": "failed"}
    signature = twilio_signature(f"http://testserver{path}", params, AUTH_TOKEN)
    response = client.post(
        path, {**params, "MessageStatus": "delivered"}, HTTP_X_TWILIO_SIGNATURE=signature
    )
    assert response.status_code == 403
    sent_sms.refresh_from_db()
    assert sent_sms.status == Q.SENT


def test_without_an_auth_token_every_report_is_refused(client, sent_sms, settings):
    settings.TWILIO_AUTH_TOKEN = ""  # an empty HMAC key would make signatures forgeable
    assert report(client, sent_sms, "delivered", token="").status_code == 403


def test_it_rejects_get(client):
    assert client.get(URL).status_code == 405


def test_an_undelivered_report_fails_the_message_with_the_error_code(client, sent_sms):
    assert report(client, sent_sms, "undelivered", ErrorCode="30003").status_code == 204
    sent_sms.refresh_from_db()
    assert sent_sms.status == Q.FAILED
    assert sent_sms.last_error == "undelivered (error 30003)"


def test_late_reports_never_move_a_message_backwards(client, sent_sms):
    report(client, sent_sms, "delivered")
    report(client, sent_sms, "sent")
    report(client, sent_sms, "failed")
    sent_sms.refresh_from_db()
    assert sent_sms.status == Q.DELIVERED


def test_a_report_arriving_before_the_send_was_recorded_still_applies(client):
    # The provider may call back before the worker saved its answer: found by our id.
    sms = sms_queue_body(to=PHONE, body="Xin chào")
    SmsMessage.objects.filter(pk=sms.pk).update(status=Q.SENDING)
    sms.refresh_from_db()
    response = report(client, sms, "delivered", MessageSid="SM" + "b" * 32)
    assert response.status_code == 204
    sms.refresh_from_db()
    assert (sms.status, sms.provider_message_id) == (Q.DELIVERED, "SM" + "b" * 32)


def test_a_report_for_another_message_id_is_ignored(client, sent_sms):
    response = report(client, sent_sms, "delivered", MessageSid="SM" + "c" * 32)
    assert response.status_code == 204
    sent_sms.refresh_from_db()
    assert sent_sms.status == Q.SENT


def test_a_report_without_our_id_is_matched_by_the_provider_id(client, sent_sms):
    assert report(client, sent_sms, "delivered", query="").status_code == 204
    sent_sms.refresh_from_db()
    assert sent_sms.status == Q.DELIVERED


def test_behind_a_proxy_the_configured_callback_url_is_accepted(client, sent_sms, settings):
    settings.TWILIO_STATUS_CALLBACK_URL = "https://motcua.example.vn/api/v1/sms/status/"
    query = f"m={sent_sms.pk}"
    params = {"MessageSid": sent_sms.provider_message_id, "MessageStatus": "delivered"}
    signature = twilio_signature(
        f"{settings.TWILIO_STATUS_CALLBACK_URL}?{query}", params, AUTH_TOKEN
    )
    response = client.post(f"{URL}?{query}", params, HTTP_X_TWILIO_SIGNATURE=signature)
    assert response.status_code == 204
    sent_sms.refresh_from_db()
    assert sent_sms.status == Q.DELIVERED


@pytest.mark.parametrize("status", ["accepted", "queued", "sending", "sent"])
def test_any_report_proves_the_gateway_has_a_message_left_sending(client, status):
    sms = sms_queue_body(to=PHONE, body="Xin chào")
    SmsMessage.objects.filter(pk=sms.pk).update(status=Q.SENDING)
    sms.refresh_from_db()
    assert report(client, sms, status, MessageSid="SM" + "c" * 32).status_code == 204
    sms.refresh_from_db()
    assert (sms.status, sms.provider_message_id) == (Q.SENT, "SM" + "c" * 32)
