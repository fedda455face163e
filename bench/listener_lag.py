"""How long an old look-up answer can outlive a commit: the time from a commit to the
dossier's generation moving on in Redis (citizens/lookup_fast.py), with the status listener
(`manage.py status_listener`) running as its own process, as in production.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/motcua_bench \\
    REDIS_URL=redis://127.0.0.1:6379/10 \\
    .venv/bin/python bench/listener_lag.py --commits 500

Each commit is one UPDATE of a seeded dossier in autocommit; the clock starts when the
database has acknowledged the commit and stops when this process sees the new generation
(polling Redis in a loop, so the figure is an upper bound). Loopback only; bounded by
--commits and a 5 s wait per commit.
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from pathlib import Path

from _common import bench_stack, django_setup, redis_flush, require_services, seed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--commits", type=int, default=500)
    args = parser.parse_args()
    _, redis_url = require_services()
    redis_flush(redis_url)
    django_setup()
    data = seed(dossiers=20)
    from citizens import lookup_fast
    from dossiers.models import Dossier

    backend, client = lookup_fast.redis_client()
    codes = [code for code, _ in data.lookups]
    lags: list[float] = []
    with tempfile.TemporaryDirectory(prefix="motcua-lag-") as tmp:
        stack = bench_stack(tmp=Path(tmp), twilio_url="http://127.0.0.1:9")
        stack.start_listener()
        try:
            deadline = time.monotonic() + 30
            while not lookup_fast.heartbeat_alive():
                assert time.monotonic() < deadline, stack.procs["listener"].tail()
                time.sleep(0.05)
            for i in range(args.commits):
                code = random.choice(codes)
                key = lookup_fast.generation_key(backend, code)
                before = client.get(key)
                Dossier.objects.filter(code=code).update(applicant_name=f"Nguyễn Văn {i}")
                committed = time.perf_counter()
                while client.get(key) == before:
                    if time.perf_counter() - committed > 5:
                        raise SystemExit(f"commit {i}: no new generation after 5 s")
                lags.append(time.perf_counter() - committed)
                time.sleep(random.uniform(0, 0.02))
        finally:
            stack.stop_all()
    lags.sort()
    ms = [lag * 1000 for lag in lags]
    print(
        f"{len(ms)} commits: generation moved on after p50 {statistics.median(ms):.2f} ms, "
        f"p90 {ms[int(len(ms) * 0.9)]:.2f} ms, p99 {ms[int(len(ms) * 0.99)]:.2f} ms, "
        f"max {ms[-1]:.2f} ms"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
