"""What the load and fault benchmarks share: the bench database and its seed, the production
processes (tests/smoke/stack.py) with the bench settings, a threaded HTTP load generator
(standard library only) and wrk when it is installed.

Loopback only: every request goes to 127.0.0.1. Every loop is bounded by a duration and a
request count.
"""

from __future__ import annotations

import contextlib
import math
import os
import re
import shutil
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
# The same key in this process (which seeds dossiers and their update keys, HMAC'd with it)
# and in the servers (which check them).
os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-" + "x" * 40)

from tests.smoke.stack import (  # noqa: E402
    Stack,
    multipart,
    pdf_bytes,
    request,
    stack_env,
)

__all__ = ["Stack", "multipart", "pdf_bytes", "request"]

BENCH_SETTINGS = "tests.smoke.bench_settings"
PROCEDURE_CODE = "9.990001"
COMMUNE_CODE = "B03601"
OFFICER = ("bench-desk", "bench-desk-password-1")


def require_services() -> tuple[str, str]:
    database_url = os.environ.get("DATABASE_URL", "")
    redis_url = os.environ.get("REDIS_URL", "")
    if not database_url.startswith("postgres") or not redis_url:
        raise SystemExit(
            "set DATABASE_URL (PostgreSQL, a database of the bench's own) and "
            "REDIS_URL (a Redis database of the bench's own: it is flushed)"
        )
    return database_url, redis_url


def django_setup() -> None:
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def redis_flush(redis_url: str) -> None:
    import redis

    redis.Redis.from_url(redis_url).flushdb()


@dataclass
class Seed:
    commune: Any
    procedure: Any
    lookups: list[tuple[str, str]] = field(default_factory=list)  # (code, key)


def seed(*, dossiers: int = 0) -> Seed:
    """Idempotent: the bench's units, a level-3 procedure with one document, a desk officer;
    plus `dossiers` new online dossiers (their codes and keys, for look-ups)."""
    from decimal import Decimal

    from django.contrib.auth import get_user_model

    from dossiers.services.core import Applicant, IncomingFile, dossier_create
    from portal.models import Membership, Role
    from procedures.models import Field, Procedure, ProcedureChannel, ProcedureDocument, Unit

    province, _ = Unit.objects.get_or_create(
        code="B12", defaults={"name": "Tỉnh (bench)", "kind": Unit.Kind.PROVINCE}
    )
    district, _ = Unit.objects.get_or_create(
        code="B111",
        defaults={"name": "Huyện (bench)", "kind": Unit.Kind.DISTRICT, "parent": province},
    )
    commune, _ = Unit.objects.get_or_create(
        code=COMMUNE_CODE,
        defaults={
            "name": "UBND xã (bench)",
            "kind": Unit.Kind.COMMUNE,
            "parent": district,
            "e_id": "000.99.11.B33",
        },
    )
    procedure = Procedure.objects.filter(code=PROCEDURE_CODE).first()
    if procedure is None:
        field_obj, _ = Field.objects.get_or_create(
            name="Hộ tịch (bench)", defaults={"slug": "bench-ho-tich"}
        )
        procedure = Procedure.objects.create(
            code=PROCEDURE_CODE,
            name="Đăng ký khai sinh (bench)",
            field=field_obj,
            implementing_level="commune",
            level=3,
            effective_from="2015-01-01",
            steps=["Nộp"],
            legal_basis=["Luật Hộ tịch 2014"],
            result="Giấy khai sinh",
        )
        procedure.units.set([commune])
        for channel in ("counter", "post", "online"):
            ProcedureChannel.objects.create(
                procedure=procedure,
                channel=channel,
                fee_vnd=0,
                same_day=False,
                working_days=Decimal("2"),
            )
        ProcedureDocument.objects.create(procedure=procedure, name="Tờ khai", order=1)
    user, created = get_user_model().objects.get_or_create(username=OFFICER[0])
    if created:
        user.set_password(OFFICER[1])
        user.save()
        Membership.objects.create(user=user, unit=commune, role=Role.DESK)
    result = Seed(commune=commune, procedure=procedure)
    document = procedure.documents.first()
    from django.core.files.uploadedfile import SimpleUploadedFile

    for i in range(dossiers):
        upload = SimpleUploadedFile("to-khai.pdf", pdf_bytes(), "application/pdf")
        dossier, key = dossier_create(
            procedure=procedure,
            unit=commune,
            channel="online",
            applicant=Applicant(
                name="Nguyễn Văn Bench",
                id_number="012345678901",
                phone=f"09{i % 100_000_000:08d}",
                address="Bản Bench",
            ),
            files=[
                IncomingFile(
                    document=document,
                    upload=upload,
                    name="to-khai.pdf",
                    extension=".pdf",
                    content_type="application/pdf",
                )
            ],
        )
        result.lookups.append((dossier.code, key))
    return result


def captchas_make(count: int) -> list[tuple[str, str]]:
    """`count` captcha challenges and their answers, made where the server keeps them (a
    test or a bench may read the answer; a client could not)."""
    from captcha.models import CaptchaStore

    made = []
    for _ in range(count):
        store = CaptchaStore.objects.create(challenge="BENCH", response="bench")
        made.append((store.hashkey, "bench"))
    return made


