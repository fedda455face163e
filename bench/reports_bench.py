"""Reports at scale: 1,000,000 dossiers over 100 units and 12 months, in PostgreSQL.

Generates the dossiers in SQL (generate_series: one INSERT ... SELECT), builds the report
summaries with the nightly rebuild (reports.summary_rebuild.summaries_rebuild, timed too), then
times the appendix, Biểu II.06a, the Decision 766 indicators and the leaders' dashboard page
(a real GET through Django's test client, template and charts included). It also times the
same appendix figures counted straight from the dossier table, for comparison.

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/motcua_reports_bench \\
    .venv/bin/python bench/reports_bench.py --dossiers 1000000 --units 100

The database is created if missing and migrated. A second run reuses the data when it holds
the same number of dossiers (--fresh starts over). Results go to stdout as a Markdown table.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _database(url: str) -> None:
    """Create the bench database if it does not exist (connecting to the server's default)."""
    import psycopg

    name = url.rsplit("/", 1)[1].split("?")[0]
    server = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(server, autocommit=True) as conn:
        found = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not found:
            conn.execute(f'CREATE DATABASE "{name}"')


def setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    os.environ.setdefault("DEBUG", "1")
    os.environ["ALLOWED_HOSTS"] = "testserver,127.0.0.1,localhost"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def base_data(units: int) -> dict[str, Any]:
    """A province with 4 districts of units/4 communes each, 40 procedures, a leader."""
    import datetime as dt
    from decimal import Decimal

    from django.contrib.auth import get_user_model

    from portal.models import Membership, Role
    from procedures.models import Field, Procedure, ProcedureChannel, Unit

    province, _ = Unit.objects.get_or_create(
        code="B", defaults={"name": "Tỉnh thử tải", "kind": Unit.Kind.PROVINCE}
    )
    communes = []
    per_district = max(1, units // 4)
    for d in range(4):
        district, _ = Unit.objects.get_or_create(
            code=f"B{d}",
            defaults={
                "name": f"Huyện thử tải {d + 1}",
                "kind": Unit.Kind.DISTRICT,
                "parent": province,
            },
        )
        for c in range(per_district):
            n = d * per_district + c
            if n >= units:
                break
            unit, _ = Unit.objects.get_or_create(
                code=f"B{d}-{c:03d}",
                defaults={
                    "name": f"UBND xã Thử tải {n + 1:03d}",
                    "kind": Unit.Kind.COMMUNE,
                    "parent": district,
                    "e_id": f"000.{n:02d}.{d + 1}.B99"[:35],
                    "is_reporting_unit": True,
                    "report_order": n + 1,
                },
            )
            communes.append(unit)
    fields = [
        Field.objects.get_or_create(
            name=f"Lĩnh vực {i + 1}", defaults={"slug": f"linh-vuc-{i + 1}"}
        )[0]
        for i in range(8)
    ]
    procedures = []
    for i in range(40):
        level = 2 if i < 24 else (3 if i < 34 else 4)
        procedure, created = Procedure.objects.get_or_create(
            code=f"8.{i + 1:06d}",
            effective_from=dt.date(2015, 1, 1),
            defaults={
                "name": f"Thủ tục thử tải {i + 1}",
                "field": fields[i % 8],
                "implementing_level": "commune",
                "level": level,
                "legal_basis": ["Văn bản"] if i % 5 else [],
            },
        )
        if created:
            procedure.units.set(communes)
            for channel in ["counter", "post"] + (["online"] if level >= 3 else []):
                ProcedureChannel.objects.create(
                    procedure=procedure, channel=channel, working_days=Decimal(1 + i % 10)
                )
        procedures.append(procedure)
    user, created = get_user_model().objects.get_or_create(username="bench-leader")
    Membership.objects.get_or_create(user=user, unit=province, role=Role.LEADER)
    return {"units": communes, "procedures": procedures, "leader": user}


def generate(n: int, data: dict[str, Any], overrides: dict[str, str] | None = None) -> float:
    """Insert n dossiers received over the last 12 months, in one INSERT ... SELECT.

    25 % online (levels 3-4), 5 % by post; due 1-10 days after reception; received more
    than 12 days ago: 97 % resolved (about one in six after the due time); later: half.
    `overrides` replaces the SQL expression of some columns (s.i, s.r1-s.r4, s.done and
    s.received are at hand).
    """
    from django.db import connection

    from dossiers.models import Dossier

    units = [u.pk for u in data["units"]]
    every = [p.pk for p in data["procedures"]]
    online = [p.pk for p in data["procedures"] if p.level >= 3]
    explicit = {
        "code": "'BENCH-' || s.i",
        "procedure_id": "CASE WHEN s.r1 < 0.25 "
        "THEN (%(online)s)[1 + floor(s.r2 * %(n_online)s)::int] "
        "ELSE (%(every)s)[1 + floor(s.r2 * %(n_every)s)::int] END",
        "unit_id": "(%(units)s)[1 + (s.i %% %(n_units)s)]",
        "handling_unit_id": "(%(units)s)[1 + (s.i %% %(n_units)s)]",
        "channel": "CASE WHEN s.r1 < 0.25 THEN 'online' WHEN s.r1 < 0.30 THEN 'post' "
        "ELSE 'counter' END",
        "status": "CASE WHEN s.done THEN 'returned' ELSE 'processing' END",
        "applicant_name": "'Người nộp ' || s.i",
        "applicant_id_number": "lpad(s.i::text, 12, '0')",
        "applicant_phone": "'09' || lpad((s.i %% 100000000)::text, 8, '0')",
        "applicant_address": "'Địa chỉ thử tải'",
        "fee_vnd": "CASE WHEN s.r4 < 0.2 THEN 50000 ELSE 0 END",
        "payment_method": "CASE WHEN s.r4 < 0.05 THEN 'online' ELSE '' END",
        "submitted_at": "s.received",
        "received_at": "s.received",
        "due_at": "s.received + (1 + floor(s.r3 * 10)) * interval '1 day'",
        "resolved_at": "CASE WHEN s.done THEN s.received + s.r4 * interval '12 days' END",
        "returned_at": "CASE WHEN s.done THEN s.received + s.r4 * interval '12 days' "
        "+ interval '1 hour' END",
        "outcome": "CASE WHEN s.done THEN 'approved' ELSE '' END",
        "return_method": "CASE WHEN s.done THEN 'counter' ELSE '' END",
        "created_at": "now()",
        "updated_at": "now()",
    } | (overrides or {})
    columns, values = [], []
    for f in Dossier._meta.concrete_fields:
        if f.primary_key:
            continue
        columns.append(f'"{f.column}"')
        if f.name in explicit or f.attname in explicit:
            values.append(explicit.get(f.attname, explicit.get(f.name)))
        elif f.null:
            values.append("NULL")
        else:
            default = f.get_default()
            if isinstance(default, list | dict):
                values.append("'" + str(default).replace("'", '"') + "'::jsonb")
            elif isinstance(default, bool):
                values.append("true" if default else "false")
            elif isinstance(default, int):
                values.append(str(default))
            else:
                values.append("'" + str(default).replace("'", "''") + "'")
    params = {
        "online": f"ARRAY{online}::bigint[]",
        "n_online": len(online),
        "every": f"ARRAY{every}::bigint[]",
        "n_every": len(every),
        "units": f"ARRAY{units}::bigint[]",
        "n_units": len(units),
    }
    select = ", ".join(v % params for v in values)
    # Only numbers and column names from the models go into this statement.
    sql = f"""
        INSERT INTO {Dossier._meta.db_table} ({", ".join(columns)})
        SELECT {select} FROM (
            SELECT g.i, g.r1, g.r2, g.r3, g.r4, g.received,
                   (g.received < now() - interval '12 days' AND g.r5 < 0.97)
                   OR (g.received >= now() - interval '12 days' AND g.r5 < 0.5) AS done
            FROM (
                SELECT i, random() AS r1, random() AS r2, random() AS r3, random() AS r4,
                       random() AS r5,
                       date_trunc('month', now()) - interval '11 months'
                         + random() * (now() - (date_trunc('month', now())
                                               - interval '11 months')) AS received
                FROM generate_series(1, {int(n)}) AS i
            ) g
        ) s
    """  # noqa: S608
    start = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(sql)
        cursor.execute(f"ANALYZE {Dossier._meta.db_table}")
    return time.perf_counter() - start


def timed(fn: Callable[[], Any], repeat: int) -> tuple[float, float]:
    fn()  # warm up (connections, caches of the database)
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - start)
    return statistics.median(runs), min(runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dossiers", type=int, default=1_000_000)
    parser.add_argument("--units", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--fresh", action="store_true", help="drop the dossiers first")
    parser.add_argument(
        "--check-all",
        action="store_true",
        help="time the nightly check of every unit (not only one)",
    )
    args = parser.parse_args()
    url = os.environ.get(
        "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/motcua_reports_bench"
    )
    _database(url)
    setup_django(url)

    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from dossiers.models import Dossier
    from reports.access import report_unit_ids, report_units_default
    from reports.models import DossierFact, SummaryRow
    from reports.selectors.appendix import appendix_compute
    from reports.selectors.ii06a import ii06a_compute
    from reports.selectors.indicators import indicators_compute
    from reports.selectors.periods import Period, month_end, months_back
    from reports.summary_rebuild import summaries_rebuild

    data = base_data(args.units)
    have = Dossier.objects.filter(code__startswith="BENCH-").count()
    notes = []
    if args.fresh or have != args.dossiers:
        with connection.cursor() as cursor:
            # The bench's own database: everything that refers to dossiers goes too.
            cursor.execute(f"TRUNCATE {Dossier._meta.db_table} CASCADE")
        seconds = generate(args.dossiers, data)
        notes.append(f"generated {args.dossiers:,} dossiers in {seconds:.1f} s (one INSERT)")
        start = time.perf_counter()
        result = summaries_rebuild(unit_ids=[u.pk for u in data["units"]])
        seconds = time.perf_counter() - start
        notes.append(
            f"nightly rebuild from scratch: {result.dossiers:,} facts, "
            f"{SummaryRow.objects.count():,} summary rows in {seconds:.1f} s"
        )
    with connection.cursor() as cursor:
        # What autovacuum does in production after a bulk load: statistics and the
        # visibility map (index-only scans).
        cursor.execute(f"VACUUM ANALYZE {SummaryRow._meta.db_table}")
        cursor.execute(f"VACUUM ANALYZE {DossierFact._meta.db_table}")
        cursor.execute(f"VACUUM ANALYZE {Dossier._meta.db_table}")
    start = time.perf_counter()
    checked = [u.pk for u in data["units"]] if args.check_all else [data["units"][0].pk]
    check = summaries_rebuild(unit_ids=checked)
    notes.append(
        f"nightly check of {len(checked)} unit(s) ({check.dossiers:,} dossiers): "
        f"{time.perf_counter() - start:.1f} s, {check.rows_fixed} rows and "
        f"{check.facts_fixed} facts repaired"
    )

    leader = data["leader"]
    scope = report_unit_ids(user=leader)
    units = report_units_default(scope=scope)
    today = timezone.localdate()
    months = months_back(today, 12)
    year = Period(months[0], month_end(today))
    month = Period(today.replace(day=1), month_end(today))
    ragged = Period(months[0].replace(day=15), today)
    client = Client()
    client.force_login(leader)

    def dashboard() -> None:
        response = client.get("/bao-cao/")
        assert response.status_code == 200, response.status_code

    def direct_scan() -> None:
        # What the appendix would cost without summaries: the received figures alone,
        # grouped straight from the dossier table.
        from django.db.models import Count

        list(
            Dossier.objects.filter(
                received_at__gte=year.start_at, received_at__lt=year.end_at, unit_id__in=scope
            )
            .values("unit_id", "procedure__level", "channel")
            .annotate(n=Count("pk"))
            .order_by()
        )

    cases = [
        (
            "Appendix, 12 months, 100 units (target ≤ 1 s)",
            lambda: appendix_compute(period=year, units=units, scope=scope),
        ),
        (
            "Appendix, 12 months from the 15th (ragged ends read day rows)",
            lambda: appendix_compute(period=ragged, units=units, scope=scope),
        ),
        (
            "Appendix, current month",
            lambda: appendix_compute(period=month, units=units, scope=scope),
        ),
        (
            "Biểu II.06a per unit, 12 months",
            lambda: ii06a_compute(period=year, units=units, scope=scope),
        ),
        (
            "Biểu II.06a per field, 12 months",
            lambda: ii06a_compute(period=year, units=units, scope=scope, by="field"),
        ),
        (
            "Decision 766 indicators, 12 months",
            lambda: indicators_compute(period=year, units=units, scope=scope),
        ),
        (
            "Decision 766 indicators, current month",
            lambda: indicators_compute(period=month, units=units, scope=scope),
        ),
        ("Dashboard page GET /bao-cao/ (target ≤ 300 ms)", dashboard),
        ("For comparison: received counts straight from the dossiers, 12 months", direct_scan),
    ]
    total = Dossier.objects.count()
    print(
        f"\n{total:,} dossiers, {len(units)} units, {SummaryRow.objects.count():,} summary "
        f"rows; period {year.start} → {year.end}; PostgreSQL "
        f"{connection.cursor().connection.info.server_version}"
    )
    for note in notes:
        print(f"- {note}")
    print(f"\n| measure | median of {args.repeat} | best |\n|---|---:|---:|")
    for label, fn in cases:
        median, best = timed(fn, args.repeat)
        print(f"| {label} | {median * 1000:,.0f} ms | {best * 1000:,.0f} ms |")


if __name__ == "__main__":
    main()
