"""The common path of a dossier, counted in clicks: the desk receives it, prints Mẫu 01 and
hands it to the handling office in one step; the specialist resolves it; the desk returns it
by post. At most 9 clicks for the dossier (signing in, once a day, is not counted; typing
the tracking number is keyboard, not a click; choosing the result file is one click)."""

from __future__ import annotations

import re

import pytest

from dossiers.models import Dossier
from dossiers.services import actions
from payments.services import payment_confirm
from portal.models import Role
from tests.e2e import data
from tests.e2e.helpers import assert_accessible, officer_login, officer_user, pdf_file

pytestmark = pytest.mark.django_db(transaction=True)
S = Dossier.Status
LAPTOP = {"width": 1366, "height": 768}
MOST_CLICKS = 9


class Clicks:
    def __init__(self) -> None:
        self.n = 0

    def __call__(self, locator) -> None:
        self.n += 1
        locator.click()


def test_receive_print_transfer_resolve_and_return_by_post_in_nine_clicks(
    desktop, new_desktop, shots, world, tmp_path, page_errors
):
    office = officer_user(
        "tp-huyen", world.justice_office, Role.SPECIALIST, full_name="Hoàng Văn Dũng"
    )
    # An earlier dossier of the same procedure went to the justice office: it is the usual one.
    earlier = actions.dossier_receive(dossier=data.online_dossier(world), actor=world.desk)
    actions.dossier_transfer(dossier=earlier, actor=world.desk, to_unit=world.justice_office)
    dossier = data.online_dossier(world)
    # Its fee was paid by transfer (a result is not handed back with the fee owed: that case
    # is the full journey's, tests/e2e/test_officer_and_citizen.py).
    payment_confirm(dossier=dossier, actor=world.desk, method="transfer", reference="FT26001")
    click = Clicks()

    # The desk: open the dossier from the queue, receive and hand over, print Mẫu 01.
    desktop.set_viewport_size(LAPTOP)
    officer_login(desktop, world.desk.username)
    desktop.goto("/can-bo/")
    click(desktop.locator("main").get_by_role("link", name=dossier.code))
    receive = desktop.locator("details.officer-action[open]")
    assert "Tiếp nhận hồ sơ" in receive.locator("summary").inner_text()
    assert receive.get_by_label("Chuyển ngay đến đơn vị xử lý").input_value() == "111-TP"
    click(receive.locator("button[type=submit]"))
    desktop.wait_for_url(re.compile(r"/can-bo/$"))
    with desktop.context.expect_page() as receipt:
        click(desktop.locator(".messages").get_by_role("link", name=re.compile("In phiếu")))
    assert "/phieu/receipt.pdf" in receipt.value.url
    receipt.value.close()
    dossier.refresh_from_db()
    assert (dossier.status, dossier.handling_unit) == (S.PROCESSING, world.justice_office)
    shots(desktop, "mot-cua-xong")

    # The specialist: the dossier waits in their queue; resolve it with the result file.
    specialist = new_desktop()
    specialist.set_viewport_size(LAPTOP)
    officer_login(specialist, office.username)
    specialist.goto("/can-bo/")
    click(specialist.locator("main").get_by_role("link", name=dossier.code))
    resolve = specialist.locator("details.officer-action[open]")
    assert "Giải quyết hồ sơ" in resolve.locator("summary").inner_text()
    click(resolve.get_by_label("Giải quyết", exact=True))
    with specialist.expect_file_chooser() as chooser:
        click(resolve.locator("input[type=file]"))
    chooser.value.set_files(str(pdf_file(tmp_path, "giay-khai-sinh.pdf")))
    click(resolve.locator("button[type=submit]"))
    specialist.wait_for_url(re.compile(r"/can-bo/$"))
    dossier.refresh_from_db()
    assert dossier.status == S.RESOLVED

    # The desk: the result waits in "Chờ trả kết quả"; by post, the address is on the form.
    desktop.goto("/can-bo/")
    click(desktop.locator("main").get_by_role("link", name=dossier.code))
    give = desktop.locator("details.officer-action[open]")
    assert "Trả kết quả" in give.locator("summary").inner_text()
    assert data.STREET in give.inner_text()
    give.get_by_label("Số hiệu bưu gửi").fill("EB123456785VN")
    click(give.locator("button[type=submit]"))
    desktop.wait_for_url(re.compile(r"/can-bo/$"))
    dossier.refresh_from_db()
    assert (dossier.status, dossier.return_method) == (S.RETURNED, Dossier.Delivery.POST)
    assert dossier.shipments.filter(tracking_number="EB123456785VN").exists()
    assert_accessible(desktop, "workbench after the return")

    assert click.n <= MOST_CLICKS, click.n
    assert not page_errors, page_errors