def bench_stack(*, tmp: Path, twilio_url: str, **extra: str) -> Stack:
    database_url, redis_url = require_services()
    env = stack_env(
        database_url=database_url,
        redis_url=redis_url,
        twilio_url=twilio_url,
        tmp=tmp,
        DJANGO_SETTINGS_MODULE=BENCH_SETTINGS,
        LOG_LEVEL="WARNING",
        SECRET_KEY=os.environ["SECRET_KEY"],
        **extra,
    )
    return Stack(env=env, tmp=tmp)


# --- Load ---------------------------------------------------------------------------------------


@dataclass
class LoadResult:
    latencies: list[float] = field(default_factory=list)  # seconds, successful requests
    statuses: Counter[int] = field(default_factory=Counter)
    errors: Counter[str] = field(default_factory=Counter)
    elapsed: float = 0.0
    extra: list[Any] = field(default_factory=list)

    @property
    def ok(self) -> int:
        return len(self.latencies)

    @property
    def rate(self) -> float:
        return self.ok / self.elapsed if self.elapsed else 0.0

    def pct(self, p: float) -> float:
        return percentile(self.latencies, p)

    def summary(self) -> str:
        return (
            f"{self.ok} ok in {self.elapsed:.1f} s = {self.rate:.1f}/s; latency ms "
            f"p50 {self.pct(50) * 1000:.1f}, p90 {self.pct(90) * 1000:.1f}, "
            f"p99 {self.pct(99) * 1000:.1f}, max {self.pct(100) * 1000:.1f}; "
            f"statuses {dict(self.statuses)}; errors {dict(self.errors)}"
        )


def percentile(values: list[float], p: float) -> float:
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = min(len(ordered) - 1, max(0, math.ceil(p / 100 * len(ordered)) - 1))
    return ordered[rank]


def run_load(
    send: Callable[[int, int], tuple[int, Any]],
    *,
    concurrency: int,
    duration: float,
    max_requests: int,
    ok: Callable[[int], bool] = lambda s: s < 400,
) -> LoadResult:
    """`concurrency` threads call send(thread, n) until `duration` seconds or `max_requests`
    in all. send returns (status, anything to keep); exceptions are counted by type."""
    result = LoadResult()
    lock = threading.Lock()
    issued = [0]
    deadline = time.monotonic() + duration

    def loop(thread: int) -> None:
        while time.monotonic() < deadline:
            with lock:
                if issued[0] >= max_requests:
                    return
                issued[0] += 1
                n = issued[0]
            started = time.perf_counter()
            try:
                status, kept = send(thread, n)
            except Exception as exc:
                with lock:
                    result.errors[type(exc).__name__] += 1
                time.sleep(0.05)
                continue
            took = time.perf_counter() - started
            with lock:
                result.statuses[status] += 1
                if ok(status):
                    result.latencies.append(took)
                if kept is not None:
                    result.extra.append(kept)

    threads = [threading.Thread(target=loop, args=(i,), daemon=True) for i in range(concurrency)]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=duration + 120)
    result.elapsed = time.monotonic() - started
    return result


class KeepAlive:
    """One persistent HTTP/1.1 connection per thread."""

    def __init__(self, host: str, port: int, timeout: float = 30.0) -> None:
        self.host, self.port, self.timeout = host, port, timeout
        self.local = threading.local()

    def request(
        self,
        method: str,
        path: str,
        *,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, bytes]:
        import http.client

        conn = getattr(self.local, "conn", None)
        if conn is None:
            conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
            self.local.conn = conn
        try:
            conn.request(method, path, body=body, headers=headers or {})
            response = conn.getresponse()
            data = response.read()
            if response.getheader("Connection", "").lower() == "close":
                conn.close()
                self.local.conn = None
            return response.status, data
        except Exception:
            conn.close()
            self.local.conn = None
            raise


# --- wrk ----------------------------------------------------------------------------------------


def wrk_available() -> bool:
    return shutil.which("wrk") is not None


_UNITS = {"us": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0}


def _seconds(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text.strip())
    if not match:
        return math.nan
    return float(match[1]) * _UNITS[match[2]]


def wrk_run(
    url: str, *, connections: int, duration: int, threads: int = 2, script: Path | None = None
) -> dict[str, Any]:
    """Run wrk with --latency; requests/s, p50/p90/p99 (s), non-2xx/3xx and socket errors."""
    argv = [
        "wrk",
        f"-t{threads}",
        f"-c{connections}",
        f"-d{duration}s",
        "--latency",
        "--timeout",
        "10s",
    ]
    if script is not None:
        argv += ["-s", str(script)]
    out = subprocess.run(
        [*argv, url],
        capture_output=True,
        text=True,
        check=True,
        timeout=duration + 60,
    ).stdout
    result: dict[str, Any] = {"raw": out, "command": " ".join([*argv, url])}
    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    result["rps"] = float(rps[1]) if rps else math.nan
    total = re.search(r"(\d+) requests in", out)
    result["requests"] = int(total[1]) if total else 0
    for p in ("50", "90", "99"):
        found = re.search(rf"^\s+{p}(?:\.000)?%\s+(\S+)", out, re.M)
        result[f"p{p}"] = _seconds(found[1]) if found else math.nan
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    result["non_2xx"] = int(non2xx[1]) if non2xx else 0
    errors = re.search(r"Socket errors: (.*)", out)
    result["socket_errors"] = errors[1] if errors else ""
    return result


@contextlib.contextmanager
def fake_twilio() -> Any:
    from tests.fakes.twilio import FakeTwilio

    with FakeTwilio() as fake:
        yield fake
