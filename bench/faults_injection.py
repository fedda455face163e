"""The faults of bench/faults_run.py: stopping and starting this machine's PostgreSQL and Redis
(and restoring them whatever happens), and a slow fake Twilio, so that sends are in flight
when a worker is killed."""

from __future__ import annotations

import contextlib
import os
import subprocess
import threading
import time
from collections import Counter
from pathlib import Path

REDIS_START = [
    "redis-server",
    "--daemonize",
    "yes",
    "--bind",
    "127.0.0.1",
    "-::1",
    "--port",
    "6379",
    "--save",
    "",
    "--appendonly",
    "no",
    "--dir",
    "/var/lib/redis",
    "--logfile",
    "/var/log/redis/ci.log",
]


def pg_version() -> str:
    return sorted(os.listdir("/etc/postgresql"))[-1]


def pg_ready() -> bool:
    return (
        subprocess.run(
            ["pg_isready", "-h", "127.0.0.1", "-p", "5432", "-q"],
            check=False,
        ).returncode
        == 0
    )


def redis_ready() -> bool:
    return (
        subprocess.run(
            ["redis-cli", "-h", "127.0.0.1", "ping"],
            capture_output=True,
            check=False,
        ).stdout.strip()
        == b"PONG"
    )


def wait_for(predicate, timeout: float, what: str) -> float:
    started = time.monotonic()
    while not predicate():
        if time.monotonic() - started > timeout:
            raise RuntimeError(f"timed out waiting for {what}")
        time.sleep(0.2)
    return time.monotonic() - started


def services_restore() -> None:
    """Whatever happened: PostgreSQL and Redis are running when the bench ends."""
    if not pg_ready():
        subprocess.run(
            [
                "pg_ctlcluster",
                "--skip-systemctl-redirect",
                pg_version(),
                "main",
                "start",
            ],
            check=False,
        )
        with contextlib.suppress(RuntimeError):
            wait_for(pg_ready, 60, "PostgreSQL")
    if not redis_ready():
        Path("/var/lib/redis").mkdir(parents=True, exist_ok=True)
        Path("/var/log/redis").mkdir(parents=True, exist_ok=True)
        subprocess.run(REDIS_START, check=False)
        with contextlib.suppress(RuntimeError):
            wait_for(redis_ready, 30, "Redis")


class SlowTwilio:
    """The fake Twilio, answering each message after `delay` seconds (a send in flight), and
    counting the requests in flight per account (basic-auth user)."""

    def __init__(self, delay: float, *, callbacks: bool = True) -> None:
        from tests.fakes.twilio import FakeTwilio

        outer = self
        self.delay = delay
        self.inflight: Counter[str] = Counter()
        self.lock = threading.Lock()

        class Slow(FakeTwilio):
            def _answer(self, path, form, account, headers, token=""):
                with outer.lock:
                    outer.inflight[account] += 1
                try:
                    time.sleep(outer.delay)
                    return super()._answer(path, form, account, headers, token)
                finally:
                    with outer.lock:
                        outer.inflight[account] -= 1

        # Status callbacks as Twilio sends them: the receipt of a message whose sender died
        # before recording the gateway's answer. Without them (--no-callbacks) the re-queue
        # job must ask the gateway's message list instead.
        self.fake = Slow(status_callbacks=callbacks)

    def busy(self, account: str) -> bool:
        with self.lock:
            return self.inflight[account] > 0

    def __enter__(self) -> SlowTwilio:
        self.fake.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.fake.stop()
