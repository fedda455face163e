"""Import dossiers from a legacy system or a paper register (API.md `import_dossiers`).

The whole file is validated first; a single bad row imports nothing and every bad row is
reported with its line number. Codes already present are left alone, so importing the same
file twice changes nothing. An empty `due_at` is computed by the deadline clock from the
reception time, the procedure's limit for the channel and the unit's office hours.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.db.models.functions import Greatest
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from dossiers.models import DailySequence, Dossier
from dossiers.services.events import event_append
from dossiers.signals import dossiers_imported
from procedures import clock
from procedures.calendar import procedure_time_limit, unit_office_hours, work_calendar
from procedures.models import Channel, Procedure, Unit
from procedures.receiving import ReceptionRefused, applicant_commune_find, reception_route
from procedures.selectors import procedure_get
from procedures.units import UnitClosed, unit_assert_open

COLUMNS = [
    "code",
    "procedure_code",
    "unit_code",
    "channel",
    "applicant_name",
    "applicant_phone",
    "received_at",
    "due_at",
    "status",
    "resolved_at",
    "returned_at",
]
S = Dossier.Status
CODE_PATTERN = re.compile(r"^(?P<e_id>.+)-(?P<day>\d{6})-(?P<seq>\d{4,})$")


@dataclass
class ImportResult:
    imported: int = 0
    skipped: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass
class _Row:
    line: int
    code: str
    procedure: Procedure
    unit: Unit
    channel: str
    applicant_name: str
    applicant_phone: str
    status: str
    received_at: datetime | None
    due_at: datetime | None
    resolved_at: datetime | None
    returned_at: datetime | None
    handling_unit: Unit | None = None
    applicant_commune: Unit | None = None


def _parse_moment(raw: str) -> datetime:
    raw = raw.strip()
    value = parse_datetime(raw)
    if value is None:
        day = parse_date(raw)
        if day is None:
            raise ValueError(raw)
        value = datetime.combine(day, datetime.min.time())
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    # A year at the edge of what datetime holds (0001, 9999) overflows when moved to local
    # time: refuse it as a bad value instead of crashing the whole import.
    if not 1900 <= value.year <= 2199:
        raise ValueError(raw)
    return value


def _validate(
    line: int, raw: dict[str, str], seen: set[str], units: dict[str, Unit]
) -> tuple[_Row | None, list[str]]:
    errors: list[str] = []

    def err(column: str, message: str) -> None:
        errors.append(f"line {line}: {column}: {message}")

    values = {k: (raw.get(k) or "").strip() for k in COLUMNS}
    # Control characters (NUL above all: PostgreSQL text cannot hold or compare it) are
    # never data; a row holding one is refused before any value reaches the database.
    bad = [k for k in COLUMNS if any(ord(ch) < 32 and ch not in "\t\r\n" for ch in values[k])]
    if bad:
        return None, [f"line {line}: {k}: holds a control character" for k in bad]
    code = values["code"]
    if not code:
        err("code", "required")
    elif code in seen:
        err("code", f"{code} appears twice in the file")
    seen.add(code)
    unit = units.get(values["unit_code"])
    if unit is None:
        err("unit_code", f"unknown unit {values['unit_code']!r}")
    elif not unit.e_id:
        err("unit_code", f"unit {unit.code} does not receive dossiers")
    if values["channel"] not in Channel.values:
        err("channel", f"must be one of {', '.join(Channel.values)}")
    if not values["applicant_name"]:
        err("applicant_name", "required")
    if values["status"] not in S.values:
        err("status", f"must be one of {', '.join(S.values)}")
    moments: dict[str, datetime | None] = {}
    for column in ("received_at", "due_at", "resolved_at", "returned_at"):
        moments[column] = None
        if values[column]:
            try:
                moments[column] = _parse_moment(values[column])
            except ValueError:
                err(column, f"not a date/time: {values[column]!r}")
    status = values["status"]
    if status and status != S.SUBMITTED and not values["received_at"]:
        err("received_at", "required unless the status is submitted")
    if status in {S.RESOLVED, S.RETURNED} and not values["resolved_at"]:
        err("resolved_at", f"required for status {status}")
    if status == S.RETURNED and not values["returned_at"]:
        err("returned_at", "required for status returned")
    received = moments["received_at"]
    for column in ("resolved_at", "returned_at"):
        moment = moments[column]
        if received and moment and moment < received:
            err(column, "before received_at")
    if unit is not None:
        # Received after the unit closed (or, not yet received, now): the unit took nothing.
        try:
            unit_assert_open(unit=unit, at=received or timezone.now())
        except UnitClosed as exc:
            err("received_at", str(exc.message))
    procedure = None
    if not values["procedure_code"]:
        err("procedure_code", "required")
    else:
        on = timezone.localtime(received).date() if received else None
        procedure = (
            procedure_get(code=values["procedure_code"], on=on)
            or procedure_get(code=values["procedure_code"])
            or Procedure.objects.filter(code=values["procedure_code"])
            .order_by("-effective_from")
            .first()
        )
        if procedure is None:
            err("procedure_code", f"unknown procedure {values['procedure_code']!r}")
    route, commune = None, None
    if not errors and procedure is not None and unit is not None:
        # The optional column applicant_commune (a unit or GSO code) decides the competent
        # unit; the reception rule of its day applies (procedures.receiving).
        try:
            commune = applicant_commune_find(raw.get("applicant_commune") or "", at=received)
            route = reception_route(
                procedure=procedure, unit=unit, applicant_commune=commune, at=received
            )
        except ValidationError as exc:
            err("applicant_commune", "; ".join(exc.messages))
        except ReceptionRefused as exc:
            err("unit_code", str(exc.message))
    if errors:
        return None, errors
    assert procedure is not None
    assert unit is not None
    assert route is not None
    return _Row(
        line=line,
        code=code,
        procedure=procedure,
        unit=unit,
        channel=values["channel"],
        applicant_name=values["applicant_name"],
        applicant_phone=values["applicant_phone"],
        status=status,
        received_at=received,
        due_at=moments["due_at"],
        resolved_at=moments["resolved_at"],
        returned_at=moments["returned_at"],
        handling_unit=route.handling,
        applicant_commune=commune,
    ), []


def dossiers_import_rows(*, rows: list[dict[str, str]], header: list[str]) -> ImportResult:
    """Validate every row, then (only if none is bad) create the dossiers not yet present."""
    result = ImportResult()
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        result.errors.append(f"line 1: missing columns: {', '.join(missing)}")
        return result
    units = {u.code: u for u in Unit.objects.all()}
    seen: set[str] = set()
    valid: list[_Row] = []
    for line, raw in enumerate(rows, start=2):
        row, errors = _validate(line, raw, seen, units)
        result.errors += errors
        if row is not None:
            valid.append(row)
    if result.errors:
        return result
    existing = set(
        Dossier.objects.filter(code__in=[r.code for r in valid]).values_list("code", flat=True)
    )
    # One calendar per receiving unit: the national days plus its province's.
    calendars: dict[int, clock.WorkCalendar] = {}
    with transaction.atomic(durable=True):
        created = []
        for row in valid:
            if row.code in existing:
                result.skipped += 1
                continue
            calendar = calendars.get(row.unit.pk) or calendars.setdefault(
                row.unit.pk, work_calendar(row.unit)
            )
            created.append(_create(row, calendar).pk)
            result.imported += 1
        # Imported dossiers bypass the status writer: the listening apps (the report
        # summaries) bring themselves up to date.
        dossiers_imported.send(sender=Dossier, dossier_ids=created)
    return result


def _create(row: _Row, calendar: clock.WorkCalendar) -> Dossier:
    due = row.due_at
    if due is None and row.received_at is not None:
        due = clock.due_at(
            row.received_at,
            procedure_time_limit(row.procedure, row.channel),
            hours=unit_office_hours(row.unit),
            calendar=calendar,
        )
    outcome = Dossier.Outcome.APPROVED if row.status in {S.RESOLVED, S.RETURNED} else ""
    dossier = Dossier(
        code=row.code,
        procedure=row.procedure,
        unit=row.unit,
        handling_unit=row.handling_unit or row.unit,
        applicant_commune=row.applicant_commune,
        channel=row.channel,
        status=row.status,
        applicant_name=row.applicant_name,
        applicant_phone=row.applicant_phone,
        applicant_id_number="",
        applicant_address="",
        submitted_at=row.received_at or timezone.now(),
        received_at=row.received_at,
        due_at=due,
        resolved_at=row.resolved_at,
        returned_at=row.returned_at,
        outcome=outcome,
        note="Nhập từ hệ thống cũ",
    )
    # Legacy registers lack the ID number and address: the rest is validated.
    dossier.full_clean(exclude=["applicant_id_number", "applicant_address", "update_key_hash"])
    dossier.save()
    event_append(
        dossier=dossier,
        kind="imported",
        to_status=row.status,
        actor=None,
        actor_label="import_dossiers",
        unit_id=row.unit.pk,
        at=row.returned_at or row.resolved_at or row.received_at or timezone.now(),
        note=f"line {row.line}",
        details={"source": "import_dossiers"},
    )
    _reserve_sequence(row)
    return dossier


def _reserve_sequence(row: _Row) -> None:
    """A legacy code in today's format takes its number: new codes must not reuse it."""
    match = CODE_PATTERN.match(row.code)
    if not match or match["e_id"] != row.unit.e_id:
        return
    try:
        day = datetime.strptime(match["day"], "%y%m%d").date()  # noqa: DTZ007 - a date only
    except ValueError:
        return
    value = int(match["seq"])
    DailySequence.objects.get_or_create(unit=row.unit, day=day)
    DailySequence.objects.filter(unit=row.unit, day=day).update(
        last_value=Greatest(F("last_value"), value)
    )


def dossiers_import(*, path: Path) -> ImportResult:
    """Import a CSV file (UTF-8, with or without BOM) with the columns of API.md."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        header = [h.strip() for h in (reader.fieldnames or [])]
        reader.fieldnames = header
        rows: list[dict[str, Any]] = list(reader)
    return dossiers_import_rows(rows=rows, header=header)
