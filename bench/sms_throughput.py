"""SMS throughput: N messages through the outbox, a real Celery worker and the official Twilio
client to the fake Twilio server; prints messages per minute and checks none was lost or
sent twice.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/motcua_bench \\
    REDIS_URL=redis://127.0.0.1:6379/12 \\
    .venv/bin/python bench/sms_throughput.py -n 3000 --concurrency 4

Needs PostgreSQL (the database must exist; it is migrated) and Redis with an idle "sms"
queue (use a Redis database of its own). Steps: start the fake server and a worker
(`celery -A portal worker -Q sms`); queue N SMS with notifications.services.sms_queue_body in
transactions of --batch rows (each published on commit, as in production); wait until every
row is sent; count what the fake received per message. The clock runs from the first queued
row to the last recorded send. The bench rows are deleted at the end (--keep keeps them).
"""

from __future__ import annotations

import argparse
import collections
import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", "--messages", type=int, default=3000)
    parser.add_argument("--concurrency", type=int, default=4, help="worker processes")
    parser.add_argument("--pool", default="prefork", choices=["prefork", "threads"])
    parser.add_argument("--batch", type=int, default=100, help="rows per transaction")
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds")
    parser.add_argument("--keep", action="store_true", help="keep the bench rows")
    args = parser.parse_args()
    if not os.environ.get("REDIS_URL") or "postgres" not in os.environ.get("DATABASE_URL", ""):
        parser.error("set DATABASE_URL (PostgreSQL) and REDIS_URL")

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.db.models import Count, Max, Min

    from notifications.models import SmsMessage
    from notifications.services import sms_queue_body
    from tests.fakes.twilio import FakeTwilio

    call_command("migrate", verbosity=0)
    run = uuid.uuid4().hex[:8]
    template = f"bench-{run}"
    with FakeTwilio() as fake, tempfile.NamedTemporaryFile(suffix=".log") as log:
        env = {
            **os.environ,
            "SMS_BACKEND": "twilio",
            "TWILIO_API_BASE_URL": fake.url,
            "TWILIO_AUTH_TOKEN": "bench",
            "TWILIO_STATUS_CALLBACK_URL": "https://motcua.example.vn/api/v1/sms/status/",
            "LOG_LEVEL": "WARNING",
        }
        worker = subprocess.Popen(
            [
                str(Path(sys.executable).with_name("celery")),
                "-A",
                "portal",
                "worker",
                "-Q",
                "sms",
                "-P",
                args.pool,
                "-c",
                str(args.concurrency),
                "-n",
                f"bench-{run}@%h",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "-l",
                "info",
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            deadline = time.monotonic() + 60
            while b" ready." not in Path(log.name).read_bytes():
                if worker.poll() is not None or time.monotonic() > deadline:
                    sys.stderr.write(Path(log.name).read_text(errors="replace"))
                    return 2
                time.sleep(0.1)

            print(
                f"run {run}: {args.messages} SMS, worker -P {args.pool} "
                f"-c {args.concurrency}, {connection.vendor}, broker {os.environ['REDIS_URL']}"
            )
            started = time.monotonic()
            for first in range(0, args.messages, args.batch):
                with transaction.atomic():
                    for i in range(first, min(first + args.batch, args.messages)):
                        sms_queue_body(
                            to=f"09{i:08d}", body=f"MotCua bench {run} #{i}", template=template
                        )
            queued = time.monotonic() - started
            rows = SmsMessage.objects.filter(template=template)
            while rows.filter(status=SmsMessage.Status.SENT).count() < args.messages:
                if time.monotonic() - started > args.timeout:
                    print("timed out", dict(rows.values_list("status").annotate(Count("pk"))))
                    return 1
                time.sleep(0.05)
            span = rows.aggregate(first=Min("created_at"), last=Max("sent_at"))
            elapsed = (span["last"] - span["first"]).total_seconds()

            received = collections.Counter(
                r.form.get("Body", "")
                for r in fake.messages()
                if f"bench {run} " in r.form.get("Body", "")
            )
            expected = {f"MotCua bench {run} #{i}" for i in range(args.messages)}
            lost = expected - set(received)
            duplicated = {body: n for body, n in received.items() if n > 1}
            attempts = dict(rows.values_list("attempts").annotate(Count("pk")))
            print(f"queued (published) in {queued:.1f} s; all sent after {elapsed:.1f} s")
            print(
                f"fake Twilio received {sum(received.values())} requests for "
                f"{len(received)} distinct messages; lost {len(lost)}, "
                f"duplicated {len(duplicated)}; attempts per row {attempts}"
            )
            rate = args.messages / elapsed * 60
            print(f"throughput: {rate:,.0f} messages/minute")
            if not args.keep:
                rows.delete()
            return 0 if not lost and not duplicated else 1
        finally:
            os.killpg(worker.pid, signal.SIGTERM)  # the process group we started
            try:
                worker.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(worker.pid, signal.SIGKILL)


if __name__ == "__main__":
    sys.exit(main())
