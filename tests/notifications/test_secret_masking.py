"""The update key in an SMS: sent in full to the phone, masked in the outbox once a real
gateway has the message (the outbox and console backends are how a demo reads it)."""

from __future__ import annotations

import pytest

from notifications.models import SmsMessage
from notifications.services import sms_key_resend, sms_send
from tests.notifications.test_views import report

Q = SmsMessage.Status
pytestmark = pytest.mark.django_db


def only_sms(dossier) -> SmsMessage:
    (sms,) = SmsMessage.objects.filter(dossier=dossier)
    return sms


def test_the_gateway_gets_the_key_and_the_outbox_keeps_it_masked(twilio, make_dossier):
    dossier = make_dossier()
    sms = only_sms(dossier)
    assert sms.secret == dossier.update_key
    assert dossier.update_key in sms.body
    assert sms_send(sms_id=sms.pk).status == Q.SENT
    (request,) = twilio.messages()
    assert dossier.update_key in request.form["Body"]
    sms.refresh_from_db()
    assert (sms.status, sms.secret) == (Q.SENT, "")
    assert dossier.update_key not in sms.body
    assert "*" * len(dossier.update_key) in sms.body
    assert sms.body.replace("*" * len(dossier.update_key), dossier.update_key) == \
        request.form["Body"]


def test_a_resent_key_is_masked_too(twilio, make_dossier):
    dossier = make_dossier()
    row = sms_key_resend(dossier=dossier, update_key="ABCDE23456")
    assert row.secret == "ABCDE23456"
    sms_send(sms_id=row.pk)
    row.refresh_from_db()
    assert "ABCDE23456" not in row.body
    assert row.secret == ""


def test_a_delivery_report_masks_a_row_whose_worker_died(client, settings, make_dossier):
    settings.TWILIO_AUTH_TOKEN = "test-auth-token"
    dossier = make_dossier()
    sms = only_sms(dossier)
    SmsMessage.objects.filter(pk=sms.pk).update(status=Q.SENDING)
    assert report(client, sms, "sent", MessageSid="SM" + "d" * 32).status_code == 204
    sms.refresh_from_db()
    assert sms.status == Q.SENT
    assert dossier.update_key not in sms.body
    assert sms.secret == ""


def test_the_outbox_backend_keeps_the_text_it_exists_to_show(settings, make_dossier):
    settings.SMS_BACKEND = "outbox"
    dossier = make_dossier()
    sms = only_sms(dossier)
    sms_send(sms_id=sms.pk)
    sms.refresh_from_db()
    assert sms.status == Q.SENT
    assert dossier.update_key in sms.body
