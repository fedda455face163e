"""The production processes as subprocesses: gunicorn (deploy/gunicorn.conf.py), a Celery
worker and Celery beat, with the environment production uses (DEBUG=0, SECRET_KEY,
ALLOWED_HOSTS, PostgreSQL, Redis, the Twilio backend). Used by the smoke test and by the load
and fault benchmarks in bench/.

    stack = Stack(env=stack_env(database_url=..., redis_url=..., twilio_url=..., tmp=tmp))
    stack.start_web(workers=2)
    stack.start_worker("w1")
    stack.start_beat()
    stack.wait_ready()                 # /healthz answers, every worker answers a ping
    ...
    codes = stack.stop_all()           # SIGTERM, wait, exit codes; nothing left behind

Every process is started in its own process group so that stopping it can check that none
of its children (gunicorn's workers, Celery's pool) is left running.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

BASE_DIR = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def redis_db_url(redis_url: str, db: int) -> str:
    """The same Redis server, another database number."""
    return urlunsplit(urlsplit(redis_url)._replace(path=f"/{db}"))


def stack_env(
    *, database_url: str, redis_url: str, twilio_url: str, tmp: Path, **extra: str
) -> dict[str, str]:
    """A production-like environment for the subprocesses."""
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "DJANGO_"))},
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "0",
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "MEDIA_ROOT": str(tmp / "media"),
        "SITE_URL": "https://motcua.example.vn",
        "SMS_BACKEND": "twilio",
        "TWILIO_API_BASE_URL": twilio_url,
        "TWILIO_ACCOUNT_SID": "AC" + "2" * 32,
        "TWILIO_AUTH_TOKEN": "smoke-auth-token",
        "TWILIO_FROM_NUMBER": "MOTCUA",
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "LOG_LEVEL": "INFO",
        "PYTHONPATH": str(BASE_DIR),
        "PYTHONUNBUFFERED": "1",
    }
    env.update(extra)
    return env


@dataclass
class Proc:
    name: str
    popen: subprocess.Popen[bytes]
    log: Path

    def tail(self, chars: int = 3000) -> str:
        try:
            return self.log.read_text(errors="replace")[-chars:]
        except FileNotFoundError:
            return ""


@dataclass
class Stack:
    env: dict[str, str]
    tmp: Path
    port: int = 0
    procs: dict[str, Proc] = field(default_factory=dict)
    workers: dict[str, str] = field(default_factory=dict)  # name → celery node name

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    # --- starting -----------------------------------------------------------------------
    def _spawn(self, name: str, argv: list[str], env: dict[str, str] | None = None) -> Proc:
        log = self.tmp / f"{name}.log"
        with open(log, "ab") as out:
            popen = subprocess.Popen(  # noqa: S603 - our own venv's programs, fixed arguments
                argv,
                cwd=BASE_DIR,
                env=env or self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        proc = Proc(name, popen, log)
        self.procs[name] = proc
        return proc

    def start_web(
        self, *, workers: int = 2, threads: int = 1, port: int = 0, name: str = "web", **env: str
    ) -> Proc:
        self.port = port or self.port or free_port()
        return self._spawn(
            name,
            [str(BIN / "gunicorn"), "-c", "deploy/gunicorn.conf.py", "portal.wsgi"],
            env={
                **self.env,
                "GUNICORN_BIND": f"127.0.0.1:{self.port}",
                "WEB_CONCURRENCY": str(workers),
                "GUNICORN_THREADS": str(threads),
                **env,
            },
        )

    def start_worker(
        self,
        name: str = "worker",
        *,
        concurrency: int = 2,
        queues: str = "celery,sms,reports",
        **env: str,
    ) -> Proc:
        node = f"{name}-{uuid.uuid4().hex[:6]}@%h"
        self.workers[name] = node.replace("%h", socket.gethostname())
        return self._spawn(
            name,
            [
                str(BIN / "celery"),
                "-A",
                "portal",
                "worker",
                "-Q",
                queues,
                "-c",
                str(concurrency),
                "-n",
                node,
                "--without-gossip",
                "--without-mingle",
                "-l",
                "info",
            ],
            env={**self.env, **env},
        )

    def start_beat(self, name: str = "beat") -> Proc:
        return self._spawn(
            name,
            [
                str(BIN / "celery"),
                "-A",
                "portal",
                "beat",
                "-l",
                "info",
                "-s",
                str(self.tmp / "celerybeat-schedule"),
                "--pidfile",
                str(self.tmp / "celerybeat.pid"),
            ],
        )

    # --- readiness ----------------------------------------------------------------------
    def _assert_running(self) -> None:
        for proc in self.procs.values():
            if proc.popen.poll() is not None:
                raise RuntimeError(
                    f"{proc.name} exited with {proc.popen.returncode}:\n{proc.tail()}"
                )

    def wait_web(self, *, timeout: float = 45.0) -> None:
        deadline = time.monotonic() + timeout
        while True:
            self._assert_running()
            with contextlib.suppress(OSError, http.client.HTTPException):
                status, _, _ = request("GET", self.url + "/healthz", timeout=2)
                if status == 200:
                    return
            if time.monotonic() > deadline:
                raise RuntimeError("gunicorn did not answer /healthz:\n" + self.procs["web"].tail())
            time.sleep(0.2)

    def ping_worker(self, name: str, *, timeout: float = 1.0) -> bool:
        """Celery's remote-control ping, through a small app of our own on the stack's broker
        (the project's app publishes to its own broker whatever connection is passed)."""
        from celery import Celery

        control = Celery("motcua-stack-control", broker=self.env["REDIS_URL"])
        try:
            replies = control.control.ping(destination=[self.workers[name]], timeout=timeout)
        finally:
            control.close()
        return any(self.workers[name] in reply for reply in replies)

    def wait_worker(self, name: str, *, timeout: float = 45.0) -> None:
        deadline = time.monotonic() + timeout
        while not self.ping_worker(name):
            self._assert_running()
            if time.monotonic() > deadline:
                raise RuntimeError(
                    f"worker {name} did not answer a ping:\n" + self.procs[name].tail()
                )

    def wait_beat(self, name: str = "beat", *, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while "beat: Starting" not in self.procs[name].tail(100_000):
            self._assert_running()
            if time.monotonic() > deadline:
                raise RuntimeError("beat did not start:\n" + self.procs[name].tail())
            time.sleep(0.2)

    def wait_ready(self, *, timeout: float = 45.0) -> None:
        if "web" in self.procs:
            self.wait_web(timeout=timeout)
        for name in self.workers:
            self.wait_worker(name, timeout=timeout)
        if "beat" in self.procs:
            self.wait_beat(timeout=timeout)

    # --- stopping -----------------------------------------------------------------------
    def kill(self, name: str, sig: int = signal.SIGKILL) -> None:
        """Signal only the main process (kill -9 of a worker in mid-send)."""
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.procs[name].popen.pid, sig)

    def stop(self, name: str, *, timeout: float = 30.0) -> tuple[int, bool]:
        """SIGTERM, wait; (exit code, whether anything of its process group is left).

        A process still running after `timeout` is killed (its code is then -9).
        """
        proc = self.procs.pop(name)
        self.workers.pop(name, None)
        pgid = proc.popen.pid
        with contextlib.suppress(ProcessLookupError):
            os.kill(pgid, signal.SIGTERM)
        try:
            code = proc.popen.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pgid, signal.SIGKILL)
            code = proc.popen.wait()
        leftovers = group_alive(pgid)
        if leftovers:  # give stragglers a moment (the pool exits right after the main)
            deadline = time.monotonic() + 5
            while group_alive(pgid) and time.monotonic() < deadline:
                time.sleep(0.1)
            leftovers = group_alive(pgid)
            if leftovers:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(pgid, signal.SIGKILL)
        return code, leftovers

    def stop_all(self) -> dict[str, tuple[int, bool]]:
        return {name: self.stop(name) for name in list(self.procs)}


