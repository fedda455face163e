"""The update key in an SMS or e-mail: sent in full to the phone or mailbox, masked in the
outbox once a real gateway or relay has the message (the outbox, console and local e-mail
backends are how a demo reads it)."""

from __future__ import annotations

import pytest
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend

from notifications.models import EmailMessage, SmsMessage
from notifications.sending import email_send, sms_send
from notifications.services import sms_key_resend
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
    assert (
        sms.body.replace("*" * len(dossier.update_key), dossier.update_key) == request.form["Body"]
    )


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


class RelayBackend(LocmemBackend):
    """Stands for an SMTP relay: the message leaves (into django.core.mail.outbox here)."""


def test_an_email_carries_the_key_and_the_outbox_keeps_it_masked(
    settings, make_dossier, mailoutbox
):
    settings.EMAIL_BACKEND = f"{__name__}.RelayBackend"
    dossier = make_dossier(email="an@example.vn")
    email = EmailMessage.objects.get(dossier=dossier)
    assert email.secret == dossier.update_key
    assert email_send(email_id=email.pk).status == Q.SENT
    assert dossier.update_key in mailoutbox[0].body
    email.refresh_from_db()
    assert dossier.update_key not in email.body
    assert email.secret == ""


def test_a_local_email_backend_keeps_the_text(make_dossier, mailoutbox):
    dossier = make_dossier(email="an@example.vn")
    email = EmailMessage.objects.get(dossier=dossier)
    email_send(email_id=email.pk)
    email.refresh_from_db()
    assert email.status == Q.SENT
    assert dossier.update_key in email.body
