"""A citizen signs in with the national account (a real OpenID Connect provider started
locally, its own login and consent pages), submits a dossier the wizard filled in from the
user info, and signs out at the provider too."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from citizens.models import CitizenProfile
from dossiers.models import Dossier
from tests.e2e.helpers import check_page, jpeg_file, pdf_file
from tests.e2e.journeys import NATIONAL_BUTTON as BUTTON
from tests.e2e.journeys import continue_step, provider_sign_in
from tests.fakes.oidc import CITIZEN

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_citizen_signs_in_with_vneid_and_submits_a_dossier_filled_in_for_them(
    phone, shots, tmp_path, world, provider, page_errors, live_server
):
    procedure = world.procedure
    phone.goto(f"/nop-ho-so/{procedure.code}/")
    check_page(phone, shots, "bat-dau")
    assert not page_errors, page_errors
    phone.get_by_role("link", name=BUTTON).click()

    provider_sign_in(phone, provider, CITIZEN["login"], shots)

    # Back on the wizard's start page, signed in: no second offer to sign in.
    phone.wait_for_url(re.compile(rf"/nop-ho-so/{re.escape(procedure.code)}/$"))
    # The provider's development pages fetch resources from the internet (which the test
    # machine lacks): what they logged is theirs; from here on the pages are ours again.
    page_errors.clear()
    check_page(phone, shots, "da-dang-nhap")
    expect(phone.get_by_role("link", name=BUTTON)).to_have_count(0)
    phone.get_by_role("button", name="Bắt đầu nộp hồ sơ").click()

    phone.wait_for_url(re.compile(r"/don-vi/$"))
    phone.get_by_label(world.commune.name).check()
    continue_step(phone)

    # The applicant, filled in from the user info: the name whole, as written.
    check_page(phone, shots, "nguoi-nop-dien-san")
    expect(phone.get_by_label("Họ và tên người nộp")).to_have_value("Nguyễn Văn An")
    expect(phone.get_by_label(re.compile(r"^Số định danh cá nhân"))).to_have_value(
        CITIZEN["SoDinhDanh"]
    )
    expect(phone.get_by_label("Số điện thoại di động")).to_have_value("0912 345 678")
    expect(phone.get_by_label("Tỉnh, thành phố")).to_have_value("12")
    expect(phone.get_by_label("Xã, phường, đặc khu")).to_have_value("3601")
    expect(phone.get_by_label("Số nhà, đường, thôn/bản/tổ")).to_have_value("Bản Nà Bó")
    continue_step(phone)

    inputs = phone.locator("main input[type=file]")
    inputs.nth(0).set_input_files(str(pdf_file(tmp_path)))
    inputs.nth(1).set_input_files(str(jpeg_file(tmp_path)))
    continue_step(phone)
    continue_step(phone)  # delivery: at the counter
    continue_step(phone, "Thông tin đã đúng, tiếp tục")

    phone.locator("main input[name=payment_method]").first.check()
    phone.get_by_label("Nhập mã xác nhận").fill("PASSED")
    phone.get_by_label(re.compile("Tôi xin chịu trách nhiệm")).check()
    phone.get_by_role("button", name="Đồng ý và nộp hồ sơ").click()
    phone.wait_for_url(re.compile(r"/da-nop/$"))
    check_page(phone, shots, "da-nop")

    dossier = Dossier.objects.get()
    assert dossier.applicant_name == "Nguyễn Văn An"
    assert dossier.applicant_id_number == CITIZEN["SoDinhDanh"]
    assert dossier.applicant_tech_id == CITIZEN["TechID"]
    assert dossier.applicant_vneid_verified is True
    assert dossier.citizen_id == CitizenProfile.objects.get(tech_id=CITIZEN["TechID"]).user_id

    # Signing out here signs out at the provider too (id_token_hint), then comes home.
    phone.goto("/tai-khoan/ho-so-cua-toi/")
    assert dossier.code in phone.locator("main").inner_text()
    assert not page_errors, page_errors
    phone.get_by_role("button", name="Đăng xuất").click()
    phone.wait_for_url(re.compile(re.escape(provider.issuer) + "/session/end"))
    shots(phone, "nha-cung-cap-dang-xuat")
    phone.locator("button[autofocus], button[name=logout]").first.click()
    phone.wait_for_url(re.compile(re.escape(live_server.url) + r"/(\?state=[\w-]+)?$"))
    page_errors.clear()
    phone.reload()
    expect(phone.locator("nav").get_by_role("link", name="Đăng nhập")).to_be_visible()
    assert not page_errors, page_errors
