"""Faults during load: kill -9 a Celery worker in mid-send, restart PostgreSQL, stop Redis
for 30 s; then count dossiers and messages: none may be lost or duplicated.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/motcua_bench_prod2 \\
    REDIS_URL=redis://127.0.0.1:6379/10 \\
    .venv/bin/python bench/faults_run.py

DISRUPTIVE: it restarts this machine's PostgreSQL and stops its Redis for 30 s (everyone's,
not only the bench's databases), and always starts them again (also on errors and Ctrl-C).

Steps:
1. Seed the bench database; start gunicorn, two Celery workers (w1, w2) and beat as in
   production (bench settings: per-client rates raised; SMS_REQUEUE_AFTER=10 so the outbox
   re-queue, run by beat every minute, picks lost tasks up soon). The fake Twilio answers
   each message after --gateway-delay seconds, so sends are in flight when a worker dies.
2. Load: --clients threads submit dossiers online (a 100 KB PDF each) at most --rate per
   second in all. Each logical submission has its own Idempotency-Key; on a connection error,
   a 5xx or a 429 the client tries again (new captcha, same key) until it gets 201 or 200,
   as an app would. The acknowledged code is recorded.
3. Faults, one after the other under that load: kill -9 of worker w1's process group while
   it sends (then a new w1 starts); `pg_ctlcluster --skip-systemctl-redirect <v> main
   restart`; `redis-cli shutdown nosave`, 30 s without Redis, then the same redis-server
   command the machine starts it with.
4. Stop the load, wait (bounded, --drain seconds) until every SMS row of the run is sent.
5. Count: acknowledged submissions vs dossiers in the database (by Idempotency-Key: lost,
   duplicated); per dossier, SMS rows and what the fake Twilio received (0 = lost, 2+ =
   duplicated).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import subprocess
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

from _common import (
    COMMUNE_CODE,
    OFFICER,
    KeepAlive,
    bench_stack,
    captchas_make,
    django_setup,
    multipart,
    pdf_bytes,
    redis_flush,
    require_services,
    seed,
)

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


W1_ACCOUNT = "AC" + "1" * 32  # worker w1 sends with its own account: the fake tells it apart


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


class Load:
    """Client threads submitting dossiers; retry until acknowledged (same Idempotency-Key)."""

    def __init__(
        self,
        *,
        port: int,
        clients: int,
        rate: float,
        procedure,
        document,
        captchas: list[tuple[str, str]],
        run_id: str,
        size: int,
    ) -> None:
        self.client = KeepAlive("127.0.0.1", port, timeout=30)
        self.clients, self.interval = clients, clients / rate
        self.procedure, self.document, self.captchas = procedure, document, captchas
        self.run_id, self.attachment = run_id, pdf_bytes(size)
        self.lock = threading.Lock()
        self.stop_event = threading.Event()
        self.next_submission = 0
        self.next_captcha = 0
        self.acknowledged: dict[str, str] = {}  # idempotency key -> code
        self.answers: Counter[str] = Counter()
        self.timeline: list[tuple[float, str]] = []
        self.threads = [threading.Thread(target=self.loop, daemon=True) for _ in range(clients)]

    def start(self) -> None:
        for t in self.threads:
            t.start()

    def stop(self, *, grace: float = 120) -> None:
        self.stop_event.set()
        for t in self.threads:
            t.join(timeout=grace)

    def captcha(self) -> tuple[str, str]:
        with self.lock:
            self.next_captcha += 1
            return self.captchas[self.next_captcha % len(self.captchas)]

    def loop(self) -> None:
        while not self.stop_event.is_set():
            with self.lock:
                self.next_submission += 1
                n = self.next_submission
            key = f"{self.run_id}-{n}"
            started = time.monotonic()
            self.submit(n, key)
            time.sleep(max(0.0, self.interval - (time.monotonic() - started)))

    def submit(self, n: int, key: str) -> None:
        deadline = time.monotonic() + 180  # a submission in progress is finished, bounded
        while time.monotonic() < deadline:
            captcha_key, answer = self.captcha()
            fields = {
                "procedure": self.procedure.code,
                "unit": COMMUNE_CODE,
                "applicant_name": "Nguyễn Văn Lỗi",
                "applicant_id_number": "012345678901",
                "applicant_phone": f"098{n % 10_000_000:07d}",
                "applicant_address": "Bản Nà Bó, xã (bench)",
                "delivery": "counter",
                "payment_method": "none",
                "declaration": "true",
                "captcha_key": captcha_key,
                "captcha_value": answer,
            }
            body, content_type = multipart(
                fields,
                {
                    f"document_{self.document.pk}": (
                        "to-khai.pdf",
                        self.attachment,
                        "application/pdf",
                    )
                },
            )
            try:
                status, raw = self.client.request(
                    "POST",
                    "/api/v1/dossiers/",
                    body=body,
                    headers={
                        "Content-Type": content_type,
                        "Accept": "application/json",
                        "Idempotency-Key": key,
                    },
                )
            except Exception as exc:
                self.note(f"error {type(exc).__name__}")
                time.sleep(0.5)
                continue
            self.note(str(status))
            if status in (200, 201):
                with self.lock:
                    self.acknowledged[key] = json.loads(raw)["code"]
                return
            if status == 400:  # e.g. a captcha used up by an attempt that failed later
                continue
            time.sleep(0.5)
        self.note("gave up")

    def note(self, what: str) -> None:
        with self.lock:
            self.answers[what] += 1
            self.timeline.append((time.monotonic(), what))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--rate", type=float, default=8.0, help="submissions/s at most")
    parser.add_argument("--size", type=int, default=100_000, help="attachment bytes")
    parser.add_argument("--gateway-delay", type=float, default=0.2)
    parser.add_argument("--redis-down", type=float, default=30.0)
    parser.add_argument("--drain", type=float, default=420.0)
    parser.add_argument("--skip", default="", help="comma-separated: worker,postgres,redis")
    parser.add_argument("--logs", default="", help="copy the processes' logs to this folder")
    parser.add_argument(
        "--no-callbacks", action="store_true", help="the gateway sends no status callbacks"
    )
    args = parser.parse_args()
    skip = set(filter(None, args.skip.split(",")))
    _, redis_url = require_services()
    redis_flush(redis_url)
    django_setup()
    from django.db import connection

    from notifications.models import SmsMessage

    data = seed()
    # Rows left queued by earlier benches (no worker ran then) would be sent by this run's
    # re-queue job and blur the counts: close them first.
    stale = SmsMessage.objects.exclude(
        status__in=[SmsMessage.Status.SENT, SmsMessage.Status.DELIVERED, SmsMessage.Status.FAILED]
    )
    stale.update(status=SmsMessage.Status.FAILED, last_error="bench: left by an earlier run")
    document = data.procedure.documents.first()
    captchas = captchas_make(6000)
    run_id = f"faults-{time.time_ns():x}"
    log: list[str] = []

    def say(text: str) -> None:
        line = f"[{time.strftime('%H:%M:%S')}] {text}"
        log.append(line)
        print(line, flush=True)

    try:
        with (
            tempfile.TemporaryDirectory(prefix="motcua-faults-") as tmp_name,
            SlowTwilio(args.gateway_delay, callbacks=not args.no_callbacks) as gateway,
        ):
            fake = gateway.fake
            from tests.smoke.stack import free_port

            port = free_port()
            stack = bench_stack(
                tmp=Path(tmp_name),
                twilio_url=fake.url,
                SMS_REQUEUE_AFTER="10",
                TWILIO_STATUS_CALLBACK_URL=f"http://127.0.0.1:{port}/api/v1/sms/status/",
            )
            stack.start_web(workers=5, port=port)
            stack.start_worker(
                "w1", concurrency=2, queues="sms,celery", TWILIO_ACCOUNT_SID=W1_ACCOUNT
            )
            stack.start_worker("w2", concurrency=2, queues="sms,celery")
            stack.start_beat()
            restarts: Counter[str] = Counter()
            supervising = threading.Event()
            supervising.set()

            def supervise() -> None:
                """Docker's `restart: unless-stopped` for the workers (docker-compose.yml):
                a worker that exits on its own is started again."""
                while supervising.is_set():
                    for name in ("w1", "w2"):
                        proc = stack.procs.get(name)
                        if proc is not None and proc.popen.poll() is not None:
                            say(
                                f"worker {name} exited on its own (code {proc.popen.returncode})"
                                "; restart policy: started again"
                            )
                            stack.procs.pop(name)
                            restarts[name] += 1
                            stack.start_worker(
                                name,
                                concurrency=2,
                                queues="sms,celery",
                                **({"TWILIO_ACCOUNT_SID": W1_ACCOUNT} if name == "w1" else {}),
                            )
                    time.sleep(1)

            supervisor = threading.Thread(target=supervise, daemon=True)
            try:
                stack.wait_ready()
                say(
                    "stack ready: gunicorn 5 workers, Celery workers w1 and w2 (2 processes "
                    "each), beat"
                )
                load = Load(
                    port=stack.port,
                    clients=args.clients,
                    rate=args.rate,
                    procedure=data.procedure,
                    document=document,
                    captchas=captchas,
                    run_id=run_id,
                    size=args.size,
                )
                load.start()
                time.sleep(10)
                if "worker" not in skip:
                    wait_for(lambda: len(fake.messages()) > 5, 60, "SMS flowing")
                    # Mid-send: w1 has a request open at the gateway right now.
                    wait_for(lambda: gateway.busy(W1_ACCOUNT), 60, "w1 in mid-send")
                    proc = stack.procs.pop("w1")  # out of the supervisor's sight
                    pgid = proc.popen.pid
                    os.killpg(pgid, signal.SIGKILL)
                    sending = SmsMessage.objects.filter(status=SmsMessage.Status.SENDING).count()
                    say(
                        f"kill -9 of worker w1's process group while it had a request open "
                        f"at the gateway ({sending} SMS rows in 'sending' just after)"
                    )
                    proc.popen.wait()
                    stack.workers.pop("w1", None)
                    time.sleep(10)
                    stack.start_worker(
                        "w1", concurrency=2, queues="sms,celery", TWILIO_ACCOUNT_SID=W1_ACCOUNT
                    )
                    stack.wait_worker("w1")
                    say("worker w1 started again")
                    time.sleep(10)
                supervisor.start()
                if "postgres" not in skip:
                    say("PostgreSQL restart ...")
                    started = time.monotonic()
                    subprocess.run(
                        [
                            "pg_ctlcluster",
                            "--skip-systemctl-redirect",
                            pg_version(),
                            "main",
                            "restart",
                        ],
                        check=True,
                    )
                    wait_for(pg_ready, 60, "PostgreSQL")
                    connection.close()  # this process's connection died with the server
                    say(f"PostgreSQL back after {time.monotonic() - started:.1f} s")
                    time.sleep(15)
                if "redis" not in skip:
                    subprocess.run(
                        ["redis-cli", "-h", "127.0.0.1", "shutdown", "nosave"],
                        check=False,
                        capture_output=True,
                    )
                    say(f"Redis stopped (shutdown nosave) for {args.redis_down:.0f} s")
                    time.sleep(args.redis_down)
                    services_restore()
                    say("Redis started again (empty: it keeps nothing on disk)")
                    time.sleep(20)
                load.stop()
                say(
                    f"load stopped: {len(load.acknowledged)} submissions acknowledged; "
                    f"answers {dict(load.answers)}"
                )
                ours = SmsMessage.objects.filter(dossier__code__in=load.acknowledged.values())
                started = time.monotonic()
                while ours.exclude(status=SmsMessage.Status.SENT).exists():
                    if time.monotonic() - started > args.drain:
                        say(
                            "drain time out: "
                            + str(dict(Counter(ours.values_list("status", flat=True))))
                        )
                        break
                    time.sleep(2)
                say(f"outbox drained after {time.monotonic() - started:.0f} s")
                time.sleep(2)
                say(lookups_after_faults(stack, fake, load))
            finally:
                supervising.clear()
                if supervisor.is_alive():
                    supervisor.join(timeout=5)
                say(f"workers restarted by the restart policy: {dict(restarts) or 'none'}")
                codes = stack.stop_all()
                say(f"stopped: {codes}")
                if args.logs:
                    import shutil

                    Path(args.logs).mkdir(parents=True, exist_ok=True)
                    for log_file in Path(tmp_name).glob("*.log"):
                        shutil.copy(log_file, Path(args.logs) / log_file.name)
            report(load, fake, say)
    finally:
        services_restore()
    return 0


def lookups_after_faults(stack, fake, load: Load, sample: int = 40) -> str:
    """After the faults, is the look-up's cached document (citizens/lookup.py) never stale?
    For `sample` dossiers of the run: look up twice (the second from the cache), record an
    officer's view of the dossier (the citizen sees it in "accesses"; no SMS, so the counts
    below stay the run's own), then look up once more: an answer without it is stale."""
    import re

    from django.contrib.auth import get_user_model

    from dossiers.files import dossier_access_record
    from dossiers.models import Dossier, DossierAccess
    from tests.smoke.stack import request

    officer = get_user_model().objects.get(username=OFFICER[0])
    keys = {}
    for message in fake.messages():
        found = re.search(r"Mã tra cứu[^:]*: ([A-Z0-9]{8,})", message.form["Body"])
        code = next((c for c in load.acknowledged.values() if c in message.form["Body"]), None)
        if found and code:
            keys[code] = found.group(1)
    checked = stale = 0
    for code, key in list(keys.items())[:sample]:
        url = f"{stack.url}/api/v1/dossiers/{code}/status/?key={key}"
        if request("GET", url)[0] != 200:
            continue
        seen = len(json.loads(request("GET", url)[2])["accesses"])
        dossier_access_record(
            dossier=Dossier.objects.get(code=code), user=officer, action=DossierAccess.Action.VIEW
        )
        if len(json.loads(request("GET", url)[2])["accesses"]) == seen:
            stale += 1
        checked += 1
    return f"look-ups after the faults: {checked} dossiers viewed by an officer, {stale} stale"


