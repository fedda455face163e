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
import os
import signal
import subprocess
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

from _common import (
    bench_stack,
    captchas_make,
    django_setup,
    redis_flush,
    require_services,
    seed,
)
from faults_injection import SlowTwilio, pg_ready, pg_version, services_restore, wait_for
from faults_load import Load
from faults_report import lookups_after_faults, report

W1_ACCOUNT = "AC" + "1" * 32  # worker w1 sends with its own account: the fake tells it apart


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


if __name__ == "__main__":
    raise SystemExit(main())
