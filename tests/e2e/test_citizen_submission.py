"""The letter's ten steps on a phone, then the SMS and the look-up with its key."""

from __future__ import annotations

import re

import pytest

from dossiers.models import Dossier
from notifications.models import SmsMessage
from tests.e2e import data
from tests.e2e.journeys import key_from_outbox, look_up, submit_letter_ten_steps

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_citizen_submits_on_a_phone_and_looks_the_dossier_up_with_the_sms_key(
    phone, shots, tmp_path, world, page_errors
):
    dossier = submit_letter_ten_steps(phone, shots, tmp_path, world)
    assert dossier.status == Dossier.Status.SUBMITTED

    sms = SmsMessage.objects.get(dossier=dossier)
    assert sms.to == data.PHONE
    assert dossier.code in sms.body
    key = key_from_outbox(dossier)

    look_up(phone, shots, code=dossier.code, key=key)
    main = phone.locator("main").inner_text()
    assert data.ID_NUMBER in main  # shown in full to the key holder
    assert world.procedure.name in main
    assert not page_errors, page_errors


def test_a_slow_answer_for_an_earlier_province_does_not_replace_the_communes_shown(phone, world):
    phone.goto(f"/nop-ho-so/{world.procedure.code}/")
    phone.get_by_role("button", name="Bắt đầu nộp hồ sơ").click()
    phone.get_by_label(world.commune.name).check()
    phone.locator("main form button.primary").click()
    phone.wait_for_url(re.compile(r"/nguoi-nop/$"))
    held = []  # the answer for Hà Nội (1) is held back
    phone.route(re.compile(r"/nop-ho-so/dia-ban/1/$"), lambda route: held.append(route))
    province = phone.get_by_label("Tỉnh, thành phố")
    province.select_option("1")
    province.select_option("12")
    ward = phone.get_by_label("Xã, phường, đặc khu")
    ward.locator("option[value='3601']").wait_for(state="attached")
    assert len(held) == 1
    with phone.expect_response(re.compile(r"/dia-ban/1/$")) as late:
        held[0].continue_()
    late.value.finished()  # its body is in: the page's script has had it
    phone.evaluate("() => new Promise(done => setTimeout(done))")  # one turn of the page's loop
    # The late answer for Hà Nội changed nothing: Lai Châu's communes are still listed.
    assert ward.locator("option[value='3601']").count() == 1
    assert "Phường Hoàn Kiếm" not in ward.inner_text()