def report(load: Load, fake, say) -> None:
    from dossiers.models import Dossier
    from notifications.models import SmsMessage

    acknowledged = load.acknowledged
    made = Dossier.objects.filter(idempotency_key__isnull=False)
    # The API stores "api:" + a hash of the Idempotency-Key.
    import hashlib

    by_key = {"api:" + hashlib.sha256(k.encode()).hexdigest()[:56]: k for k in acknowledged}
    rows = list(made.filter(idempotency_key__in=by_key).values_list("idempotency_key", "code"))
    per_key = Counter(key for key, _ in rows)
    lost_dossiers = [k for k in acknowledged if not any(by_key.get(ik) == k for ik, _ in rows)]
    wrong_code = [k for ik, code in rows if (k := by_key[ik]) and acknowledged[k] != code]
    duplicated = [k for k, n in per_key.items() if n > 1]
    sms = SmsMessage.objects.filter(dossier__code__in=acknowledged.values())
    per_dossier = Counter(sms.values_list("dossier__code", flat=True))
    received = Counter()
    for message in fake.messages():
        if message.status == 201:
            for code in acknowledged.values():
                if code in message.form.get("Body", ""):
                    received[code] += 1
                    break
    not_received = [c for c in acknowledged.values() if received[c] == 0]
    twice = {c: n for c, n in received.items() if n > 1}
    say("RESULT")
    say(
        f"  dossiers acknowledged to clients: {len(acknowledged)}; found in the database: "
        f"{len(rows)}; lost: {len(lost_dossiers)}; duplicated: {len(duplicated)}; code "
        f"differs from the answer: {len(wrong_code)}"
    )
    say(
        f"  SMS rows: {sms.count()} for {len(per_dossier)} dossiers (expected one each); "
        f"statuses {dict(Counter(sms.values_list('status', flat=True)))}"
    )
    say(
        f"  fake Twilio: {sum(received.values())} messages for these dossiers; dossiers whose "
        f"SMS never arrived: {len(not_received)}; arrived more than once: {len(twice)} "
        f"{twice}"
    )
    if twice:
        details = sms.filter(dossier__code__in=twice).values_list(
            "dossier__code", "attempts", "queued_at", "sent_at"
        )
        for code, attempts, queued, sent in details:
            say(
                f"    {code}: {attempts} attempts, last queued {queued:%H:%M:%S}, sent "
                f"{sent:%H:%M:%S}"
            )
    say(
        f"  status callbacks posted by the fake: {len(fake.callbacks)}, answered "
        f"{dict(Counter(status for _, status in fake.callbacks))}"
    )
    say(f"  client answers: {dict(load.answers)}")


if __name__ == "__main__":
    raise SystemExit(main())
