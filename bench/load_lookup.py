"""Look-up throughput and latency under 50 concurrent clients, against a bare Django view on
the same gunicorn server (target: at least 50 % of the bare view's throughput, p99 under
100 ms).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/motcua_bench_prod2 \\
    REDIS_URL=redis://127.0.0.1:6379/10 \\
    .venv/bin/python bench/load_lookup.py --connections 50 --duration 15 --rounds 4

Steps: migrate and seed the bench database (N online dossiers with their update keys);
start gunicorn exactly as production does (deploy/gunicorn.conf.py, DEBUG=0, PostgreSQL,
Redis for the cache and the throttles; tests/smoke/bench_settings.py raises the per-client
rates so one load generator is not throttled, and adds /bench/bare/, a view that returns a
constant JSON through the same middleware); warm up; then, in alternation (bare, look-up,
bare, look-up, to even out other load on the machine), `wrk` with N connections for D
seconds, both through the same Lua request generator rotating over the dossiers:
GET /bench/bare/?code=…&key=… and
GET /api/v1/dossiers/{code}/status/?key=…. Without wrk, a threaded Python client does the
same (it competes with the server for the CPU: prefer wrk). Loopback only; bounded by
--duration.

With wrk it also reports the CPU time each request cost, per process kind (gunicorn's
processes, PostgreSQL's, Redis, wrk; a process that ended during a round, a recycled worker
or a closed backend, counts through its parent): on a machine shared
with other work the requests per second fall with the load, the CPU a request costs much
less so.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import tempfile
import time
from pathlib import Path

from _common import (
    KeepAlive,
    bench_stack,
    django_setup,
    fake_twilio,
    redis_flush,
    request,
    require_services,
    run_load,
    seed,
    wrk_available,
    wrk_run,
)


def lua_script(pairs: list[tuple[str, str]], path: Path, *, bare: bool = False) -> Path:
    """wrk's request generator, the same for both runs (its CPU is on the same two cores):
    the look-up rotates over the dossiers; the bare view gets the same code and key as query
    parameters (which it ignores), so both requests have the same size."""
    rows = ",\n".join(f'  {{"{code}", "{key}"}}' for code, key in pairs)
    target = (
        '"/bench/bare/?code=" .. p[1] .. "&key=" .. p[2]'
        if bare
        else '"/api/v1/dossiers/" .. p[1] .. "/status/?key=" .. p[2]'
    )
    path.write_text(
        "local lookups = {\n" + rows + "\n}\nlocal i = 0\n"
        "request = function()\n  i = i + 1\n  local p = lookups[(i % #lookups) + 1]\n"
        f'  return wrk.format("GET", {target})\n'
        "end\n"
    )
    return path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--duration", type=int, default=20, help="seconds per measurement")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--dossiers", type=int, default=200)
    parser.add_argument("--web-workers", type=int, default=2 * (os.cpu_count() or 1) + 1)
    parser.add_argument(
        "--threads",
        type=int,
        default=1,
        help="gunicorn threads per worker (more than 1: the gthread worker, "
        "which keeps connections alive)",
    )
    parser.add_argument(
        "--tool", choices=["wrk", "python"], default="wrk" if wrk_available() else "python"
    )
    args = parser.parse_args()
    load_before = os.getloadavg()
    _, redis_url = require_services()
    redis_flush(redis_url)
    django_setup()
    data = seed(dossiers=args.dossiers)
    with tempfile.TemporaryDirectory(prefix="motcua-bench-") as tmp_name, fake_twilio() as fake:
        tmp = Path(tmp_name)
        stack = bench_stack(tmp=tmp, twilio_url=fake.url)
        stack.start_web(workers=args.web_workers, threads=args.threads)
        try:
            stack.wait_web()
            code, key = data.lookups[0]
            status, _, body = request(
                "GET", f"{stack.url}/api/v1/dossiers/{code}/status/?key={key}"
            )
            assert status == 200, body[:500]
            status, _, _ = request("GET", f"{stack.url}/bench/bare/")
            assert status == 200
            scripts = {
                "lookup": lua_script(data.lookups, tmp / "lookup.lua"),
                "bare": lua_script(data.lookups, tmp / "bare.lua", bare=True),
            }
            urls = {"bare": f"{stack.url}/bench/bare/", "lookup": f"{stack.url}/api/v1/dossiers/"}
            measure(args, urls, scripts, data.lookups, stack, warmup=True)
            results: dict[str, list[dict[str, float]]] = {"bare": [], "lookup": []}
            for _ in range(args.rounds):
                for name in ("bare", "lookup"):
                    result = measure_one(args, name, urls, scripts, data.lookups, stack)
                    results[name].append(result)
                    cpu = result.get("cpu_ms", {})
                    print(
                        f"{name:>6}: {result['rps']:8.1f} req/s  p50 "
                        f"{result['p50'] * 1000:6.1f} ms  p90 {result['p90'] * 1000:6.1f} ms"
                        f"  p99 {result['p99'] * 1000:6.1f} ms  errors {result['errors']}"
                        + (
                            "  CPU/request "
                            + ", ".join(f"{k} {v:.3f}" for k, v in cpu.items())
                            + f" = {sum(cpu.values()):.3f} ms"
                            if cpu
                            else ""
                        ),
                        flush=True,
                    )
        finally:
            stack.stop_all()
    bare = statistics.mean(r["rps"] for r in results["bare"])
    lookup = statistics.mean(r["rps"] for r in results["lookup"])
    p99 = max(r["p99"] for r in results["lookup"])
    print(
        f"\ntool {args.tool}, {args.connections} connections, {args.duration} s x "
        f"{args.rounds} rounds, gunicorn {args.web_workers} workers x {args.threads} threads, "
        f"load average (1 min) {load_before[0]:.1f} before, {os.getloadavg()[0]:.1f} after"
    )
    print(
        f"bare view: {bare:.1f} req/s; look-up: {lookup:.1f} req/s; ratio "
        f"{lookup / bare:.1%} (target >= 50 %); look-up p99 {p99 * 1000:.1f} ms "
        f"(target < 100 ms)"
    )
    if all("cpu_ms" in r for rs in results.values() for r in rs):
        cost = {
            name: statistics.mean(sum(r["cpu_ms"].values()) for r in rs)
            for name, rs in results.items()
        }
        print(
            f"CPU per request, all processes: bare {cost['bare']:.3f} ms, look-up "
            f"{cost['lookup']:.3f} ms; the ratio CPU alone allows "
            f"{cost['bare'] / cost['lookup']:.1%}"
        )
    return 0


def measure(args, urls, scripts, lookups, stack, *, warmup: bool) -> None:
    saved = args.duration
    args.duration = 3
    try:
        for name in ("bare", "lookup"):
            measure_one(args, name, urls, scripts, lookups, stack)
    finally:
        args.duration = saved


def _cpu(pid: int) -> float:
    """CPU seconds (user + system) used so far by process `pid` and by the children it has
    reaped; 0 once it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return sum(int(f) for f in fields[11:15]) / os.sysconf("SC_CLK_TCK")


