"""Every dossier event queues the right message, in the dossier's own transaction."""

from __future__ import annotations

import pytest
from django.db import transaction

from dossiers.models import Dossier, DossierEvent
from dossiers.services import actions
from dossiers.services.core import dossier_transition
from dossiers.services.events import event_append
from notifications.models import EmailMessage, SmsMessage, SmsTemplate, TemplateName
from notifications.services import dossier_event_notify
from payments.services import payment_confirm
from procedures.models import Channel
from tests.notifications.conftest import PHONE_E164, WEDNESDAY_9AM, vn

S = Dossier.Status
T = TemplateName
Q = SmsMessage.Status

pytestmark = pytest.mark.django_db


def sms_of(dossier: Dossier) -> list[SmsMessage]:
    return list(SmsMessage.objects.filter(dossier=dossier).order_by("pk"))


def test_an_online_submission_texts_the_code_and_the_key(
    make_dossier, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        dossier = make_dossier()
    [sms] = sms_of(dossier)
    assert sms.to == PHONE_E164
    assert sms.template == T.SUBMITTED
    assert dossier.code in sms.body
    assert dossier.update_key in sms.body
    assert sms.event.kind == "created"
    assert sms.status == Q.QUEUED
    # Published only after the commit; then sent by the (outbox) backend.
    assert len(callbacks) == 1
    callbacks[0]()
    sms.refresh_from_db()
    assert (sms.status, sms.attempts, sms.provider_message_id) == (Q.SENT, 1, f"outbox-{sms.pk}")
    # 160 characters with diacritics, the link included: UCS-2, 3 parts of 67 (see the
    # no-diacritics option, one GSM-7 part).
    assert len(sms.body) == 160
    assert (sms.encoding, sms.segments) == ("ucs2", 3)


def test_the_sms_link_opens_the_dossiers_look_up_with_the_code_filled(make_dossier, client):
    dossier = make_dossier()
    [sms] = sms_of(dossier)
    link = next(word for word in sms.body.split() if word.startswith("https://"))
    assert link.startswith("https://motcua.example.vn/tra-cuu/?code=")
    page = client.get(link.removeprefix("https://motcua.example.vn")).content.decode()
    assert f'value="{dossier.code}"' in page


def test_an_applicant_with_an_email_also_gets_an_email(
    make_dossier, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        dossier = make_dossier(email="binh@example.vn")
    email = EmailMessage.objects.get(dossier=dossier)
    assert (email.to, email.template, email.status) == ("binh@example.vn", T.SUBMITTED, Q.SENT)
    assert email.subject == f"Hồ sơ {dossier.code} đã được nộp"
    [sent] = mailoutbox
    assert sent.to == ["binh@example.vn"]
    assert dossier.update_key in sent.body


@pytest.mark.parametrize("channel", [Channel.COUNTER, Channel.POST])
def test_a_counter_or_postal_dossier_gets_one_sms_with_code_key_and_due_time(make_dossier, channel):
    dossier = make_dossier(channel=channel, delivery_address="Bản Nà Khoa")
    assert dossier.status == S.RECEIVED
    [sms] = sms_of(dossier)  # created + received at once: one SMS, not two
    assert sms.template == T.SUBMITTED_RECEIVED
    # certified_contract: 2 working days from Wed 09:00 → Fri 09:00.
    assert dossier.due_at == vn(2026, 11, 27, 9, 0)
    assert dossier.code in sms.body
    assert dossier.update_key in sms.body
    assert "09:00 27/11/2026" in sms.body


def test_receiving_an_online_dossier_texts_the_due_time(make_dossier, officer):
    dossier = make_dossier()
    actions.dossier_receive(dossier=dossier, actor=officer, at=vn(2026, 11, 25, 16, 0))
    first, received = sms_of(dossier)
    assert (first.template, received.template) == (T.SUBMITTED, T.RECEIVED)
    # birth_registration is a same-day procedure: after 15:00 → next working day's closing.
    assert (
        received.body == f"Hồ sơ {dossier.code} đã được tiếp nhận. "
        "Hẹn trả kết quả: 17:00 26/11/2026."
    )


def test_a_supplement_request_lists_every_item_and_the_reason(
    make_dossier, officer, birth_registration
):
    dossier = make_dossier()
    documents = list(birth_registration.documents.order_by("order"))
    actions.dossier_request_supplement(
        dossier=dossier, actor=officer, reason="Ảnh mờ", document_ids=[d.pk for d in documents]
    )
    sms = sms_of(dossier)[-1]
    assert sms.template == T.SUPPLEMENT
    assert "Tờ khai đăng ký khai sinh; Giấy chứng sinh" in sms.body
    assert "Lý do: Ảnh mờ." in sms.body


def test_a_payment_request_gives_the_amount(make_dossier, officer, supervisor):
    dossier = make_dossier(channel=Channel.COUNTER)
    actions.dossier_request_payment(dossier=dossier, actor=supervisor, amount_vnd=1_200_000)
    sms = sms_of(dossier)[-1]
    assert sms.template == T.PAYMENT
    assert "1.200.000 đồng" in sms.body


@pytest.mark.parametrize(
    ("delivery", "expected"),
    [
        (Dossier.Delivery.COUNTER, "Mời nhận tại bộ phận một cửa UBND xã Mường Khoa."),
        (Dossier.Delivery.POST, "Kết quả sẽ gửi qua bưu chính tới Bản Nà Khoa, Tân Uyên."),
    ],
)
def test_a_result_says_where_to_collect_it(make_dossier, supervisor, delivery, expected):
    dossier = make_dossier(
        channel=Channel.COUNTER, delivery=delivery, delivery_address="Bản Nà Khoa, Tân Uyên"
    )
    actions.dossier_resolve(dossier=dossier, actor=supervisor, outcome="approved")
    sms = sms_of(dossier)[-1]
    assert sms.template == T.RESOLVED
    assert sms.body == f"Hồ sơ {dossier.code} đã có kết quả. {expected}"


def test_a_postal_return_gives_the_tracking_number(make_dossier, officer, supervisor):
    dossier = make_dossier(
        channel=Channel.COUNTER, delivery=Dossier.Delivery.POST, delivery_address="Bản Nà Khoa"
    )
    actions.dossier_resolve(dossier=dossier, actor=supervisor, outcome="approved")
    # The fee is paid before a result goes out by post (payments.return_fee).
    payment_confirm(dossier=dossier, actor=officer, method="cash", reference="BL-1")
    actions.dossier_return(
        dossier=dossier, actor=officer, method="post", tracking_number="EB123456789VN"
    )
    sms = sms_of(dossier)[-1]
    assert sms.template == T.RETURNED
    assert "mã vận đơn EB123456789VN" in sms.body


def test_a_refusal_gives_the_reason(make_dossier, officer):
    dossier = make_dossier()
    actions.dossier_refuse(dossier=dossier, actor=officer, reason="Không thuộc thẩm quyền")
    sms = sms_of(dossier)[-1]
    assert (sms.template, sms.body) == (
        T.REFUSED,
        f"Hồ sơ {dossier.code} không được tiếp nhận. Lý do: Không thuộc thẩm quyền.",
    )


def test_a_stop_after_withdrawal_is_texted(make_dossier, officer):
    dossier = make_dossier(channel=Channel.COUNTER)
    dossier_transition(dossier=dossier, to=S.WITHDRAWAL_REQUESTED, actor=None, note="Xin rút")
    assert sms_of(dossier)[-1].template == T.SUBMITTED_RECEIVED  # the request itself: silent
    actions.dossier_stop(dossier=dossier, actor=officer, reason="Công dân rút hồ sơ")
    sms = sms_of(dossier)[-1]
    assert sms.template == T.STOPPED
    assert "Công dân rút hồ sơ" in sms.body


def test_an_apology_gives_the_new_date(make_dossier, supervisor):
    dossier = make_dossier(channel=Channel.COUNTER)
    actions.dossier_apologize(
        dossier=dossier,
        actor=supervisor,
        reason="Chờ xác minh",
        new_due_at=vn(2026, 12, 2, 16, 30),
        at=vn(2026, 11, 26, 10, 0),
    )
    sms = sms_of(dossier)[-1]
    assert sms.template == T.APOLOGY
    assert "Lý do: Chờ xác minh. Hẹn trả mới: 16:30 02/12/2026." in sms.body


def test_an_apology_context_may_carry_an_iso_date(make_dossier):
    dossier = make_dossier(channel=Channel.COUNTER)
    event = event_append(
        dossier=dossier,
        kind="apology",
        from_status=S.RECEIVED,
        to_status=S.RECEIVED,
        at=WEDNESDAY_9AM,
        note="Chờ xác minh",
    )
    [sms] = dossier_event_notify(event=event, context={"new_due_at": "2026-12-02T09:30:00+07:00"})
    assert "Lý do: Chờ xác minh. Hẹn trả mới: 09:30 02/12/2026." in sms.body


def test_processing_and_transfers_tell_the_applicant_nothing(make_dossier, officer, commune):
    dossier = make_dossier(channel=Channel.COUNTER)
    before = SmsMessage.objects.count()
    actions.dossier_transfer(dossier=dossier, actor=officer, to_unit=commune)
    event = DossierEvent.objects.filter(dossier=dossier).latest("seq")
    assert dossier_event_notify(event=event, context={}) == []
    assert SmsMessage.objects.count() == before


def test_a_rolled_back_event_leaves_no_message_and_publishes_nothing(
    make_dossier, django_capture_on_commit_callbacks
):
    def request() -> None:
        with transaction.atomic():
            make_dossier()
            raise RuntimeError("the request failed after the event")

    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(RuntimeError):
        request()
    assert not SmsMessage.objects.exists()
    assert callbacks == []


def test_an_invalid_phone_does_not_undo_the_dossier(
    make_dossier, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        dossier = make_dossier(phone="0213 3876 543")  # a landline
    assert Dossier.objects.filter(pk=dossier.pk).exists()
    [sms] = sms_of(dossier)
    assert sms.status == Q.FAILED
    assert sms.to == "0213 3876 543"
    assert "không hợp lệ" in sms.last_error
    assert callbacks == []  # nothing to publish


def test_without_diacritics_option_the_sms_fits_gsm7(make_dossier, settings):
    settings.SMS_STRIP_DIACRITICS = True
    dossier = make_dossier(email="binh@example.vn")
    [sms] = sms_of(dossier)
    assert sms.body.startswith(f"Ho so {dossier.code} da nop toi UBND xa Muong Khoa")
    assert (sms.encoding, sms.segments) == ("gsm7", 1)
    # E-mail keeps its diacritics.
    assert EmailMessage.objects.get(dossier=dossier).body.startswith(f"Hồ sơ {dossier.code}")


def test_an_administrator_edited_template_is_used(make_dossier):
    SmsTemplate.objects.update_or_create(
        name=T.SUBMITTED,
        defaults={"body": "MOTCUA: ho so {{ code }}, ma {{ key }}", "email_subject": "x"},
    )
    dossier = make_dossier()
    assert sms_of(dossier)[0].body == f"MOTCUA: ho so {dossier.code}, ma {dossier.update_key}"


def test_the_migration_seeded_every_template():
    assert set(SmsTemplate.objects.values_list("name", flat=True)) == set(T.values)
