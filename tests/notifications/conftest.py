"""Fixtures of the notifications tests: dossiers, the fake Twilio server, a real Celery worker.

Without REDIS_URL (the embedded default) Celery runs tasks eagerly in-process and the worker
tests are skipped. With REDIS_URL and PostgreSQL, `celery_worker` starts a real
`celery -A portal worker` process on the test database and an isolated Redis database.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings as django_settings
from django.db import connection

from dossiers.services.core import Applicant, dossier_create
from portal.celery import app as celery_app
from procedures.models import Channel
from tests.fakes.twilio import FakeTwilio

VN = ZoneInfo("Asia/Ho_Chi_Minh")
BASE_DIR = Path(__file__).resolve().parents[2]
AUTH_TOKEN = "test-auth-token"
CALLBACK_URL = "http://testserver/api/v1/sms/status/"
PHONE = "0912345678"
PHONE_E164 = "+84912345678"


def vn(*args: int) -> datetime:
    return datetime(*args, tzinfo=VN)


# A Wednesday, a working day, in office hours.
WEDNESDAY_9AM = vn(2026, 11, 25, 9, 0)


def applicant(*, phone: str = PHONE, email: str = "") -> Applicant:
    return Applicant(
        name="Trần Thị Bình",
        id_number="001203004005",
        phone=phone,
        address="Bản Nà Khoa, xã Mường Khoa",
        email=email,
    )


@pytest.fixture
def make_dossier(commune, birth_registration, certified_contract) -> Callable[..., Any]:
    """Create a dossier through the real service: online (birth registration) by default."""

    def make(
        *,
        channel: str = Channel.ONLINE,
        phone: str = PHONE,
        email: str = "",
        at: datetime = WEDNESDAY_9AM,
        **kwargs: Any,
    ) -> Any:
        procedure = birth_registration if channel == Channel.ONLINE else certified_contract
        dossier, key = dossier_create(
            procedure=procedure,
            unit=commune,
            channel=channel,
            applicant=applicant(phone=phone, email=email),
            at=at,
            **kwargs,
        )
        dossier.update_key = key  # the tests compare it with the SMS
        return dossier

    return make


# --- Celery: eager in unit tests, a real worker in the worker tests ----------------------


@contextlib.contextmanager
def celery_publisher(*, broker_url: str | None = None, eager: bool) -> Iterator[None]:
    """Point this process's Celery app at another broker (or run tasks eagerly) for a while.

    The app caches its broker connection pool; dropping it makes the next publish connect
    to the new URL.
    """
    conf = celery_app.conf
    saved = conf.task_always_eager, conf.broker_url
    conf.task_always_eager = eager
    if broker_url is not None:
        conf.broker_url = broker_url
    celery_app._after_fork()  # forgets the connection and producer pools
    try:
        yield
    finally:
        conf.task_always_eager, conf.broker_url = saved
        celery_app._after_fork()


@pytest.fixture(autouse=True)
def _notification_settings(request, settings) -> Iterator[None]:
    settings.SMS_BACKEND = "outbox"
    settings.SMS_STRIP_DIACRITICS = False
    settings.TWILIO_AUTH_TOKEN = AUTH_TOKEN
    settings.TWILIO_STATUS_CALLBACK_URL = ""
    settings.SITE_URL = "https://motcua.example.vn"
    if request.node.get_closest_marker("worker"):
        yield
        return
    # Unit tests never leave tasks in a real broker: they run in-process.
    with celery_publisher(eager=True):
        yield


# --- The fake Twilio ----------------------------------------------------------------------


@pytest.fixture(scope="session")
def fake_twilio_server() -> Iterator[FakeTwilio]:
    with FakeTwilio() as fake:
        yield fake


@pytest.fixture
def fake_twilio(fake_twilio_server: FakeTwilio) -> Iterator[FakeTwilio]:
    fake_twilio_server.reset()
    yield fake_twilio_server
    fake_twilio_server.reset()


@pytest.fixture
def twilio(settings, fake_twilio: FakeTwilio) -> FakeTwilio:
    """SMS_BACKEND=twilio, the official client talking to the fake server."""
    settings.SMS_BACKEND = "twilio"
    settings.TWILIO_API_BASE_URL = fake_twilio.url
    settings.TWILIO_ACCOUNT_SID = "AC" + "1" * 32
    settings.TWILIO_STATUS_CALLBACK_URL = CALLBACK_URL
    return fake_twilio


# --- A real worker --------------------------------------------------------------------------


def worker_broker_url() -> str:
    """An isolated Redis database for the worker tests: REDIS_URL's server, another db.

    Other tests publish into REDIS_URL's queues with nobody consuming; the worker here must
    see only this suite's tasks. MOTCUA_TEST_WORKER_REDIS_URL overrides the choice.
    """
    explicit = os.environ.get("MOTCUA_TEST_WORKER_REDIS_URL")
    if explicit:
        return explicit
    parts = urlsplit(django_settings.REDIS_URL)
    current = parts.path.strip("/") or "0"
    db = "13" if current == "14" else "14"
    return urlunsplit(parts._replace(path=f"/{db}"))


def _database_url() -> str:
    db = connection.settings_dict
    auth = quote(db["USER"] or "")
    if db.get("PASSWORD"):
        auth += ":" + quote(db["PASSWORD"])
    host = f"{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
    return f"postgres://{auth}@{host}/{db['NAME']}"


@pytest.fixture(scope="session")
def celery_worker(
    django_db_setup, django_db_blocker, fake_twilio_server, tmp_path_factory
) -> Iterator[dict[str, str]]:
    """`celery -A portal worker` in a subprocess, on the test database and an isolated broker,
    sending through the official Twilio client to the fake server."""
    if not django_settings.REDIS_URL:
        pytest.skip("needs Redis: set REDIS_URL")
    if connection.vendor == "sqlite":
        pytest.skip("a worker process cannot share SQLite's in-memory test database")
    broker = worker_broker_url()
    with celery_app.connection_for_write(broker) as conn:  # leftovers of an aborted run
        for queue in ("sms", "celery"):
            with contextlib.suppress(Exception):
                conn.default_channel.queue_purge(queue)
    name = f"notifications-test-{uuid.uuid4().hex[:8]}@%h"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.notifications.worker_settings",
        "DATABASE_URL": _database_url(),
        "REDIS_URL": broker,
        "SMS_BACKEND": "twilio",
        "TWILIO_API_BASE_URL": fake_twilio_server.url,
        "TWILIO_ACCOUNT_SID": "AC" + "1" * 32,
        "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
        "TWILIO_STATUS_CALLBACK_URL": CALLBACK_URL,
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "SITE_URL": "https://motcua.example.vn",
        "PYTHONPATH": str(BASE_DIR),
    }
    log_path = tmp_path_factory.mktemp("celery") / "worker.log"
    celery = str(Path(sys.executable).with_name("celery"))
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(  # noqa: S603 - our own venv's celery, fixed arguments
            [
                celery,
                "-A",
                "portal",
                "worker",
                "-Q",
                "sms,celery",
                "-c",
                "2",
                "-n",
                name,
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "-l",
                "info",
            ],
            cwd=BASE_DIR,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + 60
        while b" ready." not in log_path.read_bytes():
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(
                    "the Celery worker did not start:\n"
                    + log_path.read_text(errors="replace")[-4000:]
                )
            time.sleep(0.1)
        yield {"broker_url": broker, "log": str(log_path)}
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)  # the group we started: worker + children
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


@pytest.fixture
def worker(celery_worker, transactional_db, twilio) -> Iterator[FakeTwilio]:
    """A test whose rows are committed (the worker sees them), whose publishes reach the
    worker's broker, and whose worker sends to the fake Twilio (returned)."""
    with celery_publisher(broker_url=celery_worker["broker_url"], eager=False):
        yield twilio


def wait_until(predicate: Callable[[], Any], *, timeout: float = 20.0, what: str = "") -> Any:
    """Poll `predicate` until it returns a truthy value; AssertionError after `timeout`."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what or predicate}")
        time.sleep(0.05)