def _tree(pid: int) -> list[int]:
    found = [pid]
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        for child in task.read_text().split():
            found += _tree(int(child))
    return found


def _tree_cpu(root: int) -> float:
    """CPU seconds used so far by `root` and every process below it, those that ended too (a
    gunicorn worker recycled, a PostgreSQL backend closed: their parent has reaped them)."""
    return sum(map(_cpu, _tree(root)))


def server_roots(stack) -> dict[str, int]:
    """The process trees serving the bench: gunicorn's master, PostgreSQL's postmaster (all
    its backends: run the bench on an otherwise idle server), Redis."""
    import redis
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = cursor.fetchone()[0]
    postmaster = int(Path(f"/proc/{backend}/stat").read_text().rsplit(")", 1)[1].split()[1])
    redis_pid = redis.Redis.from_url(os.environ["REDIS_URL"]).info("server")["process_id"]
    return {"web": stack.procs["web"].popen.pid, "pg": postmaster, "redis": redis_pid}


def measure_one(args, name, urls, scripts, lookups, stack) -> dict[str, float]:
    if args.tool == "wrk":
        roots = server_roots(stack)
        before = {kind: _tree_cpu(root) for kind, root in roots.items()}
        wrk_before = resource.getrusage(resource.RUSAGE_CHILDREN)
        result = wrk_run(
            urls[name], connections=args.connections, duration=args.duration, script=scripts[name]
        )
        wrk_after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = {kind: _tree_cpu(root) - before[kind] for kind, root in roots.items()}
        cpu["wrk"] = (wrk_after.ru_utime + wrk_after.ru_stime) - (
            wrk_before.ru_utime + wrk_before.ru_stime
        )
        requests = max(1, result["requests"])
        return {
            "rps": result["rps"],
            "p50": result["p50"],
            "p90": result["p90"],
            "p99": result["p99"],
            "errors": f"non-2xx {result['non_2xx']} {result['socket_errors']}".strip(),
            "cpu_ms": {kind: seconds * 1000 / requests for kind, seconds in cpu.items()},
        }
    client = KeepAlive("127.0.0.1", stack.port)

    def send(thread: int, n: int) -> tuple[int, None]:
        code, key = lookups[n % len(lookups)]
        path = (
            f"/bench/bare/?code={code}&key={key}"
            if name == "bare"
            else f"/api/v1/dossiers/{code}/status/?key={key}"
        )
        status, _ = client.request("GET", path)
        return status, None

    started = time.monotonic()
    load = run_load(
        send,
        concurrency=args.connections,
        duration=args.duration,
        max_requests=10_000_000,
        ok=lambda s: s == 200,
    )
    del started
    return {
        "rps": load.rate,
        "p50": load.pct(50),
        "p90": load.pct(90),
        "p99": load.pct(99),
        "errors": f"{dict(load.statuses)} {dict(load.errors)}",
    }


if __name__ == "__main__":
    raise SystemExit(main())
