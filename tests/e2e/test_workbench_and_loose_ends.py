"""The desk officer's screen and the citizen's loose ends in a real browser, axe-checked at
1366x768 (an office laptop) and 390x844 (a phone): the workbench holds a dozen dossiers above
the fold; the supplement confirmation and the error pages (DEBUG off) pass axe."""

from __future__ import annotations

import pytest
from django.urls import reverse

from dossiers.services import actions
from tests.e2e import data
from tests.e2e.conftest import PHONE
from tests.e2e.helpers import assert_accessible, officer_login, pdf_file
from tests.e2e.journeys import key_from_outbox, look_up

pytestmark = pytest.mark.django_db(transaction=True)
LAPTOP = {"width": 1366, "height": 768}


def test_the_workbench_shows_a_dozen_dossiers_above_the_fold(desktop, shots, world, page_errors):
    for _n in range(20):
        data.online_dossier(world)
    officer_login(desktop, world.desk.username)
    desktop.set_viewport_size(LAPTOP)
    desktop.goto(reverse("officer-workbench") + "?queue=all")
    rows = desktop.locator(".workbench-table tbody tr")
    visible = sum(
        1
        for n in range(rows.count())
        if (box := rows.nth(n).bounding_box()) and box["y"] + box["height"] <= LAPTOP["height"]
    )
    shots(desktop, "ban-lam-viec-1366x768")
    assert visible >= 12, visible
    # The code and both dates, what a desk works by, are never cut short, down to 1280 wide.
    for width in (LAPTOP["width"], 1280):
        desktop.set_viewport_size({**LAPTOP, "width": width})
        cut = desktop.eval_on_selector_all(
            ".workbench-table tbody tr td:is(:nth-child(1), :nth-child(6), :nth-child(7))",
            "cells => cells.filter(c => c.scrollWidth > c.clientWidth).map(c => c.textContent)",
        )
        assert cut == [], (width, cut)
    desktop.set_viewport_size(LAPTOP)
    assert_accessible(desktop, "workbench 1366x768")
    desktop.set_viewport_size(PHONE)
    assert_accessible(desktop, "workbench 390x844")
    assert not page_errors, page_errors


def test_the_supplement_confirmation_passes_axe(phone, shots, world, tmp_path, page_errors):
    dossier = data.online_dossier(world)
    dossier = actions.dossier_receive(dossier=dossier, actor=world.desk)
    doc = world.procedure.documents.order_by("order").last()
    actions.dossier_request_supplement(
        dossier=dossier, actor=world.desk, document_ids=[doc.pk], reason="Ảnh bị mờ"
    )
    look_up(phone, shots, code=dossier.code, key=key_from_outbox(dossier))
    phone.goto(reverse("citizen-supplement", args=[dossier.code]))
    phone.locator("input[type=file]").set_input_files(str(pdf_file(tmp_path)))
    phone.get_by_role("button", name="Gửi hồ sơ bổ sung").click()
    phone.wait_for_url(f"**{reverse('citizen-supplement-sent', args=[dossier.code])}")
    assert "Đã gửi hồ sơ bổ sung" in phone.locator("h1").inner_text()
    shots(phone, "da-gui-bo-sung")
    assert_accessible(phone, "supplement sent 390x844")
    phone.set_viewport_size(LAPTOP)
    assert_accessible(phone, "supplement sent 1366x768")
    assert not page_errors, page_errors


@pytest.mark.parametrize("viewport", [LAPTOP, PHONE], ids=["1366x768", "390x844"])
def test_error_pages_with_debug_off_pass_axe(desktop, shots, world, settings, viewport):
    assert settings.DEBUG is False
    desktop.set_viewport_size(viewport)
    response = desktop.goto("/khong-co-trang-nay/")
    assert response.status == 404
    assert "Không tìm thấy trang bạn cần" in desktop.locator("h1").inner_text()
    assert_accessible(desktop, "404")
    desktop.goto(reverse("procedure-list"))
    desktop.context.clear_cookies()  # as when the cookie expired or the browser blocks it
    with desktop.expect_navigation():
        desktop.locator(".lang-switch button").click()
    assert "Phiên làm việc đã hết hạn" in desktop.title()
    shots(desktop, "loi-csrf")
    assert_accessible(desktop, "CSRF failure")
