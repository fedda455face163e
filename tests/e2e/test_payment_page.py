"""The citizen's payment page in a real browser at 1366x768 (an office laptop) and 390x844 (a
phone): axe at zero serious or critical, the copy buttons, the QR image to save, the banking
apps' deep links and 44 px tap targets."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from PIL import Image
from playwright.sync_api import expect

from payments import selectors
from payments.bank_apps import BANK_APPS
from payments.models import PaymentAccount
from tests.e2e import data
from tests.e2e.conftest import PHONE
from tests.e2e.helpers import assert_accessible, assert_no_sideways_scroll
from tests.e2e.journeys import key_from_outbox

pytestmark = pytest.mark.django_db(transaction=True)
LAPTOP = {"width": 1366, "height": 768}
ACCOUNT = "12010000123456"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

# Every button and link of the page's content that is shown, with its height in CSS pixels.
TAP_TARGETS = """() => Array.from(document.querySelectorAll('main a[href], main button'))
    .filter(el => el.getClientRects().length && getComputedStyle(el).visibility !== 'hidden')
    .map(el => ({name: (el.innerText || el.getAttribute('aria-label') || '').trim()
                       .replace(/\\s+/g, ' ').slice(0, 60),
                 height: el.getBoundingClientRect().height}))"""


@pytest.fixture
def account(world: Any) -> PaymentAccount:
    """A real (not demo) account of the district on a bank with known deep links (BIDV)."""
    return PaymentAccount.objects.create(
        unit=world.district,
        bank_bin="970418",
        bank_name="BIDV",
        account_number=ACCOUNT,
        account_name="UBND HUYEN TAN UYEN",
    )


@pytest.fixture
def national_gateway(settings: Any) -> None:
    """The national platform's gateway configured, so its button is on the page too (it is
    only called when the citizen presses it)."""
    settings.NATIONAL_PAY_URL = "http://127.0.0.1:9/thanh-toan"
    settings.NATIONAL_PAY_PARTNER_CODE = "MOTCUA"
    settings.NATIONAL_PAY_SECRET = "bi-mat-e2e"


def _look_up_and_open_payment(page: Any, code: str, key: str) -> None:
    """As the citizen does: the look-up with the SMS's key, then the dossier's pay button."""
    page.goto("/tra-cuu/")
    page.get_by_label("Mã hồ sơ").fill(code)
    page.get_by_label(re.compile("Mã tra cứu")).fill(key)
    captcha = page.get_by_label("Nhập mã xác nhận")
    if captcha.count():
        captcha.fill("PASSED")
    page.locator("main form button[type=submit]").last.click()
    page.wait_for_url(re.compile(rf"/tra-cuu/ho-so/{re.escape(code)}/"))
    page.locator("main").get_by_role("link", name="Thanh toán phí, lệ phí").click()
    page.wait_for_url(re.compile(rf"/tra-cuu/ho-so/{re.escape(code)}/thanh-toan/$"))


def _check_payment_page(page: Any, shots: Any, where: str, *, code: str, owed: int) -> None:
    main = page.locator("main")
    expect(main.locator("h1")).to_have_text("Thanh toán phí, lệ phí")
    shots(page, f"thanh-toan-{where}")
    assert_accessible(page, f"payment page {where}")
    assert_no_sideways_scroll(page, f"payment page {where}")

    small = [t for t in page.evaluate(TAP_TARGETS) if t["height"] < 44]
    assert not small, f"tap targets under 44 px at {where}: {small}"

    # Copy buttons: each puts its value on the clipboard, and the page says so.
    status = main.locator(".copy-status")
    expect(status).to_be_empty()
    for name, value in (
        ("Sao chép số tài khoản", ACCOUNT),
        ("Sao chép số tiền", str(owed)),
        ("Sao chép nội dung chuyển khoản", code),
    ):
        main.get_by_role("button", name=name).click()
        expect(status).to_have_text("Đã sao chép")
        assert page.evaluate("navigator.clipboard.readText()") == value, (where, name)

    # The QR code as an image to save: a real PNG named after the dossier.
    with page.expect_download() as info:
        main.get_by_role("link", name="Tải ảnh QR").click()
    download = info.value
    assert download.suggested_filename == f"vietqr-{code}.png"
    content = Path(download.path()).read_bytes()
    assert content.startswith(PNG_SIGNATURE), content[:16]
    image = Image.open(io.BytesIO(content))
    assert image.format == "PNG"
    assert min(image.size) >= 250, image.size

    # One deep link per common banking app, the transfer filled in.
    links = main.locator(".bank-apps a")
    expect(links).to_have_count(len(BANK_APPS))
    for n in range(links.count()):
        parts = urlsplit(links.nth(n).get_attribute("href"))
        assert (parts.scheme, parts.netloc, parts.path) == ("https", "dl.vietqr.io", "/pay")
        query = parse_qs(parts.query)
        assert query["app"] == [BANK_APPS[n][0]]
        assert query["am"] == [str(owed)], (where, query)
        assert query["tn"] == [code]
        assert query["ba"] == [f"{ACCOUNT}@bidv"]


def test_the_payment_page_at_1366x768_and_390x844(
    browser: Any,
    phone: Any,
    desktop: Any,
    live_server: Any,
    shots: Any,
    world: Any,
    account: PaymentAccount,
    national_gateway: None,
    page_errors: list[str],
) -> None:
    dossier = data.online_dossier(world)
    owed = selectors.payment_owed(dossier=dossier)
    assert owed > 0
    assert selectors.payment_is_due(dossier=dossier)
    for page in (phone, desktop):
        page.context.grant_permissions(
            ["clipboard-read", "clipboard-write"], origin=live_server.url
        )

    assert phone.viewport_size == PHONE
    _look_up_and_open_payment(phone, dossier.code, key_from_outbox(dossier))
    _check_payment_page(phone, shots, "390x844", code=dossier.code, owed=owed)

    # The same citizen's session on a laptop: the key proven once is enough.
    desktop.set_viewport_size(LAPTOP)
    desktop.context.add_cookies(phone.context.cookies())
    desktop.goto(f"/tra-cuu/ho-so/{dossier.code}/thanh-toan/")
    _check_payment_page(desktop, shots, "1366x768", code=dossier.code, owed=owed)
    assert not page_errors, page_errors
