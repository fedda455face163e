"""Reading catalogue files (JSON, CSV, XLSX) into validated procedure records.

A file is read whole, every row is validated, and only a file without a single bad row is
imported (procedures.services.procedures_import). Errors name the row's line number.

Flat files (CSV/XLSX) carry one procedure per row, columns code, name, field,
implementing_level, level, effective_from, units, working_days, same_day, fee_vnd, documents,
steps, legal_basis, result, conditions, applicants, fee_note, postal_allowed; lists use ";"
and documents use "name|required|originals|copies" items.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from procedures.models import service_and_level
from procedures.text import fold

CODE_CHARS = set("0123456789.")
LEVELS = {1, 2, 3, 4}
IMPLEMENTING_LEVELS = {"province", "district", "commune"}
CHANNELS = {"counter", "online", "post"}
# Decree 42/2022's online service levels as a file may write them (folded: no diacritics).
ONLINE_SERVICES = {
    "full": "full",
    "toan trinh": "full",
    "partial": "partial",
    "mot phan": "partial",
    "information": "information",
    "thong tin": "information",
}


def fold_text(value: Any) -> str:
    return " ".join(fold(str(value or "")).split())


@dataclass
class DocumentRecord:
    name: str
    required: bool = True
    originals: int = 1
    copies: int = 0
    template_title: str = ""
    template_fields: list[str] = field(default_factory=list)


@dataclass
class ChannelRecord:
    channel: str
    working_days: Decimal | None
    same_day: bool
    fee_vnd: int
    calendar_days: int | None = None
    working_hours: Decimal | None = None


@dataclass
class ProcedureRecord:
    line: int
    code: str
    name: str
    field: str
    implementing_level: str
    level: int
    effective_from: dt.date
    effective_to: dt.date | None
    units: list[str]  # unit codes or group names (commune, district_desk, board)
    channels: list[ChannelRecord]
    documents: list[DocumentRecord]
    steps: list[str] = field(default_factory=list)
    legal_basis: list[str] = field(default_factory=list)
    result: str = ""
    conditions: str = ""
    applicants: str = ""
    fee_note: str = ""
    fee_rule: dict[str, Any] | None = None
    postal_allowed: bool = True
    sets: int = 1
    code_unconfirmed: bool = False
    online_service: str = ""
    # Decree 118/2025: receivable at any centre of the province from this day (the province
    # chair's published list); the decision that listed it.
    boundary_free_from: dt.date | None = None
    boundary_free_decision: str = ""


class RowError(Exception):
    pass


def read_rows(path: Path) -> list[tuple[int, dict[str, Any]]]:
    """(line number, raw row) pairs from a .json, .csv or .xlsx catalogue file."""
    suffix = path.suffix.lower()
    if suffix == ".json":
        data = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(data, list):
            raise RowError("a JSON catalogue is a list of procedures")
        return [(i + 1, row) for i, row in enumerate(data)]
    if suffix == ".csv":
        text = path.read_text(encoding="utf-8-sig")
        reader = csv.DictReader(io.StringIO(text))
        return [(i + 2, dict(row)) for i, row in enumerate(reader)]  # line 1 is the header
    if suffix == ".xlsx":
        from openpyxl import load_workbook

        sheet = load_workbook(path, read_only=True, data_only=True).active
        rows = list(sheet.iter_rows(values_only=True))
        if not rows:
            return []
        header = [str(h or "").strip() for h in rows[0]]
        return [
            (i + 2, {h: ("" if v is None else v) for h, v in zip(header, row, strict=False)})
            for i, row in enumerate(rows[1:])
            if any(v not in (None, "") for v in row)
        ]
    raise RowError(f"unsupported file type {suffix}: use .json, .csv or .xlsx")


def _text(row: dict[str, Any], key: str, required: bool = False) -> str:
    value = row.get(key)
    text = "" if value is None else str(value).strip()
    if required and not text:
        raise RowError(f"'{key}' is required")
    return text


def _date(value: Any, key: str) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise RowError(f"'{key}' must be a date YYYY-MM-DD, got {value!r}") from None


def _int(value: Any, key: str, *, minimum: int = 0) -> int:
    try:
        number = int(str(value).strip() or "0")
    except ValueError:
        raise RowError(f"'{key}' must be a whole number, got {value!r}") from None
    if number < minimum:
        raise RowError(f"'{key}' must be at least {minimum}")
    return number


def _bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in {"1", "true", "yes", "x", "có", "co"}


def _split(value: Any) -> list[str]:
    if isinstance(value, list):
        return [str(v).strip() for v in value if str(v).strip()]
    return [part.strip() for part in str(value or "").split(";") if part.strip()]


def _days(value: Any) -> Decimal:
    try:
        days = Decimal(str(value).strip().replace(",", "."))
    except InvalidOperation:
        raise RowError(f"working days must be a number, got {value!r}") from None
    if days <= 0 or (days * 2) % 1:
        raise RowError(f"working days must be a positive multiple of 0.5, got {value!r}")
    return days


def _channel(raw: dict[str, Any]) -> ChannelRecord:
    name = str(raw.get("channel", "")).strip()
    if name not in CHANNELS:
        raise RowError(f"unknown channel {name!r} (counter, online or post)")
    limit = raw.get("time_limit") or {}
    units = ("same_day", "working_days", "calendar_days", "working_hours")
    if not isinstance(limit, dict):
        raise RowError("time_limit must be an object such as {'working_days': N}")
    given = [u for u in units if u in limit and (u != "same_day" or limit[u])]
    if len(given) != 1:
        raise RowError(f"time_limit needs exactly one of {', '.join(units)}")
    record = ChannelRecord(name, None, False, _int(raw.get("fee_vnd", 0), "fee_vnd"))
    unit = given[0]
    if unit == "same_day":
        record.same_day = True
    elif unit == "working_days":
        record.working_days = _days(limit[unit])
    elif unit == "calendar_days":
        record.calendar_days = _int(limit[unit], "calendar_days")
        if record.calendar_days < 1:
            raise RowError("calendar_days must be at least 1")
    else:
        record.working_hours = _days(limit[unit])
    return record


def _documents_json(raw: Any) -> list[DocumentRecord]:
    if not isinstance(raw, list) or not raw:
        raise RowError("'documents' must list at least one document")
    docs = []
    for item in raw:
        name = _text(item, "name", required=True)
        template = item.get("template") or {}
        docs.append(
            DocumentRecord(
                name=name,
                required=_bool(item.get("required", True)),
                originals=_int(item.get("originals", 1), "originals"),
                copies=_int(item.get("copies", 0), "copies"),
                template_title=str(template.get("title", "")),
                template_fields=[str(f) for f in template.get("fields", [])],
            )
        )
    return docs


def _documents_flat(raw: Any) -> list[DocumentRecord]:
    docs = []
    for item in _split(raw):
        parts = [p.strip() for p in item.split("|")]
        if not parts[0]:
            raise RowError(f"document without a name in {item!r}")
        docs.append(
            DocumentRecord(
                name=parts[0],
                required=_bool(parts[1]) if len(parts) > 1 else True,
                originals=_int(parts[2], "originals") if len(parts) > 2 else 1,
                copies=_int(parts[3], "copies") if len(parts) > 3 else 0,
            )
        )
    if not docs:
        raise RowError("'documents' must list at least one document")
    return docs


def parse_row(line: int, row: dict[str, Any]) -> ProcedureRecord:
    """Validate one raw row; raise RowError with every problem of the row."""
    problems: list[str] = []
    # Control characters (NUL above all: PostgreSQL text cannot hold it) are never data.
    for key, value in row.items():
        text = value if isinstance(value, str) else json.dumps(value, default=str)
        if any(ord(ch) < 32 and ch not in "\t\r\n" for ch in text):
            problems.append(f"'{key}' holds a control character")
    if problems:
        raise RowError("; ".join(problems))

    def attempt(fn: Any, *args: Any, default: Any = None) -> Any:
        try:
            return fn(*args)
        except RowError as exc:
            problems.append(str(exc))
            return default

    code = attempt(_text, row, "code", True, default="")
    if code and (set(code) - CODE_CHARS or code.count(".") != 1):
        problems.append(f"code {code!r} is not a national procedure code like 1.001193")
    name = attempt(_text, row, "name", True, default="")
    field_name = attempt(_text, row, "field", True, default="")
    implementing = _text(row, "implementing_level")
    if implementing not in IMPLEMENTING_LEVELS:
        problems.append(
            f"implementing_level {implementing!r} must be one of "
            f"{', '.join(sorted(IMPLEMENTING_LEVELS))}"
        )
    service = ONLINE_SERVICES.get(fold_text(row.get("online_service")))
    if str(row.get("online_service") or "").strip() and service is None:
        problems.append(
            "online_service must be full (toàn trình), partial (một phần) or information,"
            f" got {row.get('online_service')!r}"
        )
    if service and not str(row.get("level") or "").strip():
        level = service_and_level(service, None)[1]
    else:
        level = attempt(_int, row.get("level", ""), "level", default=0)
        if level not in LEVELS:
            problems.append(f"level must be 1, 2, 3 or 4, got {row.get('level')!r}")
    effective_from = attempt(_date, row.get("effective_from", ""), "effective_from")
    effective_to = (
        attempt(_date, row["effective_to"], "effective_to") if row.get("effective_to") else None
    )
    boundary_free_from = (
        attempt(_date, row["boundary_free_from"], "boundary_free_from")
        if row.get("boundary_free_from")
        else None
    )
    boundary_free_decision = _text(row, "boundary_free_decision")
    if boundary_free_decision and boundary_free_from is None:
        problems.append("boundary_free_decision needs boundary_free_from (the day it applies)")
    if boundary_free_from and effective_from and boundary_free_from < effective_from:
        problems.append("boundary_free_from is before the version's effective_from")
    units = _split(row.get("units") or row.get("handled_by"))
    if not units:
        problems.append("'units' (or 'handled_by') must name at least one unit")
    flat = "channels" not in row
    channels: list[ChannelRecord] = []
    if flat:
        same_day = _bool(row.get("same_day", ""))
        days_raw = row.get("working_days", "")
        if same_day == bool(str(days_raw).strip()):
            problems.append("give exactly one of 'working_days' or 'same_day'")
        else:
            days = None if same_day else attempt(_days, days_raw)
            fee = attempt(_int, row.get("fee_vnd", 0), "fee_vnd", default=0)
            names = ["counter", "post"] + (["online"] if level in (3, 4) else [])
            channels = [ChannelRecord(n, days, same_day, fee) for n in names]
        documents = attempt(_documents_flat, row.get("documents"), default=[])
    else:
        for raw in row.get("channels") or []:
            channel = attempt(_channel, raw)
            if channel:
                channels.append(channel)
        if not channels:
            problems.append("'channels' must list at least one channel")
        documents = attempt(_documents_json, row.get("documents"), default=[])
    if level in (1, 2) and any(c.channel == "online" for c in channels):
        problems.append("a level 1-2 procedure cannot have an online channel")
    if level in (3, 4) and not any(c.channel == "online" for c in channels):
        problems.append("a level 3-4 procedure needs an online channel")
    if problems:
        raise RowError("; ".join(problems))
    return ProcedureRecord(
        line=line,
        code=code,
        name=name,
        field=field_name,
        implementing_level=implementing,
        level=level,
        online_service=service or "",
        effective_from=effective_from,
        effective_to=effective_to,
        units=units,
        channels=channels,
        documents=documents,
        steps=_split(row.get("steps")),
        legal_basis=_split(row.get("legal_basis")),
        result=_text(row, "result"),
        conditions=_text(row, "conditions"),
        applicants=_text(row, "applicants"),
        fee_note=_text(row, "fee_note"),
        fee_rule=row.get("fee_rule") or None,
        postal_allowed=_bool(row.get("postal_allowed", True)),
        sets=_int(row.get("sets", 1) or 1, "sets", minimum=1),
        code_unconfirmed=_bool(row.get("code_unconfirmed", False)),
        boundary_free_from=boundary_free_from,
        boundary_free_decision=boundary_free_decision,
    )
