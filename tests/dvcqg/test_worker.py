"""The synchronisation end to end: a real Celery worker process, real Redis and PostgreSQL,
the fake DVCQG failing, timing out, and a worker killed (SIGKILL) mid-send."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.db import connection

from dossiers.services import actions
from dvcqg.mapping import progress_key
from dvcqg.models import SyncRow
from dvcqg.sending import sync_requeue
from portal.celery import app as celery_app
from tests.dvcqg.conftest import dvcqg_env
from tests.notifications.conftest import (
    _database_url,
    celery_publisher,
    wait_until,
    worker_broker_url,
)

pytestmark = pytest.mark.worker
BASE_DIR = Path(__file__).resolve().parents[2]
W = SyncRow.State
WORKER_READ_TIMEOUT = 5.0


class Worker:
    """`celery -A portal worker` in its own process group, talking to the fake DVCQG."""

    def __init__(self, *, broker: str, fake_url: str, log: Path) -> None:
        env = {
            **os.environ,
            **dvcqg_env(fake_url),
            "DJANGO_SETTINGS_MODULE": "tests.notifications.worker_settings",
            "DATABASE_URL": _database_url(),
            "REDIS_URL": broker,
            # Long enough that a worker is surely still waiting for a held answer when it is
            # killed (a loaded machine may take a while to get there).
            "DVCQG_TIMEOUT": str(WORKER_READ_TIMEOUT),
            "DVCQG_RETRY_BACKOFF": "0.05",
            "DVCQG_RETRY_BACKOFF_MAX": "0.2",
            "SITE_URL": "https://motcua.example.vn",
            "PYTHONPATH": str(BASE_DIR),
        }
        self.log = log
        with open(log, "wb") as out:
            self.proc = subprocess.Popen(  # noqa: S603 - our own venv's celery, fixed arguments
                [
                    str(Path(sys.executable).with_name("celery")),
                    *("-A", "portal", "worker", "-Q", "celery", "-c", "1"),
                    *("-n", f"dvcqg-test-{uuid.uuid4().hex[:8]}@%h"),
                    *("--without-gossip", "--without-mingle", "--without-heartbeat"),
                    *("-l", "info"),
                ],
                cwd=BASE_DIR,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + 60
        while b" ready." not in log.read_bytes():
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("worker did not start:\n" + log.read_text()[-3000:])
            time.sleep(0.1)

    def kill(self) -> None:
        """SIGKILL the worker and its pool: no clean-up, no acknowledgement."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait()

    def stop(self) -> None:
        if self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()


@pytest.fixture
def workers(transactional_db, dvcqg, tmp_path) -> Iterator[list]:
    if not django_settings.REDIS_URL or connection.vendor == "sqlite":
        pytest.skip("needs Redis (REDIS_URL) and PostgreSQL")
    broker = worker_broker_url()
    with celery_app.connection_for_write(broker) as conn, contextlib.suppress(Exception):
        conn.default_channel.queue_purge("celery")  # leftovers of an aborted run
    started: list[Worker] = []

    def start() -> Worker:
        worker = Worker(broker=broker, fake_url=dvcqg.url, log=tmp_path / f"w{len(started)}.log")
        started.append(worker)
        return worker

    with celery_publisher(broker_url=broker, eager=False):
        yield start
    for worker in started:
        worker.stop()


def all_acknowledged(dossier) -> bool:
    rows = SyncRow.objects.filter(dossier=dossier)
    return rows.exists() and not rows.exclude(state=W.ACKNOWLEDGED).exists()


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
