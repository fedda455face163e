"""A district leader opens the dashboard, drills down to the dossiers behind a figure, and
downloads the appendix (the letter's table) as XLSX."""

from __future__ import annotations

import re

import pytest
from openpyxl import load_workbook

from dossiers.services.actions import dossier_receive
from tests.e2e import data
from tests.e2e.helpers import check_page, officer_login

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_leader_drills_down_from_the_dashboard_and_downloads_the_appendix(
    desktop, new_phone, shots, tmp_path, world, page_errors
):
    received = [
        dossier_receive(dossier=data.online_dossier(world), actor=world.desk) for _ in range(3)
    ]
    waiting = data.online_dossier(world)  # not received: counted nowhere yet

    officer_login(desktop, world.leader.username)
    desktop.goto("/bao-cao/")
    check_page(desktop, shots, "bang-dieu-hanh", phone=False)
    tile = desktop.locator(".kpi-tiles li").filter(has_text="hồ sơ tiếp nhận")
    assert tile.locator("strong").inner_text().strip() == "3"

    # Drill down: the figure lists exactly the dossiers behind it.
    tile.locator("a").click()
    desktop.wait_for_url(re.compile(r"/bao-cao/ho-so/\?"))
    check_page(desktop, shots, "danh-sach-ho-so", phone=False)
    rows = desktop.locator("main table tbody th[scope=row]")
    assert sorted(rows.all_inner_texts()) == sorted(d.code for d in received)
    assert waiting.code not in desktop.locator("main").inner_text()
    # ...and each code opens the dossier.
    rows.first.locator("a").click()
    desktop.wait_for_url(re.compile(r"/can-bo/ho-so/"))
    shots(desktop, "ho-so-tu-bao-cao")

    # The appendix, then its XLSX through the export job.
    desktop.goto("/bao-cao/phu-luc/")
    check_page(desktop, shots, "phu-luc", phone=False)
    desktop.get_by_role("button", name="Xuất Excel (.xlsx)").click()
    desktop.wait_for_url(re.compile(r"/bao-cao/xuat-tep/"))
    ready = desktop.locator("[data-export-ready] a")
    ready.wait_for(state="visible")
    check_page(desktop, shots, "tep-bao-cao", phone=False)
    with desktop.expect_download() as download:
        ready.click()
    path = tmp_path / download.value.suggested_filename
    download.value.save_as(path)
    assert path.suffix == ".xlsx"

    sheet = load_workbook(path).active
    cells = [[c for c in row if c is not None] for row in sheet.iter_rows(values_only=True)]
    text = " ".join(str(c) for row in cells for c in row)
    assert world.commune.name in text
    commune_row = next(row for row in cells if world.commune.name in row)
    assert 3 in commune_row  # three dossiers received by the commune

    # At 1366 px every column of every report shows without a sideways scroll, and the
    # printed page leaves the filters and buttons out.
    desktop.set_viewport_size({"width": 1366, "height": 768})
    for url in ("/bao-cao/phu-luc/", "/bao-cao/bieu-ii06a/", "/bao-cao/chi-so-766/"):
        desktop.goto(url)
        hidden = desktop.evaluate(
            "[...document.querySelectorAll('.table-wrap')]"
            ".filter(w => w.scrollWidth > w.clientWidth + 1).length"
        )
        assert hidden == 0, url
        assert (
            desktop.get_by_text("Tỷ lệ giải quyết %").first.is_visible()
            or url != "/bao-cao/phu-luc/"
        )
    desktop.goto("/bao-cao/phu-luc/")
    desktop.emulate_media(media="print")
    assert not desktop.locator(".report-filters").is_visible()
    assert desktop.locator("main table").first.is_visible()
    desktop.emulate_media(media="screen")

    # On a phone the dashboard and the appendix fit the width (wide tables scroll inside).
    phone = new_phone()
    officer_login(phone, world.leader.username)
    for url in ("/bao-cao/", "/bao-cao/phu-luc/"):
        phone.goto(url)
        check_page(phone, shots, "dien-thoai-" + url.strip("/").replace("/", "-"))

    # The other reports pass axe too.
    for url, label in [
        ("/bao-cao/bieu-ii06a/", "ii06a"),
        ("/bao-cao/chi-so-766/", "chi-so-766"),
        ("/bao-cao/danh-gia/", "danh-gia"),
        ("/bao-cao/doi-chieu/", "doi-chieu"),
    ]:
        assert desktop.goto(url).status == 200, url
        check_page(desktop, shots, label, phone=False)
    assert not page_errors, page_errors
