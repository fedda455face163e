"""Steps the journeys share: the letter's ten steps on a phone, the look-up with the key."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from playwright.sync_api import expect

from dossiers.models import Dossier
from notifications.models import SmsMessage
from tests.e2e import data
from tests.e2e.helpers import check_page, jpeg_file, pdf_file

STEP_HEADING = re.compile(r"Bước (\d+)/(\d+)")
NATIONAL_BUTTON = "Đăng nhập bằng tài khoản định danh điện tử (VNeID) / Cổng DVC quốc gia"


def step_counter(page: Any) -> tuple[int, int]:
    match = STEP_HEADING.search(page.locator(".steps-indicator").inner_text())
    assert match, page.url
    return int(match.group(1)), int(match.group(2))


def continue_step(page: Any, name: str = "Đồng ý và tiếp tục") -> None:
    before = page.url
    page.locator("main form").get_by_role("button", name=name).click()
    page.wait_for_url(lambda url: url != before)


def choose_address(page: Any, province: str = "12", ward: str = "3601") -> None:
    """Pick the province, let the page's script load its communes, pick the commune."""
    page.wait_for_load_state("load")  # the page's scripts listen for the province change
    with page.expect_response(re.compile(rf"/nop-ho-so/dia-ban/{province}/$")) as response:
        page.get_by_label("Tỉnh, thành phố").select_option(province)
    assert response.value.ok
    select = page.get_by_label("Xã, phường, đặc khu")
    select.locator(f"option[value='{ward}']").wait_for(state="attached")
    select.select_option(ward)
    expect(select).to_have_value(ward)


def submit_letter_ten_steps(page: Any, shots: Any, tmp: Path, world: data.World) -> Dossier:
    """Search, read, unit, applicant, files, delivery by post (copy address), captcha, fee and
    payment method, declaration, submit. Checks axe and sideways scrolling on every page."""
    # 1. Search the catalogue from the home page.
    page.goto("/")
    check_page(page, shots, "trang-chu")
    page.get_by_role("searchbox").first.fill("khai sinh")
    page.get_by_role("button", name="Tìm thủ tục").click()
    page.wait_for_url(re.compile(r"/thu-tuc/\?"))
    check_page(page, shots, "ket-qua-tim-kiem")

    # 2. Read the procedure.
    page.get_by_role("link", name=world.procedure.name).first.click()
    page.wait_for_url(re.compile(rf"/thu-tuc/{re.escape(world.procedure.code)}/$"))
    check_page(page, shots, "thong-tin-thu-tuc")
    page.locator("main").get_by_role("link", name="Nộp hồ sơ trực tuyến").click()
    page.wait_for_url(re.compile(r"/nop-ho-so/"))
    check_page(page, shots, "bat-dau")
    page.get_by_role("button", name="Bắt đầu nộp hồ sơ").click()

    # 3. Choose the unit.
    page.wait_for_url(re.compile(r"/don-vi/$"))
    assert step_counter(page) == (1, 6)
    check_page(page, shots, "buoc-1-don-vi")
    page.get_by_label(world.commune.name).check()
    continue_step(page)

    # 4. Fill in the applicant.
    assert step_counter(page) == (2, 6)
    check_page(page, shots, "buoc-2-nguoi-nop")
    page.get_by_label("Họ và tên người nộp").fill(data.NAME)
    page.get_by_label(re.compile(r"^Số định danh cá nhân")).fill(data.ID_NUMBER)
    page.get_by_label("Số điện thoại di động").fill(data.PHONE_TYPED)
    choose_address(page)
    page.get_by_label("Số nhà, đường, thôn/bản/tổ").fill(data.STREET)
    continue_step(page)

    # 5. Attach a real PDF and a real JPEG.
    assert step_counter(page) == (3, 6)
    check_page(page, shots, "buoc-3-giay-to")
    inputs = page.locator("main input[type=file]")
    assert inputs.count() == 2
    inputs.nth(0).set_input_files(str(pdf_file(tmp)))
    inputs.nth(1).set_input_files(str(jpeg_file(tmp)))
    upload: dict[str, Any] = {}

    def watch(route: Any) -> None:
        if route.request.method == "POST":
            upload["by"] = route.request.resource_type
            upload["bar shown"] = page.locator("[data-upload-progress]").is_visible()
        route.continue_()

    page.route(re.compile(r"/giay-to/$"), watch)
    continue_step(page)
    page.unroute(re.compile(r"/giay-to/$"))
    # The files went up through the script that shows the upload's progress.
    assert upload == {"by": "xhr", "bar shown": True}

    # 6. Delivery by post, copying the applicant's address.
    assert step_counter(page) == (4, 6)
    page.get_by_label(re.compile("bưu điện|bưu chính")).check()
    copy = page.get_by_role("button", name="Lấy địa chỉ từ thông tin người nộp")
    copy.click()
    expect(page.locator("#id_ward")).to_have_value("3601")
    assert page.get_by_label("Số nhà, đường, thôn/bản/tổ").input_value() == data.STREET
    check_page(page, shots, "buoc-4-nhan-ket-qua")
    continue_step(page)

    # Review.
    assert step_counter(page) == (5, 6)
    check_page(page, shots, "buoc-5-kiem-tra")
    main = page.locator("main").inner_text()
    assert data.NAME in main
    assert "to-khai.pdf" in main
    continue_step(page, "Thông tin đã đúng, tiếp tục")

    # 7-9. Captcha (test mode), fee and payment method, declaration.
    assert step_counter(page) == (6, 6)
    assert "8.000 đồng" in page.locator(".fee").inner_text()
    check_page(page, shots, "buoc-6-xac-nhan")
    methods = page.locator("main input[name=payment_method]")
    assert methods.count() >= 1
    methods.first.check()
    page.get_by_label("Nhập mã xác nhận").fill("PASSED")
    page.get_by_label(re.compile("Tôi xin chịu trách nhiệm")).check()
    shots(page, "buoc-6-da-dien")

    # 10. Submit.
    page.get_by_role("button", name="Đồng ý và nộp hồ sơ").click()
    page.wait_for_url(re.compile(r"/da-nop/$"))
    check_page(page, shots, "da-nop")
    dossier = Dossier.objects.get(applicant_id_number=data.ID_NUMBER)
    assert dossier.code in page.locator(".dossier-code").inner_text()
    assert dossier.delivery == Dossier.Delivery.POST
    assert data.STREET in dossier.delivery_address
    assert dossier.files.count() == 2
    return dossier


