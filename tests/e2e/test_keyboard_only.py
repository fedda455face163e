"""The whole submission with the keyboard alone: Tab, Shift+Tab, arrows, Space and Enter (and
typing into fields). No mouse click anywhere; focus lands where a keyboard user expects it."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from dossiers.models import Dossier
from tests.e2e import data
from tests.e2e.helpers import assert_no_sideways_scroll, focused, jpeg_file, pdf_file

pytestmark = pytest.mark.django_db(transaction=True)
MAX_TABS = 80


def _matches(page: Any, selector: str) -> bool:
    return page.evaluate(
        "s => document.activeElement && document.activeElement.matches(s)", selector
    )


def assert_focus_visible(page: Any) -> None:
    """The focused element shows where the keyboard is (an outline that is not removed)."""
    style = page.evaluate(
        """() => { const s = getComputedStyle(document.activeElement);
                   return {style: s.outlineStyle, width: parseFloat(s.outlineWidth),
                           shadow: s.boxShadow}; }"""
    )
    visible = (style["style"] != "none" and style["width"] >= 2) or style["shadow"] != "none"
    assert visible, (focused(page), style)


def tab_to(page: Any, selector: str, *, back: bool = False) -> None:
    """Press Tab (or Shift+Tab) until the focused element matches `selector`."""
    seen = []
    for _ in range(MAX_TABS):
        if _matches(page, selector):
            assert_focus_visible(page)
            return
        page.keyboard.press("Shift+Tab" if back else "Tab")
        seen.append(focused(page))
    raise AssertionError(f"{selector} never got the focus on {page.url}; went through {seen}")


def arrow_until(page: Any, selector: str, value: str, key: str = "ArrowDown") -> None:
    """Move a focused select or radio group with the arrow keys until it holds `value`."""
    tab_to(page, selector)
    for _ in range(120):
        current = page.evaluate(
            """s => { const el = document.activeElement;
                      if (el.type === 'radio') {
                          const c = document.querySelector(`input[name='${el.name}']:checked`);
                          return c ? c.value : ''; }
                      return el.value; }""",
            selector,
        )
        if current == value:
            return
        page.keyboard.press(key)
    raise AssertionError(f"{selector} never reached {value!r}")


def choose_file_with_space(page: Any, selector: str, path: Any) -> None:
    """Space on the focused file input opens the file chooser. Chromium now and then drops a
    chooser that opens right after the previous one closed: press Space again, as a person
    would, at most three times."""
    for _ in range(3):
        try:
            with page.expect_file_chooser(timeout=5_000) as chooser:
                page.keyboard.press("Space")
        except PlaywrightTimeout:
            assert _matches(page, selector), focused(page)
            continue
        chooser.value.set_files(str(path))
        assert page.evaluate("s => document.querySelector(s).files.length", selector) == 1
        return
    raise AssertionError(f"Space never opened the file chooser of {selector}")


def press_and_wait(page: Any, key: str = "Enter") -> None:
    before = page.url
    page.keyboard.press(key)
    page.wait_for_url(lambda url: url != before)


def assert_heading_focused(page: Any, text: str) -> None:
    now = focused(page)
    assert now["tag"] == "h1", now
    assert text in now["text"], now


def test_a_citizen_submits_the_whole_dossier_with_the_keyboard_alone(
    phone, shots, tmp_path, world, page_errors
):
    page = phone
    page.goto("/")
    tab_to(page, "main input[type=search]")
    page.keyboard.type("khai sinh")
    press_and_wait(page)
    tab_to(page, f"main a[href$='/thu-tuc/{world.procedure.code}/']")
    press_and_wait(page)
    tab_to(page, "main a[href^='/nop-ho-so/']")
    press_and_wait(page)
    tab_to(page, "main form button[type=submit]")
    press_and_wait(page)
    shots(page, "buoc-1")

    # Step 1: the heading has the focus; the arrow keys choose the unit.
    assert_heading_focused(page, "")
    arrow_until(page, "input[name=unit]", world.commune.code)
    tab_to(page, "main form button.primary")
    press_and_wait(page)

    # Step 2: sent empty first: the focus is on the error summary; its first link leads to
    # the first field in error.
    assert_heading_focused(page, "")
    tab_to(page, "main form button.primary")
    page.keyboard.press("Enter")
    page.wait_for_selector("#error-summary")
    assert focused(page)["id"] == "error-summary"
    shots(page, "buoc-2-loi")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('#error-summary') !== null")
    page.keyboard.press("Enter")
    assert focused(page)["id"] == "id_full_name"
    page.keyboard.type(data.NAME)
    tab_to(page, "#id_id_number")
    page.keyboard.type(data.ID_NUMBER)
    tab_to(page, "#id_phone")
    page.keyboard.type(data.PHONE_TYPED)
    arrow_until(page, "#id_province", "12")
    page.locator("#id_ward option[value='3601']").wait_for(state="attached")
    arrow_until(page, "#id_ward", "3601")
    tab_to(page, "#id_street")
    page.keyboard.type(data.STREET)
    # Back with Shift+Tab to check the ward kept its value, then on.
    tab_to(page, "#id_ward", back=True)
    assert page.locator("#id_ward").input_value() == "3601"
    tab_to(page, "main form button.primary")
    shots(page, "buoc-2-da-dien")
    press_and_wait(page)

    # Step 3: each file input opens the file chooser from the keyboard.
    assert_heading_focused(page, "")
    files = [pdf_file(tmp_path), jpeg_file(tmp_path)]
    for index, path in enumerate(files):
        selector = f"main .document:nth-of-type({index + 1}) input[type=file]"
        tab_to(page, selector)
        choose_file_with_space(page, selector, path)
    tab_to(page, "main form button[value=continue]")
    press_and_wait(page)

    # Step 4: delivery by post with the arrow keys; the copy button with Space.
    assert_heading_focused(page, "")
    arrow_until(page, "input[name=delivery]", "post")
    tab_to(page, "[data-copy-address]")
    page.keyboard.press("Space")
    page.locator("#id_street:focus").wait_for()  # the script moves on to the street
    assert page.locator("#id_ward").input_value() == "3601"
    assert page.locator("#id_street").input_value() == data.STREET
    tab_to(page, "main form button.primary")
    shots(page, "buoc-4")
    press_and_wait(page)

    # Step 5: review.
    assert_heading_focused(page, "")
    tab_to(page, "main form button.primary")
    press_and_wait(page)

    # Step 6: payment method, captcha, declaration, submit.
    assert_heading_focused(page, "")
    tab_to(page, "input[name=payment_method]")
    page.keyboard.press("Space")
    tab_to(page, "#id_captcha_value")
    page.keyboard.type("PASSED")
    tab_to(page, "#id_declaration")
    page.keyboard.press("Space")
    assert page.locator("#id_declaration").is_checked()
    tab_to(page, "main form button[data-submit-button]")
    shots(page, "buoc-6")
    press_and_wait(page)

    assert re.search(r"/da-nop/$", page.url)
    shots(page, "da-nop")
    assert_no_sideways_scroll(page)
    dossier = Dossier.objects.get(applicant_id_number=data.ID_NUMBER)
    assert (dossier.unit, dossier.delivery) == (world.commune, Dossier.Delivery.POST)
    assert dossier.files.count() == 2
    assert not page_errors, page_errors
