"""Writes to the catalogue: units, procedures (imported all or nothing), calendar overrides."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import ProtectedError, QuerySet
from django.utils.text import slugify

from procedures.importing import ProcedureRecord, RowError, parse_row, read_rows
from procedures.models import (
    CalendarOverride,
    Field,
    Procedure,
    ProcedureChannel,
    ProcedureDocument,
    Unit,
)
from procedures.selectors import unit_open_on
from procedures.text import fold

# Group names a catalogue file may use instead of unit codes: the units of the group that
# exist on the version's effective date (a 2026 version goes to today's communes, a 2020 one
# to the district of then).
UNIT_GROUPS: dict[str, Callable[[], QuerySet[Unit]]] = {
    "commune": lambda: Unit.objects.filter(kind=Unit.Kind.COMMUNE).exclude(e_id=None),
    "district_desk": lambda: Unit.objects.filter(
        is_one_stop_desk=True, parent__kind=Unit.Kind.DISTRICT
    ),
    "board": lambda: Unit.objects.filter(code__endswith="-BQLDA"),
    # Since 01/07/2025: the Public Administration Service Centre of each commune/ward.
    "commune_centre": lambda: Unit.objects.filter(
        is_one_stop_desk=True, parent__kind=Unit.Kind.COMMUNE
    ).exclude(e_id=None),
    "province_centre": lambda: Unit.objects.filter(
        is_one_stop_desk=True, parent__kind=Unit.Kind.PROVINCE
    ).exclude(e_id=None),
}


# The procedure's own columns a record sets.
SAVED_ATTRS = (
    "name",
    "implementing_level",
    "level",
    "online_service",
    "effective_to",
    "steps",
    "legal_basis",
    "result",
    "conditions",
    "applicants",
    "fee_note",
    "fee_rule",
    "postal_allowed",
    "sets",
    "code_unconfirmed",
    "boundary_free_from",
    "boundary_free_decision",
)


@transaction.atomic
def unit_upsert(
    *, code: str, name: str, kind: str, parent_code: str | None = None, **attrs: Any
) -> Unit:
    parent = Unit.objects.get(code=parent_code) if parent_code else None
    unit = Unit.objects.filter(code=code).first() or Unit(code=code)
    unit.name, unit.kind, unit.parent = name, kind, parent
    for key, value in attrs.items():
        setattr(unit, key, value)
    unit.full_clean()
    unit.save()
    return unit


def units_load(*, path: Path | None = None, rows: list[dict[str, Any]] | None = None) -> list[Unit]:
    """Create or update the units of a demo JSON file (or of `rows` in that shape)."""
    units = []
    for row in rows if rows is not None else json.loads(Path(path or "").read_text("utf-8")):
        units.append(
            unit_upsert(
                code=row["code"],
                name=row["name"],
                kind=row["kind"],
                parent_code=row.get("parent"),
                stat_code=row.get("stat_code", ""),
                e_id=row.get("e_id"),
                is_one_stop_desk=row.get("one_stop", False),
                is_reporting_unit=bool(row.get("report_order")),
                report_order=row.get("report_order", 0),
                address=row.get("address", ""),
                phone=row.get("phone", ""),
                **(
                    {"valid_from": dt.date.fromisoformat(row["valid_from"])}
                    if row.get("valid_from")
                    else {}
                ),
            )
        )
    return units


def calendar_overrides_load(*, path: Path) -> int:
    count = 0
    for row in json.loads(path.read_text(encoding="utf-8")):
        # "province": a province's unit code for a day only that province decided.
        province = Unit.objects.get(code=row["province"]) if row.get("province") else None
        CalendarOverride.objects.update_or_create(
            date=dt.date.fromisoformat(row["date"]),
            province=province,
            defaults={
                "kind": row["kind"],
                "note": row.get("note", ""),
                "source": row.get("source", ""),
            },
        )
        count += 1
    return count


@dataclass
class ImportResult:
    created: int
    updated: int
    errors: list[str]

    @property
    def ok(self) -> bool:
        return not self.errors


def units_resolve(names: list[str], *, on: dt.date) -> list[Unit]:
    """Unit codes and group names (UNIT_GROUPS) as units open on `on`; RowError otherwise."""
    units: list[Unit] = []
    for name in names:
        if name in UNIT_GROUPS:
            units.extend(UNIT_GROUPS[name]().filter(unit_open_on(on=on)))
        else:
            unit = Unit.objects.filter(code=name).first()
            if unit is None:
                raise RowError(f"unknown unit {name!r}")
            units.append(unit)
    if not units:
        raise RowError(f"no unit matches {', '.join(names)}")
    return units


def procedures_import(*, path: Path, progress: Callable[[int], None] | None = None) -> ImportResult:
    """Import a catalogue file all or nothing; errors name every bad row by line."""
    try:
        raw_rows = read_rows(path)
    except (RowError, ValueError, OSError) as exc:
        return ImportResult(0, 0, [f"{path.name}: {exc}"])
    records: list[tuple[ProcedureRecord, list[Unit]]] = []
    errors: list[str] = []
    seen: dict[tuple[str, dt.date], int] = {}
    for line, row in raw_rows:
        try:
            record = parse_row(line, row)
            key = (record.code, record.effective_from)
            if key in seen:
                raise RowError(f"duplicate of line {seen[key]} (same code and effective date)")
            seen[key] = line
            records.append((record, units_resolve(record.units, on=record.effective_from)))
        except RowError as exc:
            errors.append(f"line {line}: {exc}")
    if errors:
        return ImportResult(0, 0, errors)
    return procedure_records_import(records=records, progress=progress)


@transaction.atomic
def procedure_records_import(
    *,
    records: list[tuple[ProcedureRecord, list[Unit]]],
    progress: Callable[[int], None] | None = None,
) -> ImportResult:
    """Save validated records, each a version (code + effective date) created or replaced,
    closing the version before it."""
    created = updated = 0
    for record, units in records:
        was_created = procedure_save(record=record, units=units)
        procedure_versions_close(code=record.code)
        created += was_created
        updated += not was_created
        if progress:
            progress(1)
    return ImportResult(created, updated, [])


def procedure_matches(procedure: Procedure, record: ProcedureRecord, units: list[Unit]) -> bool:
    """Whether saving `record` would leave `procedure` as it is (its dates aside)."""
    scalars = [a for a in SAVED_ATTRS if a != "effective_to"]
    if any(getattr(procedure, a) != getattr(record, a) for a in scalars):
        return False
    if procedure.field.name != record.field:
        return False
    if {u.pk for u in procedure.units.all()} != {u.pk for u in units}:
        return False

    def channel_key(c: Any) -> tuple:
        return (c.channel, c.working_days, c.calendar_days, c.working_hours, c.same_day, c.fee_vnd)

    def document_key(d: Any) -> tuple:
        fields = list(d.template_fields)
        return (d.name, d.required, d.originals, d.copies, d.template_title, fields)

    channels = procedure.channels.all()
    if sorted(map(channel_key, channels)) != sorted(map(channel_key, record.channels)):
        return False
    documents = procedure.documents.order_by("order")
    return list(map(document_key, documents)) == list(map(document_key, record.documents))


def procedure_versions_close(*, code: str) -> int:
    """Each version of `code` ends the day before the next one starts (unless it already ends
    earlier): importing a new version closes the previous one on the new one's effective
    date. Dossiers keep the version they were received under. Returns how many closed."""
    versions = list(Procedure.objects.filter(code=code).order_by("effective_from"))
    closed = 0
    for older, newer in pairwise(versions):
        last_day = newer.effective_from - dt.timedelta(days=1)
        if older.effective_to is None or older.effective_to > last_day:
            Procedure.objects.filter(pk=older.pk).update(effective_to=last_day)
            closed += 1
    return closed


def procedure_save(*, record: ProcedureRecord, units: list[Unit]) -> bool:
    """Create or replace one procedure version (code + effective date); True if created."""
    field, _ = Field.objects.get_or_create(
        name=record.field,
        defaults={"slug": slugify(fold(record.field)) or f"field-{Field.objects.count() + 1}"},
    )
    procedure = Procedure.objects.filter(
        code=record.code, effective_from=record.effective_from
    ).first()
    created = procedure is None
    procedure = procedure or Procedure(code=record.code, effective_from=record.effective_from)
    for attr in SAVED_ATTRS:
        setattr(procedure, attr, getattr(record, attr))
    procedure.field = field
    procedure.full_clean()
    procedure.save()
    procedure.units.set(units)
    procedure.channels.all().delete()
    for c in record.channels:
        ProcedureChannel.objects.create(
            procedure=procedure,
            channel=c.channel,
            working_days=c.working_days,
            calendar_days=c.calendar_days,
            working_hours=c.working_hours,
            same_day=c.same_day,
            fee_vnd=c.fee_vnd,
        )
    existing = {d.name: d for d in procedure.documents.all()}
    keep = []
    for order, doc in enumerate(record.documents, start=1):
        row = existing.get(doc.name) or ProcedureDocument(procedure=procedure, name=doc.name)
        row.required, row.originals, row.copies, row.order = (
            doc.required,
            doc.originals,
            doc.copies,
            order,
        )
        row.template_title, row.template_fields = doc.template_title, doc.template_fields
        row.save()
        keep.append(row.pk)
    # Documents dropped from the list go unless a dossier already refers to them.
    for stale in procedure.documents.exclude(pk__in=keep):
        try:
            stale.delete()
        except ProtectedError:
            stale.required = False
            stale.save(update_fields=["required"])
    return created


def document_templates_render(*, force: bool = False) -> int:
    """Generate the blank form PDF of every document that describes a form."""
    from procedures.pdf import form_template_pdf

    count = 0
    docs = ProcedureDocument.objects.exclude(template_title="").select_related("procedure")
    for doc in docs:
        if doc.template and not force:
            continue
        pdf = form_template_pdf(
            title=doc.template_title, fields=doc.template_fields, procedure=doc.procedure
        )
        name = f"{slugify(fold(doc.template_title)) or 'mau'}-{doc.procedure.code}.pdf"
        doc.template.save(name, ContentFile(pdf), save=True)
        count += 1
    return count
