"""A visitor switches the portal to English: the pages come in English (lang="en"), pass axe
and fit the phone."""

from __future__ import annotations

import re

import pytest

from tests.e2e.helpers import check_page

pytestmark = pytest.mark.django_db(transaction=True)
VIETNAMESE = re.compile(r"[đĐơƠưƯạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]")


def _chrome_text(page) -> str:
    """The portal's own words: header, navigation, headings, labels, buttons, footer."""
    return page.evaluate(
        """() => Array.from(document.querySelectorAll(
                'header, nav, h1, h2, label, legend, button, .steps-indicator, footer'))
            .map(el => el.innerText).join('\\n')"""
    )


def test_the_portal_switches_to_english_and_stays_accessible(phone, shots, world, page_errors):
    phone.goto("/")
    phone.get_by_role("button", name="English").click()
    phone.wait_for_load_state()
    assert phone.locator("html").get_attribute("lang") == "en"
    assert phone.get_by_role("button", name="Tiếng Việt").count() == 1
    for url, label in [
        ("/", "home"),
        ("/thu-tuc/", "procedures"),
        ("/thu-tuc/1.001193/", "procedure"),
        ("/tra-cuu/", "look-up"),
        ("/huong-dan/", "help"),
        ("/nop-ho-so/1.001193/", "start"),
    ]:
        phone.goto(url)
        check_page(phone, shots, f"en-{label}")
        # Units' names (the header names the province the portal serves), place names,
        # procedure names and the other language's name stay as they are.
        words = _chrome_text(phone).replace("Tiếng Việt", "")
        for name in ("Tỉnh Lai Châu", "Tân Uyên", "Lai Châu", world.procedure.name, "khai sinh"):
            words = words.replace(name, "")
        assert not VIETNAMESE.search(words), (url, VIETNAMESE.findall(words)[:10], words[:500])
    phone.get_by_role("button", name="Start the application").click()
    phone.wait_for_url(re.compile(r"/don-vi/$"))
    assert phone.locator(".steps-indicator").inner_text().strip() == "Step 1 of 6"
    check_page(phone, shots, "en-step-1")
    assert not page_errors, page_errors
