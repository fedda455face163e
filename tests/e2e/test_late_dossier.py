"""A dossier goes late: the head of the unit issues the apology letter (Mẫu 04) with a new
date, and the citizen's look-up shows it."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone

from dossiers.models import Apology, Dossier
from dossiers.services.actions import dossier_receive
from procedures.calendar import work_calendar
from tests.e2e import data
from tests.e2e.helpers import officer_login
from tests.e2e.journeys import key_from_outbox, look_up, officer_action, open_dossier_as_officer

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_head_apologises_for_a_late_dossier_and_the_citizen_sees_the_new_date(
    desktop, phone, shots, world, page_errors
):
    ten_days_ago = timezone.now() - timedelta(days=10)
    dossier = data.online_dossier(world, at=ten_days_ago)
    dossier = dossier_receive(dossier=dossier, actor=world.desk, at=ten_days_ago)
    assert dossier.due_at < timezone.now()
    key = key_from_outbox(dossier)

    officer_login(desktop, world.head.username)
    open_dossier_as_officer(desktop, shots, dossier.code, "lanh-dao-don-vi")
    main = desktop.locator("main")
    assert "Quá hạn" in main.locator(".badge.late").first.inner_text()
    assert "Phiếu xin lỗi" in main.inner_text()

    # The new date is a working time (office hours of a working day) after the old one.
    calendar = work_calendar()
    day = timezone.localdate() + timedelta(days=3)
    while not calendar.is_working_day(day):
        day += timedelta(days=1)
    new_due = timezone.make_aware(datetime.combine(day, time(16, 30)))

    def apologise(box):
        box.get_by_label("Lý do chậm trả kết quả").fill(
            "Cần xác minh thêm thông tin với xã nơi cấp giấy chứng sinh."
        )
        box.get_by_label("Ngày hẹn trả kết quả mới").fill(new_due.strftime("%Y-%m-%dT%H:%M"))

    officer_action(desktop, "Lập phiếu xin lỗi, hẹn lại", apologise)
    apology = Apology.objects.get(dossier=dossier)
    assert apology.new_due_at == new_due
    assert apology.signed_by == world.head
    shots(desktop, "da-lap-phieu-xin-loi")

    look_up(phone, shots, code=dossier.code, key=key, label="cong-dan-tra-cuu")
    card = phone.locator(".apology")
    assert new_due.strftime("%H:%M, %d/%m/%Y") in card.inner_text()
    assert "xác minh thêm" in card.inner_text()
    dossier.refresh_from_db()
    assert dossier.status == Dossier.Status.RECEIVED
    assert not page_errors, page_errors
