"""The synchronisation end to end: a real Celery worker process, real Redis and PostgreSQL,
the fake DVCQG failing, timing out, and a worker killed (SIGKILL) mid-send."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from dossiers.services import actions
from dvcqg.mapping import progress_key
from dvcqg.models import SyncRow
from dvcqg.sending import sync_requeue
from tests.dvcqg.workers import WORKER_READ_TIMEOUT, all_acknowledged, dvcqg_workers
from tests.notifications.conftest import wait_until

pytestmark = pytest.mark.worker
W = SyncRow.State


@pytest.fixture
def workers(transactional_db, dvcqg, tmp_path) -> Iterator:
    with dvcqg_workers(dvcqg.url, tmp_path) as start:
        yield lambda: start().ready()


def test_reception_transfer_resolution_reach_dvcqg_once_each_in_order_through_failures(
    settings, workers, dvcqg, make_dossier, officer, specialist, commune
):
    first = workers()
    dvcqg.slow_seconds = WORKER_READ_TIMEOUT + 2  # a late answer is later than the time-out
    # The first progress call fails (HTTP 500), the second arrives but its answer is late.
    dvcqg.script("fail", "timeout", service="CapNhatTienDoHoSoMC")
    dossier = make_dossier()
    wait_until(lambda: all_acknowledged(dossier), timeout=60, what="the created dossier")
    dossier = actions.dossier_receive(dossier=dossier, actor=officer)
    wait_until(lambda: all_acknowledged(dossier), timeout=30, what="the reception")

    # The transfer's item reaches DVCQG; the worker is killed before it hears the answer.
    dvcqg.hang("CapNhatTienDoHoSoMC")
    dossier = actions.dossier_transfer(
        dossier=dossier, actor=officer, to_unit=commune, to_user=specialist, note="Chuyển xử lý"
    )
    dvcqg.wait_hung()
    first.kill()
    dvcqg.release()
    assert SyncRow.objects.filter(dossier=dossier, state=W.SENDING).count() == 1
    dossier = actions.dossier_resolve(dossier=dossier, actor=specialist, outcome="approved")

    workers()
    # The periodic job, once the lost send is old enough to be the dead worker's.
    settings.DVCQG_STUCK_AFTER = 0
    time.sleep(0.1)
    assert sync_requeue()["stuck"] == 1
    wait_until(lambda: all_acknowledged(dossier), timeout=30, what="the recovery")

    received = dvcqg.progress(dossier.code)
    assert [i["TrangThai"] for i in received] == ["1", "2", "4", "9"]
    assert len({progress_key(i) for i in received}) == len(received) == dossier.events.count()
    services = [c.service for c in dvcqg.calls()]
    assert "TraCuuHoSo" in services  # the late and the lost sends were checked, not repeated
    assert dvcqg.calls("CapNhatTienDoHoSoMC")[0].http_status == 500
    first_create = dvcqg.calls("DongBoHoSoMC")[0]
    assert first_create.body["isUpdating"] == "False"
    assert dvcqg.dossiers[dossier.code]["TrangThaiHoSo"] == "9"
