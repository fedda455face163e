"""The letter's ten steps on a phone, then the SMS and the look-up with its key."""

from __future__ import annotations

import pytest

from dossiers.models import Dossier
from notifications.models import SmsMessage
from tests.e2e import data
from tests.e2e.journeys import key_from_outbox, look_up, submit_letter_ten_steps

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def world(transactional_db):
    return data.world_build()


def test_a_citizen_submits_on_a_phone_and_looks_the_dossier_up_with_the_sms_key(
        phone, shots, tmp_path, world, page_errors):
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