def group_alive(pgid: int) -> bool:
    """Whether any process of the group is still alive (zombies do not count)."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        state, group = fields[0], int(fields[2])
        if group == pgid and state != "Z":
            return True
    return False


# --- HTTP, with the standard library ----------------------------------------------------------


def request(
    method: str,
    url: str,
    *,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
    timeout: float = 10.0,
) -> tuple[int, dict[str, str], bytes]:
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
    try:
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        conn.close()


def request_json(
    method: str,
    url: str,
    *,
    data: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
    timeout: float = 10.0,
) -> tuple[int, Any]:
    body = json.dumps(data).encode() if data is not None else None
    all_headers = {"Accept": "application/json", **(headers or {})}
    if body is not None:
        all_headers["Content-Type"] = "application/json"
    status, _, raw = request(method, url, body=body, headers=all_headers, timeout=timeout)
    try:
        return status, json.loads(raw) if raw else None
    except ValueError:
        return status, raw.decode(errors="replace")


def multipart(
    fields: dict[str, str], files: dict[str, tuple[str, bytes, str]]
) -> tuple[bytes, str]:
    """A multipart/form-data body: (bytes, its Content-Type)."""
    boundary = "----motcua" + uuid.uuid4().hex
    chunks: list[bytes] = []
    for name, value in fields.items():
        chunks.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
            f"{value}\r\n".encode()
        )
    for name, (filename, content, content_type) in files.items():
        chunks.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
            f'filename="{filename}"\r\nContent-Type: {content_type}\r\n\r\n'.encode()
        )
        chunks.append(content + b"\r\n")
    chunks.append(f"--{boundary}--\r\n".encode())
    return b"".join(chunks), f"multipart/form-data; boundary={boundary}"


def pdf_bytes(size: int = 0) -> bytes:
    """A small valid-looking PDF, padded to about `size` bytes."""
    head = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\n"
    tail = b"trailer\n<< /Root 1 0 R >>\n%%EOF\n"
    padding = max(0, size - len(head) - len(tail))
    return head + b"%" + b"0" * max(0, padding - 2) + b"\n" + tail if padding else head + tail
