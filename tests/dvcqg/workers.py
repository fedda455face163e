"""Real Celery workers for the DVCQG tests (tests/dvcqg/test_worker.py and the browser journey
tests/e2e/test_national_journey.py): `celery -A portal worker -Q celery` processes on the test
database and an isolated Redis database, talking to a fake DVCQG, that a test can SIGKILL."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.db import connection

from dvcqg.models import SyncRow
from portal.celery import app as celery_app
from tests.dvcqg.conftest import dvcqg_env
from tests.notifications.conftest import _database_url, celery_publisher, worker_broker_url

BASE_DIR = Path(__file__).resolve().parents[2]
# Long enough that a worker is surely still waiting for a held answer when it is killed (a
# loaded machine may take a while to get there); the fake's late answers come later still.
WORKER_READ_TIMEOUT = 5.0


class Worker:
    """`celery -A portal worker` in its own process group, talking to the fake DVCQG.

    Started at once; `ready()` waits for it (a test can do other things meanwhile)."""

    def __init__(self, *, broker: str, fake_url: str, log: Path, site_url: str = "") -> None:
        env = {
            **os.environ,
            **dvcqg_env(fake_url),
            "DJANGO_SETTINGS_MODULE": "tests.notifications.worker_settings",
            "DATABASE_URL": _database_url(),
            "REDIS_URL": broker,
            "DVCQG_TIMEOUT": str(WORKER_READ_TIMEOUT),
            "DVCQG_RETRY_BACKOFF": "0.05",
            "DVCQG_RETRY_BACKOFF_MAX": "0.2",
            "SITE_URL": site_url or "https://motcua.example.vn",
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

    def ready(self, timeout: float = 60) -> Worker:
        deadline = time.monotonic() + timeout
        while b" ready." not in self.log.read_bytes():
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("worker did not start:\n" + self.log.read_text()[-3000:])
            time.sleep(0.1)
        return self

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


@contextlib.contextmanager
def dvcqg_workers(
    fake_url: str, logs: Path, *, site_url: str = ""
) -> Iterator[Callable[[], Worker]]:
    """While it lasts, this process publishes to an isolated broker (not eagerly) and
    `start()` launches a worker on it; every worker started is stopped at the end."""
    if not django_settings.REDIS_URL or connection.vendor == "sqlite":
        pytest.skip("needs Redis (REDIS_URL) and PostgreSQL")
    broker = worker_broker_url()
    with celery_app.connection_for_write(broker) as conn:
        for queue in ("celery", "sms", "reports"):  # leftovers of an aborted run
            with contextlib.suppress(Exception):
                conn.default_channel.queue_purge(queue)
    started: list[Worker] = []

    def start() -> Worker:
        worker = Worker(
            broker=broker, fake_url=fake_url, log=logs / f"w{len(started)}.log", site_url=site_url
        )
        started.append(worker)
        return worker

    try:
        with celery_publisher(broker_url=broker, eager=False):
            yield start
    finally:
        for worker in started:
            worker.stop()


def all_acknowledged(dossier) -> bool:
    rows = SyncRow.objects.filter(dossier=dossier)
    return rows.exists() and not rows.exclude(state=SyncRow.State.ACKNOWLEDGED).exists()
