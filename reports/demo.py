"""The demo history: October 2020 in Tân Uyên, as the letter's appendix tells it.

`demo_history_seed()` (called by `manage.py seed_demo`) adds the dossiers received in October
2020, and the backlog received before it, so that the appendix computed for 1–31 Oct 2020
reads like the letter's table (reports/data/appendix-tan-uyen-2020-10.csv) in every cell the
table itself keeps consistent. Idempotent: demo dossiers carry the idempotency key prefix
`demo-history-2020:` and nothing is added once they exist.

Why bulk creation and not the dossier services: the services would queue an SMS for each of
the ~1,900 historical dossiers (and their update keys), and play ~8,000 transitions one by
one. History is written instead the way an import writes it: dossiers with their final
fields, and every event of their life with its keyed chain and the dossier's seal
(dossiers.services.events.event_build and event_seal, so event_chain_verify holds), the
hand-over rows of Mẫu 05, the daily code sequences; then the report summaries are rebuilt
for the units touched.

The TTHC columns count the procedures in force at the end of the period in the unit's
district (reports/README.md). The demo catalogue holds 37 real procedures; in force in October
2020 they are fewer than the letter's 348 + 12 + 4, so the rest of the district's 2020
published list is added as historical catalogue entries (code 9.LNNNNN, marked unconfirmed,
in force 2018-01-01 → 2020-12-31): they count in 2020 and are out of today's catalogue.
"""

from __future__ import annotations

import csv
import datetime as dt
import random
from decimal import Decimal
from pathlib import Path

from dossiers.models import Dossier
from procedures.models import (
    Field,
    Procedure,
    ProcedureChannel,
    ProcedureDocument,
    Unit,
)
from procedures.selectors import in_force, unit_descendant_ids
from procedures.text import search_key
from reports.demo_plans import (
    CALENDAR_CACHE,
    CATALOGUE_2020,
    DISTRICT,
    MARK,
    PERIOD_END,
    PLACEHOLDER_PREFIX,
    Plan,
    demo_staff,
    demo_unit_plans,
)
from reports.demo_writing import demo_write
from reports.summary_rebuild import summaries_rebuild

LETTER_CSV = Path(__file__).resolve().parent / "data" / "appendix-tan-uyen-2020-10.csv"


def letter_rows() -> list[dict[str, str]]:
    with LETTER_CSV.open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def demo_history_seed() -> int:
    """Add the October 2020 history unless it is there; return how many dossiers were added."""
    if Dossier.objects.filter(idempotency_key__startswith=MARK).exists():
        return 0
    CALENDAR_CACHE.clear()  # read the holiday overrides afresh once per run
    units = {u.report_order: u for u in Unit.objects.filter(is_reporting_unit=True)}
    if not units:
        return 0
    catalogue_2020_complete()
    # Not for secrets: the letter's date as seed gives the same history on every machine.
    rng = random.Random(20201030)  # noqa: S311
    plans: list[Plan] = []
    for row in letter_rows():
        unit = units.get(int(row["stt"]))
        if unit is not None:
            plans.extend(demo_unit_plans(unit, row, rng))
    staff = demo_staff(sorted({p.unit for p in plans}, key=lambda u: u.report_order))
    written = demo_write(plans, staff, rng)
    summaries_rebuild(unit_ids=sorted({p.unit.pk for p in plans}))
    return written


# --- The 2020 catalogue --------------------------------------------------------------------


def catalogue_2020_complete() -> int:
    """Top the district's 2020 catalogue up to the letter's 348/12/4 procedures in force on
    31 Oct 2020 with historical entries; return how many entries that needed.

    The entries are written in bulk (a few statements instead of ~5,000 through the
    catalogue importer, which validates files typed by people; these are generated).
    """
    district = Unit.objects.filter(code=DISTRICT).first()
    desk = Unit.objects.filter(is_one_stop_desk=True, parent__code=DISTRICT).first()
    if district is None or desk is None:
        return 0
    tree = unit_descendant_ids(unit=district)
    wanted: list[tuple[str, int, int]] = []
    for level, target in CATALOGUE_2020.items():
        real = (
            Procedure.objects.filter(in_force(on=PERIOD_END), level=level, units__in=tree)
            .exclude(code__startswith=PLACEHOLDER_PREFIX)
            .values("code")
            .distinct()
            .count()
        )
        codes = [f"{PLACEHOLDER_PREFIX}{level}{n:05d}" for n in range(1, target - real + 1)]
        # Entries no longer needed (the real catalogue grew) go, unless a dossier uses them.
        (
            Procedure.objects.filter(code__startswith=f"{PLACEHOLDER_PREFIX}{level}")
            .exclude(code__in=codes)
            .filter(dossiers__isnull=True)
            .delete()
        )
        wanted.extend((code, level, n) for n, code in enumerate(codes, start=1))
    have = set(
        Procedure.objects.filter(code__in=[w[0] for w in wanted]).values_list("code", flat=True)
    )
    missing = [w for w in wanted if w[0] not in have]
    if missing:
        _placeholders_create(missing, desk)
    return len(missing)


def _placeholders_create(entries: list[tuple[str, int, int]], desk: Unit) -> None:
    field_name = "Danh mục thủ tục năm 2020 (lưu trữ)"
    work_field, _created = Field.objects.get_or_create(
        name=field_name, defaults={"slug": "danh-muc-thu-tuc-nam-2020-luu-tru"}
    )
    procedures = []
    for code, level, n in entries:
        name = f"Thủ tục mức độ {level} số {n:03d} trong danh mục công bố năm 2020 (mục lưu trữ)"
        procedures.append(
            Procedure(
                code=code,
                name=name,
                search_text=search_key(f"{code} {name}"),
                field=work_field,
                implementing_level=Procedure.ImplementingLevel.DISTRICT,
                level=level,
                code_unconfirmed=True,
                effective_from=dt.date(2018, 1, 1),
                effective_to=dt.date(2020, 12, 31),
                steps=["Nộp hồ sơ", "Nhận kết quả"],
                legal_basis=[
                    "Quyết định công bố danh mục thủ tục hành chính của UBND tỉnh Lai Châu"
                ],
            )
        )
    Procedure.objects.bulk_create(procedures, batch_size=500)
    saved = list(Procedure.objects.filter(code__in=[e[0] for e in entries]))
    Procedure.units.through.objects.bulk_create(
        [Procedure.units.through(procedure_id=p.pk, unit_id=desk.pk) for p in saved]
    )
    channels = []
    for p in saved:
        names = ["counter", "post"] + (["online"] if p.level >= 3 else [])
        channels.extend(
            ProcedureChannel(procedure=p, channel=c, working_days=Decimal(5)) for c in names
        )
    ProcedureChannel.objects.bulk_create(channels, batch_size=500)
    ProcedureDocument.objects.bulk_create(
        [ProcedureDocument(procedure=p, name="Đơn đề nghị theo mẫu", order=1) for p in saved],
        batch_size=500,
    )


# --- Who did the work ----------------------------------------------------------------------
