"""A dossier's life between the desk (desktop) and the citizen (phone): receive, transfer,
supplement answered with the key, resolve, return by post, rating."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from citizens.models import Rating
from dossiers.models import Dossier
from tests.e2e import data
from tests.e2e.helpers import check_page, officer_login, pdf_file
from tests.e2e.journeys import key_from_outbox, look_up, officer_action, open_dossier_as_officer

pytestmark = pytest.mark.django_db(transaction=True)
S = Dossier.Status


def _status(dossier: Dossier) -> str:
    dossier.refresh_from_db()
    return dossier.status


def test_desk_receives_transfers_asks_a_supplement_the_citizen_answers_and_rates(
    desktop, new_desktop, phone, shots, tmp_path, world, page_errors
):
    dossier = data.online_dossier(world)
    key = key_from_outbox(dossier)

    # The desk receives the dossier, hands it to the specialist, asks for a supplement.
    officer_login(desktop, world.desk.username)
    open_dossier_as_officer(desktop, shots, dossier.code, "mot-cua")
    officer_action(desktop, "Tiếp nhận hồ sơ")
    assert _status(dossier) == S.RECEIVED
    shots(desktop, "da-tiep-nhan")

    def to_specialist(box):
        box.get_by_label("Chuyển đến đơn vị").select_option(label=world.commune.name)
        box.get_by_label("Cán bộ nhận (không bắt buộc)").select_option(
            label="Tòng Thị Xử (tu-phap) – UBND xã Mường Khoa"
        )
        box.get_by_label("Ghi chú").fill("Chuyển công chức tư pháp - hộ tịch thẩm định.")

    officer_action(desktop, "Chuyển xử lý", to_specialist)
    dossier.refresh_from_db()
    assert (dossier.status, dossier.assigned_to) == (S.PROCESSING, world.specialist)
    shots(desktop, "da-chuyen")  # back to the queue
    open_dossier_as_officer(desktop, shots, dossier.code, "mot-cua-mo-lai")

    def ask(box):
        box.get_by_label("Giấy chứng sinh").check()
        box.get_by_label("Lý do").fill("Ảnh giấy chứng sinh bị mờ, vui lòng chụp lại.")

    officer_action(desktop, "Yêu cầu bổ sung", ask)
    assert _status(dossier) == S.SUPPLEMENT_REQUESTED
    check_page(desktop, shots, "da-yeu-cau-bo-sung", phone=False)

    # The citizen answers the supplement on the phone with the key from the first SMS.
    look_up(phone, shots, code=dossier.code, key=key, label="cong-dan-tra-cuu")
    expect(phone.locator(".supplement-request")).to_contain_text("Giấy chứng sinh")
    phone.get_by_role("link", name="Bổ sung hồ sơ").click()
    phone.wait_for_url(re.compile(r"/bo-sung/$"))
    check_page(phone, shots, "cong-dan-bo-sung")
    phone.locator("main input[type=file]").first.set_input_files(
        str(pdf_file(tmp_path, "giay-chung-sinh-ro.pdf"))
    )
    phone.get_by_label("Ghi chú cho cán bộ (không bắt buộc)").fill("Đã chụp lại rõ hơn.")
    phone.get_by_role("button", name="Gửi hồ sơ bổ sung").click()
    phone.wait_for_url(re.compile(rf"/tra-cuu/ho-so/{re.escape(dossier.code)}/bo-sung/da-gui/$"))
    check_page(phone, shots, "cong-dan-da-bo-sung")
    assert _status(dossier) == S.PROCESSING
    assert dossier.files.filter(original_name="giay-chung-sinh-ro.pdf").exists()

    # The specialist resolves it.
    specialist = new_desktop()
    officer_login(specialist, world.specialist.username)
    open_dossier_as_officer(specialist, shots, dossier.code, "chuyen-vien")

    def approve(box):
        box.get_by_label("Giải quyết", exact=True).check()
        box.get_by_label(re.compile("Nội dung, lý do")).fill("Đủ điều kiện, cấp giấy khai sinh.")

    officer_action(specialist, "Giải quyết hồ sơ", approve)
    assert _status(dossier) == S.RESOLVED
    shots(specialist, "da-giai-quyet")

    # The desk returns the result by post. A result goes out by post only once its fee is
    # paid: the citizen paid the 8.000 đ by bank transfer, and the desk records it first.
    open_dossier_as_officer(desktop, shots, dossier.code, "mot-cua-tra")
    fee = desktop.locator("section[aria-labelledby=h-payments]")
    fee.locator("summary", has_text="Ghi nhận thanh toán").click()
    fee.get_by_label("Hình thức thanh toán").select_option("transfer")
    fee.get_by_label(re.compile("Số biên lai")).fill("FT26340123456")
    fee.get_by_role("button", name="Ghi nhận").click()
    desktop.wait_for_url(re.compile(rf"/can-bo/ho-so/{re.escape(dossier.code)}/$"))
    expect(desktop.locator("main")).to_contain_text("Đã ghi nhận thanh toán 8.000 đồng")

    def by_post(box):
        # A name typed for the counter, then the post chosen: the hidden name is not sent.
        box.get_by_role("radio", name="Nhận tại cơ quan").check()
        box.get_by_label("Họ tên người nhận").fill("Người nhận tại quầy")
        box.get_by_role("radio", name=re.compile("bưu")).check()
        box.get_by_label("Số hiệu bưu gửi").fill("EB123456785VN")
        expect(box.locator("input[name=take_fee]")).to_have_count(0)  # nothing owed now

    officer_action(desktop, "Trả kết quả", by_post)
    dossier.refresh_from_db()
    assert (dossier.status, dossier.return_method) == (S.RETURNED, Dossier.Delivery.POST)
    assert dossier.return_recipient == ""
    check_page(desktop, shots, "da-tra-ket-qua", phone=False)

    # The citizen rates the service.
    look_up(phone, shots, code=dossier.code, key=key, label="cong-dan-tra-cuu-lai")
    phone.get_by_role("link", name="Đánh giá chất lượng phục vụ").click()
    check_page(phone, shots, "cong-dan-danh-gia")
    phone.get_by_label("Rất hài lòng").check()
    phone.get_by_label("Góp ý (không bắt buộc)").fill("Cán bộ hướng dẫn tận tình.")
    phone.get_by_role("button", name="Gửi đánh giá").click()
    phone.wait_for_load_state()
    check_page(phone, shots, "cong-dan-da-danh-gia")
    assert Rating.objects.get(dossier=dossier).score == Rating.Score.VERY_SATISFIED
    assert not page_errors, page_errors
