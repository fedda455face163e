"""manage.py sms_outbox, and the admin of the outbox and the templates."""

from __future__ import annotations

import json

import pytest
from django.core.management import call_command
from django.urls import reverse

from notifications.defaults import DEFAULT_TEMPLATES
from notifications.models import SmsTemplate, TemplateName
from notifications.services import sms_queue_body
from tests.notifications.conftest import PHONE

pytestmark = pytest.mark.django_db


def outbox(*args: str) -> str:
    from io import StringIO

    out = StringIO()
    call_command("sms_outbox", *args, stdout=out)
    return out.getvalue()


def test_sms_outbox_lists_the_latest_first():
    for n in range(3):
        sms_queue_body(to=PHONE, body=f"Tin số {n}")
    lines = outbox("--last", "2").splitlines()
    assert len(lines) == 2
    assert lines[0].endswith("Tin số 2")
    assert lines[1].endswith("Tin số 1")
    assert "queued" in lines[0]
    assert "+84912345678" in lines[0]


def test_sms_outbox_as_json():
    sms_queue_body(to=PHONE, body="Xin chào")
    sms_queue_body(to="0213 3876 543", body="Không gửi được")
    data = json.loads(outbox("--json"))
    assert [(d["to"], d["body"], d["status"]) for d in data] == [
        ("0213 3876 543", "Không gửi được", "failed"),
        ("+84912345678", "Xin chào", "queued"),
    ]
    assert data[0]["last_error"]
    assert data[1]["time"].endswith("+07:00")


def test_sms_outbox_when_empty():
    assert outbox() == "(no SMS)\n"


@pytest.fixture
def staff(admin_client):
    return admin_client


def test_the_outbox_admin_is_read_only(staff):
    sms = sms_queue_body(to=PHONE, body="Xin chào")
    assert staff.get(reverse("admin:notifications_smsmessage_changelist")).status_code == 200
    page = staff.get(reverse("admin:notifications_smsmessage_change", args=[sms.pk]))
    assert page.status_code == 200
    assert b'name="body"' not in page.content  # shown, not editable
    assert staff.get(reverse("admin:notifications_smsmessage_add")).status_code == 403
    response = staff.post(
        reverse("admin:notifications_smsmessage_change", args=[sms.pk]), {"body": "changed"}
    )
    assert response.status_code == 403
    sms.refresh_from_db()
    assert sms.body == "Xin chào"


def test_a_template_is_edited_in_the_admin(staff):
    template = SmsTemplate.objects.get(name=TemplateName.RECEIVED)
    url = reverse("admin:notifications_smstemplate_change", args=[template.pk])
    response = staff.post(
        url, {"body": "Da nhan {{ code }}, hen {{ due }}", "email_subject": "Đã nhận {{ code }}"}
    )
    assert response.status_code == 302
    template.refresh_from_db()
    assert template.body == "Da nhan {{ code }}, hen {{ due }}"


def test_a_broken_template_is_refused(staff):
    template = SmsTemplate.objects.get(name=TemplateName.RECEIVED)
    url = reverse("admin:notifications_smstemplate_change", args=[template.pk])
    response = staff.post(url, {"body": "Da nhan {% if code %}", "email_subject": "x"})
    assert response.status_code == 200
    assert "Mẫu không hợp lệ" in response.content.decode()
    template.refresh_from_db()
    assert template.body == DEFAULT_TEMPLATES[TemplateName.RECEIVED][0]


def test_templates_can_be_restored_to_their_default(staff):
    SmsTemplate.objects.filter(name=TemplateName.REFUSED).update(body="x", email_subject="y")
    template = SmsTemplate.objects.get(name=TemplateName.REFUSED)
    staff.post(
        reverse("admin:notifications_smstemplate_changelist"),
        {"action": "restore_default", "_selected_action": [template.pk]},
    )
    template.refresh_from_db()
    assert (template.body, template.email_subject) == DEFAULT_TEMPLATES[TemplateName.REFUSED]


def test_nobody_adds_or_deletes_templates(staff):
    assert staff.get(reverse("admin:notifications_smstemplate_add")).status_code == 403
    template = SmsTemplate.objects.get(name=TemplateName.STOPPED)
    url = reverse("admin:notifications_smstemplate_delete", args=[template.pk])
    assert staff.get(url).status_code == 403
