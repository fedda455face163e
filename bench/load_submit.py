"""Online submissions per second, each with a 1 MB PDF attachment (target: at least 50/s).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/motcua_bench_prod2 \\
    REDIS_URL=redis://127.0.0.1:6379/10 \\
    .venv/bin/python bench/load_submit.py --clients 10 --duration 20 --max 2000

Steps: migrate and seed the bench database; make one captcha challenge per request where the
server keeps them (a client would solve the picture; the bench reads the answer); start
gunicorn as production does (tests/smoke/bench_settings.py: per-client rates raised, the
throttles still counted in Redis) and, with --with-worker, a Celery worker sending the SMS to
the fake Twilio at the same time; then --clients threads POST multipart /api/v1/dossiers/
(all the applicant's fields, the captcha, a 1 MB PDF) for --duration seconds or --max
requests. The run checks that every 201 is one dossier in the database with its file of
1 MB and its SMS row, and no other dossier was made. Loopback only; bounded.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import threading
import time
from pathlib import Path

from _common import (
    COMMUNE_CODE,
    KeepAlive,
    bench_stack,
    captchas_make,
    django_setup,
    fake_twilio,
    multipart,
    pdf_bytes,
    redis_flush,
    require_services,
    run_load,
    seed,
)

MB = 1024 * 1024


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=10)
    parser.add_argument("--duration", type=int, default=20)
    parser.add_argument("--max", type=int, default=2000, help="requests at most")
    parser.add_argument("--size", type=int, default=MB, help="attachment bytes")
    parser.add_argument("--web-workers", type=int, default=2 * (os.cpu_count() or 1) + 1)
    parser.add_argument(
        "--with-worker",
        action="store_true",
        help="also run a Celery worker sending the SMS meanwhile",
    )
    args = parser.parse_args()
    _, redis_url = require_services()
    redis_flush(redis_url)
    django_setup()
    from dossiers.models import Dossier, DossierFile
    from notifications.models import SmsMessage

    data = seed()
    document = data.procedure.documents.first()
    captchas = captchas_make(args.max + args.clients + 1)
    attachment = pdf_bytes(args.size)
    before = set(Dossier.objects.values_list("pk", flat=True))
    run_id = f"{time.time_ns():x}"

    with tempfile.TemporaryDirectory(prefix="motcua-bench-") as tmp_name, fake_twilio() as fake:
        stack = bench_stack(tmp=Path(tmp_name), twilio_url=fake.url)
        stack.start_web(workers=args.web_workers)
        if args.with_worker:
            stack.start_worker("worker", concurrency=2, queues="sms,celery")
        try:
            stack.wait_ready()
            client = KeepAlive("127.0.0.1", stack.port, timeout=60)
            lock = threading.Lock()

            def send(thread: int, n: int) -> tuple[int, object]:
                with lock:
                    captcha_key, answer = captchas[n]
                fields = {
                    "procedure": data.procedure.code,
                    "unit": COMMUNE_CODE,
                    "applicant_name": "Nguyễn Văn Tải",
                    "applicant_id_number": "012345678901",
                    "applicant_phone": f"09{n % 100_000_000:08d}",
                    "applicant_address": "Bản Nà Bó, xã (bench)",
                    "delivery": "counter",
                    "payment_method": "none",
                    "declaration": "true",
                    "captcha_key": captcha_key,
                    "captcha_value": answer,
                }
                body, content_type = multipart(
                    fields,
                    {f"document_{document.pk}": ("to-khai.pdf", attachment, "application/pdf")},
                )
                status, raw = client.request(
                    "POST",
                    "/api/v1/dossiers/",
                    body=body,
                    headers={
                        "Content-Type": content_type,
                        "Accept": "application/json",
                        "Idempotency-Key": f"{run_id}-{n}",
                    },
                )
                return status, (json.loads(raw)["code"] if status == 201 else raw[:300])

            # Warm-up: a few, not counted (numbered after the measured ones: run_load numbers
            # its requests 1..max; each number has its own captcha and Idempotency-Key).
            for n in range(args.max + 1, args.max + 1 + args.clients):
                send(0, n)
            result = run_load(
                send,
                concurrency=args.clients,
                duration=args.duration,
                max_requests=args.max,
                ok=lambda s: s == 201,
            )
        finally:
            stack.stop_all()

    codes = [c for c in result.extra if isinstance(c, str) and c.count("-") >= 2]
    made = Dossier.objects.exclude(pk__in=before)
    refusals = [c for c in result.extra if not isinstance(c, str)]
    print(
        f"clients {args.clients}, attachment {args.size / MB:.1f} MB, gunicorn "
        f"{args.web_workers} sync workers, worker {'on' if args.with_worker else 'off'}, "
        f"load average {os.getloadavg()[0]:.1f}"
    )
    print(result.summary())
    print(f"submissions per second: {result.rate:.1f} (target >= 50)")
    files = DossierFile.objects.filter(dossier__in=made)
    sms = SmsMessage.objects.filter(dossier__in=made)
    print(
        f"dossiers made {made.count()} (201 answers {len(codes)} + {args.clients} warm-up); "
        f"distinct codes answered {len(set(codes))}; files {files.count()} "
        f"(all {args.size} bytes: {not files.exclude(size=args.size).exists()}); "
        f"SMS rows {sms.count()}"
    )
    missing = set(codes) - set(made.values_list("code", flat=True))
    print(f"answered but missing: {len(missing)}; refusals sample: {refusals[:2]}")
    return 0 if not missing and len(set(codes)) == len(codes) else 1


if __name__ == "__main__":
    raise SystemExit(main())