def key_from_outbox(dossier: Dossier, *, nth: int = 0) -> str:
    """The look-up key from the SMS in the outbox (the n-th message that carries one)."""
    bodies = [m.body for m in SmsMessage.objects.filter(dossier=dossier).order_by("id")]
    keys = [
        m.group(1)
        for b in bodies
        if (m := re.search(r"Mã tra cứu(?: mới)?(?: của hồ sơ \S+)?: ([A-Z0-9]{8,})", b))
    ]
    assert len(keys) > nth, bodies
    return keys[nth]


def look_up(page: Any, shots: Any, *, code: str, key: str, label: str = "tra-cuu") -> None:
    page.goto("/tra-cuu/")
    check_page(page, shots, label)
    page.get_by_label("Mã hồ sơ").fill(code)
    page.get_by_label(re.compile("Mã tra cứu")).fill(key)
    captcha = page.get_by_label("Nhập mã xác nhận")
    if captcha.count():
        captcha.fill("PASSED")
    page.locator("main form").locator("button[type=submit]").last.click()
    page.wait_for_url(re.compile(rf"/tra-cuu/ho-so/{re.escape(code)}/"))
    check_page(page, shots, label + "-ket-qua")


def officer_action(page: Any, label: str, fill: Any = None) -> None:
    """Open one of the dossier page's actions, fill its form, send it."""
    box = page.locator("details.officer-action").filter(has=page.locator("summary", has_text=label))
    if box.get_attribute("open") is None:  # the step the dossier waits for is open already
        box.locator("summary").click()
    if fill is not None:
        fill(box)
    box.locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert not page.locator(".error-summary").count(), page.locator("main").inner_text()[:800]


def open_dossier_as_officer(page: Any, shots: Any, code: str, label: str) -> None:
    page.goto("/can-bo/")
    check_page(page, shots, f"{label}-ban-lam-viec", phone=False)
    page.locator("main").get_by_role("link", name=code).first.click()
    page.wait_for_url(re.compile(rf"/can-bo/ho-so/{re.escape(code)}/$"))
    check_page(page, shots, f"{label}-ho-so", phone=False)


def provider_sign_in(page: Any, provider: Any, login: str, shots: Any = None) -> None:
    """The national provider's own pages (tests/fakes/oidc_provider.mjs): log in, consent."""
    page.wait_for_url(re.compile(re.escape(provider.issuer) + "/interaction/"))
    if shots is not None:
        shots(page, "nha-cung-cap-dang-nhap")
    page.locator("input[name=login]").fill(login)
    page.locator("input[name=password]").fill("mat-khau-vneid")
    page.get_by_role("button", name="Sign-in").click()
    page.wait_for_url(re.compile(re.escape(provider.issuer) + "/interaction/"))
    if shots is not None:
        shots(page, "nha-cung-cap-dong-y")
    page.get_by_role("button", name="Continue").click()
