"""The officers' workbench and the searches at a province's scale: 1,000,000 dossiers.

Generates the dossiers as bench/reports_bench.py does (one INSERT ... SELECT over 100
communes and 12 months), with the open dossiers spread over every queue and the folded
applicant names the search reads, and a catalogue of 2,000 procedures made from the demo's.
Then times real GETs through Django's test client (middleware, template and all):

- the workbench of a commune's desk officer, of its specialist and of the province's leader,
  opening on their default queue, then every queue with its counts;
- the dossier search on the workbench by code, by name, by phone and by ID number;
- the public procedure search, as citizens write ("dang ki khai sinh", a typo, a synonym).

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/motcua_desk_bench \\
    .venv/bin/python bench/workbench_bench.py --dossiers 1000000 --repeat 20

Target: p95 <= 200 ms for each. A second run reuses the data when it holds the same number
of dossiers (--fresh starts over). Results go to stdout as a Markdown table.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from reports_bench import _database, base_data, generate, setup_django  # noqa: E402

# The open dossiers (about 5 % of them) spread over the queues; the rest returned. `%%` is a
# literal % in reports_bench's statement template.
OPEN_STATUS = (
    "CASE WHEN s.done THEN 'returned' "
    "WHEN s.r3 < 0.10 THEN 'submitted' "
    "WHEN s.r3 < 0.55 THEN 'processing' "
    "WHEN s.r3 < 0.65 THEN 'received' "
    "WHEN s.r3 < 0.72 THEN 'supplement_requested' "
    "WHEN s.r3 < 0.76 THEN 'awaiting_payment' "
    "WHEN s.r3 < 0.78 THEN 'withdrawal_requested' "
    "ELSE 'resolved' END"
)
OVERRIDES = {
    "status": OPEN_STATUS,
    "applicant_name": "(ARRAY['Nguyễn Văn', 'Trần Thị', 'Lò Văn', 'Lê Thị', 'Phạm Văn'])"
    "[1 + (s.i %% 5)] || ' Người ' || s.i",
    "search_text": "(ARRAY['nguyen van', 'tran thi', 'lo van', 'le thi', 'pham van'])"
    "[1 + (s.i %% 5)] || ' nguoi ' || s.i",
    "resolved_at": "CASE WHEN s.done OR s.r3 >= 0.78 "
    "THEN s.received + s.r4 * interval '12 days' END",
}


def catalogue(size: int, units: list[Any]) -> int:
    """`size` procedures made from the demo's 2025 catalogue, imported as the catalogue is."""
    from procedures.models import Procedure
    from procedures.services import procedures_import

    if Procedure.objects.filter(code__startswith="9.").count() >= size:
        return 0
    demo = json.loads((ROOT / "procedures/data/demo_procedures_2025.json").read_text("utf-8"))
    rows = []
    for i in range(size):
        row = dict(demo[i % len(demo)])
        row["code"] = f"9.{i:06d}"
        row["name"] = f"{row['name']} (trường hợp {i // len(demo) + 1})"
        row.pop("handled_by", None)
        row["units"] = [u.code for u in units[:10]]
        rows.append(row)
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False, encoding="utf-8") as f:
        json.dump(rows, f, ensure_ascii=False)
    result = procedures_import(path=Path(f.name))
    os.unlink(f.name)
    assert result.ok, result
    return size


def officers(data: dict[str, Any]) -> dict[str, Any]:
    from django.contrib.auth import get_user_model

    from portal.models import Membership, Role

    commune = data["units"][0]
    users = {"leader (province)": data["leader"]}
    for role, name in ((Role.DESK, "desk officer"), (Role.SPECIALIST, "specialist")):
        user, _ = get_user_model().objects.get_or_create(username=f"bench-{role}")
        Membership.objects.get_or_create(user=user, unit=commune, role=role)
        users[f"{name} (commune)"] = user
    return users


def measure(client: Any, url: str, repeat: int) -> tuple[float, float, float]:
    response = client.get(url)  # warm up
    assert response.status_code == 200, (url, response.status_code)
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        response = client.get(url)
        runs.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    runs.sort()
    p95 = runs[min(len(runs) - 1, round(0.95 * (len(runs) - 1)))]
    return statistics.median(runs), p95, runs[-1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dossiers", type=int, default=1_000_000)
    parser.add_argument("--units", type=int, default=100)
    parser.add_argument("--procedures", type=int, default=2_000)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--fresh", action="store_true", help="drop the dossiers first")
    args = parser.parse_args()
    url = os.environ.get(
        "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/motcua_desk_bench"
    )
    _database(url)
    setup_django(url)

    from django.db import connection
    from django.test import Client

    from dossiers.models import Dossier
    from dossiers.selectors import queues

    data = base_data(args.units)
    notes = []
    have = Dossier.objects.filter(code__startswith="BENCH-").count()
    if args.fresh or have != args.dossiers:
        with connection.cursor() as cursor:
            cursor.execute(f"TRUNCATE {Dossier._meta.db_table} CASCADE")
        seconds = generate(args.dossiers, data, OVERRIDES)
        notes.append(f"generated {args.dossiers:,} dossiers in {seconds:.1f} s")
    made = catalogue(args.procedures, data["units"])
    if made:
        notes.append(f"imported {made:,} procedures")
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM ANALYZE {Dossier._meta.db_table}")

    sample = Dossier.objects.filter(unit=data["units"][0]).order_by("id").first()
    assert sample is not None
    rows = []
    for label, user in officers(data).items():
        client = Client()
        client.force_login(user)
        rows.append((label, "workbench, default queue", "/can-bo/"))
        for queue in queues():
            rows.append((label, f"queue {queue.slug}", f"/can-bo/?queue={queue.slug}"))
        for what, q in (
            ("code", sample.code),
            ("name", "Lò Văn Người 5"),
            ("phone", sample.applicant_phone),
            ("ID number", sample.applicant_id_number),
        ):
            rows.append((label, f"search by {what}", f"/can-bo/?queue=all&q={q}"))
        results = []
        for who, what, path in rows:
            median, p95, worst = measure(client, path, args.repeat)
            results.append((who, what, median, p95, worst))
        rows = []
        for who, what, median, p95, worst in results:
            print(f"| {who} | {what} | {median:.0f} ms | {p95:.0f} ms | {worst:.0f} ms |")
            sys.stdout.flush()
    client = Client()
    for q in ("dang ki khai sinh", "khai sinnh", "sổ đỏ", "giấy chứng nhận quyền sử dụng đất"):
        median, p95, worst = measure(client, f"/thu-tuc/?q={q}", args.repeat)
        figures = f"{median:.0f} ms | {p95:.0f} ms | {worst:.0f} ms"
        print(f"| citizen | procedure search “{q}” | {figures} |")
    print()
    for note in notes:
        print(f"- {note}")


if __name__ == "__main__":
    main()
