"""The national journey end to end: a citizen signs in through the national OpenID Connect
provider (npm oidc-provider, its own pages), submits a dossier the wizard filled in from the
user info; the desk receives and transfers it and the specialist resolves it, in their
browsers. Real Celery workers send it all to the fake DVCQG, which fails once, answers late
once, and holds the transfer's answer while the worker sending it is killed (SIGKILL); a new
worker and the minute job take over. DVCQG ends with the dossier (verified with VNeID, its
owner the TechID) and one progress item per event, in order, none twice.

tests/dvcqg/test_worker.py runs the same recovery without a browser, in more detail."""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from dossiers.models import Dossier
from dvcqg.client import session_forget
from dvcqg.mapping import progress_key
from dvcqg.models import SyncRow
from dvcqg.sending import sync_requeue
from tests.dvcqg.conftest import DSTCODE, MADONVI, PASSWORD, USER, dvcqg_env
from tests.dvcqg.workers import WORKER_READ_TIMEOUT, Worker, all_acknowledged, dvcqg_workers
from tests.e2e.helpers import jpeg_file, officer_login, pdf_file
from tests.e2e.journeys import NATIONAL_BUTTON, continue_step, officer_action, provider_sign_in
from tests.fakes.dvcqg import FakeDvcqg
from tests.fakes.oidc import CITIZEN
from tests.notifications.conftest import wait_until

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.worker]
PROGRESS = "CapNhatTienDoHoSoMC"


@pytest.fixture
def dvcqg(settings: Any) -> Iterator[FakeDvcqg]:
    # A late answer comes after the workers' read time-out.
    with FakeDvcqg(
        madonvi=MADONVI,
        dstcode=DSTCODE,
        username=USER,
        password=PASSWORD,
        slow_seconds=WORKER_READ_TIMEOUT + 2,
    ) as fake:
        for name, value in dvcqg_env(fake.url).items():
            setattr(settings, name, value)
        session_forget()
        yield fake
        fake.release()
    session_forget()


@pytest.fixture
def workers(
    world: Any, dvcqg: FakeDvcqg, live_server: Any, tmp_path: Any
) -> Iterator[Callable[[], Worker]]:
    with dvcqg_workers(dvcqg.url, tmp_path, site_url=live_server.url) as start:
        yield start


def _submit_filled_in(phone: Any, provider: Any, world: Any, tmp_path: Any) -> Dossier:
    code = world.procedure.code
    phone.goto(f"/nop-ho-so/{code}/")
    phone.get_by_role("link", name=NATIONAL_BUTTON).click()
    provider_sign_in(phone, provider, CITIZEN["login"])
    phone.wait_for_url(re.compile(rf"/nop-ho-so/{re.escape(code)}/$"))
    phone.get_by_role("button", name="Bắt đầu nộp hồ sơ").click()
    phone.wait_for_url(re.compile(r"/don-vi/$"))
    phone.get_by_label(world.commune.name).check()
    continue_step(phone)
    # Filled in from the user info; the citizen changes nothing.
    expect(phone.get_by_label("Họ và tên người nộp")).to_have_value("Nguyễn Văn An")
    expect(phone.get_by_label(re.compile(r"^Số định danh cá nhân"))).to_have_value(
        CITIZEN["SoDinhDanh"]
    )
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
    return Dossier.objects.get()


def test_a_vneid_dossier_and_each_step_reach_dvcqg_once_in_order_through_failures_and_a_kill(
    phone, desktop, new_desktop, tmp_path, world, provider, dvcqg, workers, settings
):
    first = workers()  # boots while the citizen signs in
    # The first progress call fails (HTTP 500); the next arrives but its answer is late.
    dvcqg.script("fail", "timeout", service=PROGRESS)
    dossier = _submit_filled_in(phone, provider, world, tmp_path)
    assert (dossier.applicant_tech_id, dossier.applicant_vneid_verified) == (
        CITIZEN["TechID"],
        True,
    )
    first.ready()
    wait_until(lambda: all_acknowledged(dossier), timeout=60, what="the submitted dossier")
    create = dvcqg.calls("DongBoHoSoMC")[0]
    assert create.body["isUpdating"] == "False"
    sent = create.body["data"][0]
    assert sent["MaHoSo"] == dossier.code
    assert sent["TaiKhoanDuocXacThucVoiVNeID"] == "1"
    assert sent["MaDoiTuong"] == CITIZEN["TechID"]
    assert sent["ChuHoSo"] == "Nguyễn Văn An"

    # The desk receives the dossier and hands it to the specialist.
    officer_login(desktop, world.desk.username)
    desktop.goto(f"/can-bo/ho-so/{dossier.code}/")
    officer_action(desktop, "Tiếp nhận hồ sơ")
    wait_until(lambda: all_acknowledged(dossier), timeout=30, what="the reception")

    def to_specialist(box: Any) -> None:
        box.get_by_label("Chuyển đến đơn vị").select_option(label=world.commune.name)
        box.get_by_label("Cán bộ nhận (không bắt buộc)").select_option(
            label="Tòng Thị Xử (tu-phap) – UBND xã Mường Khoa"
        )

    # DVCQG takes the transfer's item and holds its answer; the worker dies waiting for it.
    dvcqg.hang(PROGRESS)
    desktop.goto(f"/can-bo/ho-so/{dossier.code}/")
    officer_action(desktop, "Chuyển xử lý", to_specialist)
    dvcqg.wait_hung()
    first.kill()
    dvcqg.release()
    assert SyncRow.objects.filter(dossier=dossier, state=SyncRow.State.SENDING).count() == 1
    second = workers()

    # The specialist resolves it.
    specialist = new_desktop()
    officer_login(specialist, world.specialist.username)
    specialist.goto(f"/can-bo/ho-so/{dossier.code}/")

    def approve(box: Any) -> None:
        box.get_by_label("Giải quyết", exact=True).check()
        box.get_by_label(re.compile("Nội dung, lý do")).fill("Đủ điều kiện, cấp giấy khai sinh.")

    officer_action(specialist, "Giải quyết hồ sơ", approve)
    dossier.refresh_from_db()
    assert dossier.status == Dossier.Status.RESOLVED

    # The minute job, once the lost send is old enough to be the dead worker's.
    second.ready()
    settings.DVCQG_STUCK_AFTER = 0
    time.sleep(0.1)
    assert sync_requeue()["stuck"] == 1
    wait_until(lambda: all_acknowledged(dossier), timeout=45, what="the recovery")

    received = dvcqg.progress(dossier.code)
    assert [i["TrangThai"] for i in received] == ["1", "2", "4", "9"]
    assert len({progress_key(i) for i in received}) == len(received) == dossier.events.count()
    progress_calls = dvcqg.calls(PROGRESS)
    assert progress_calls[0].http_status == 500
    assert "TraCuuHoSo" in [c.service for c in dvcqg.calls()]  # checked, not sent again
    final = dvcqg.dossiers[dossier.code]
    assert (final["TrangThaiHoSo"], final["MaDoiTuong"], final["TaiKhoanDuocXacThucVoiVNeID"]) == (
        "9",
        CITIZEN["TechID"],
        "1",
    )
