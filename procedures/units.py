"""Units as data with a life: the open check every path uses, and loading units.

A unit exists from `valid_from` to `valid_to` (both included). The day after `valid_to` it
accepts nothing - no dossier on the wizard, the API, the counter, nor an imported dossier
received after that day - and the refusal names its successor. Closing a unit (and handing
its open dossiers to the successor) is `dossiers.services.units.unit_close`.

Across a reform a unit's figures can include its predecessors: `unit_predecessor_ids` gives
every unit whose chain of successors leads into the given ones.

Loading: `units_import_province` takes a province's current communes and wards from the
`vietnam-provinces` package (the tree since 1 July 2025); `units_import_file` takes a CSV or
XLSX file of agencies, codes, dates and successors, all or nothing, errors by line.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.exceptions import PortalError
from procedures.importing import RowError, read_rows
from procedures.models import Unit


class UnitClosed(PortalError):
    """The unit no longer exists on that day: the applicant must go to its successor."""


def unit_assert_open(*, unit: Unit, at: dt.datetime | None = None) -> None:
    """Raise UnitClosed (400) when `unit` does not exist at `at` (now by default)."""
    day = timezone.localdate(at)  # today when `at` is None
    if unit.is_open_on(day):
        return
    extra: dict[str, Any] = {"unit": unit.code}
    if day < unit.valid_from:
        message = _("%(unit)s chỉ hoạt động từ ngày %(day)s.") % {
            "unit": unit.name,
            "day": f"{unit.valid_from:%d/%m/%Y}",
        }
        raise UnitClosed(message, extra=extra)
    assert unit.valid_to is not None
    closed = {"unit": unit.name, "day": f"{unit.valid_to + dt.timedelta(days=1):%d/%m/%Y}"}
    successor = unit.successor
    if successor is not None:
        extra["successor"] = successor.code
        message = _(
            "%(unit)s đã thôi hoạt động từ ngày %(day)s; hồ sơ nay nộp tại %(successor)s."
        ) % {**closed, "successor": successor.name}
    else:
        message = _("%(unit)s đã thôi hoạt động từ ngày %(day)s.") % closed
    raise UnitClosed(message, extra=extra)


def unit_close_check(
    *, unit: Unit, last_day: dt.date, successor: Unit | None, valid_from: dt.date | None = None
) -> None:
    """Whether `unit` may close after `last_day` into `successor` (ValidationError by field).

    A closing unit needs a successor to carry its open dossiers: a unit other than itself,
    open from the day after `last_day`. `valid_from` is the unit's start (its stored one by
    default; a form passes the value being entered). The one check of
    `dossiers.services.units.unit_close` and of the admin's unit form.
    """
    errors: dict[str, str] = {}
    if successor is None:
        errors["successor"] = _(
            "Đơn vị thôi hoạt động phải có đơn vị kế thừa để tiếp nhận các hồ sơ đang giải quyết."
        )
    elif unit.pk is not None and successor.pk == unit.pk:
        errors["successor"] = _("Đơn vị không thể tự kế thừa chính mình.")
    elif not successor.is_open_on(last_day + dt.timedelta(days=1)):
        errors["successor"] = _(
            "Đơn vị kế thừa phải đang hoạt động từ ngày sau ngày thôi hoạt động."
        )
    if last_day < (valid_from or unit.valid_from):
        errors["valid_to"] = _("Ngày thôi hoạt động trước ngày bắt đầu hoạt động.")
    if errors:
        raise ValidationError(errors)


def unit_predecessor_ids(*, unit_ids: Iterable[int]) -> set[int]:
    """Every unit closed into one of `unit_ids`, directly or through other closed units
    (following `successor` links backwards, transitively). A unit split between several
    new ones counts under its main `successor` only, so its figures are counted once."""
    targets = set(unit_ids)
    before: dict[int, list[int]] = {}
    for pk, successor in Unit.objects.exclude(successor=None).values_list("pk", "successor_id"):
        before.setdefault(successor, []).append(pk)
    found: set[int] = set()
    stack = list(targets)
    while stack:
        for pk in before.get(stack.pop(), []):
            if pk not in found and pk not in targets:
                found.add(pk)
                stack.append(pk)
    return found


# --- Loading units ----------------------------------------------------------------------------

#: The start of the two-level local government (Law 72/2025/QH15 on local government).
TWO_LEVEL_FROM = dt.date(2025, 7, 1)

REQUIRED_COLUMNS = {"code", "name", "kind"}


@dataclass
class UnitsImportResult:
    created: int = 0
    updated: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def units_import_province(*, province_code: int) -> UnitsImportResult:
    """Create or update the province and its current communes/wards from vietnam-provinces.

    Each commune gets the code `<province>-<GSO code>` (the GSO code alone names the unit
    of the same number before 1 July 2025), valid from 1 July 2025.
    """
    from vietnam_provinces import Province, ProvinceCode, Ward

    try:
        province = Province.from_code(ProvinceCode(province_code))
    except ValueError:
        return UnitsImportResult(errors=[f"unknown province code {province_code}"])
    wards = sorted(
        (w for w in Ward.iter_all() if int(w.province_code) == province_code),
        key=lambda w: int(w.code),
    )
    result = UnitsImportResult()
    with transaction.atomic():
        top = _upsert(
            result,
            code=str(province_code),
            name=f"{province.division_type.value.capitalize()} {province.name}",
            kind=Unit.Kind.PROVINCE,
            parent=None,
            stat_code=f"{province_code:02d}",
        )
        for ward in wards:
            gso = f"{int(ward.code):05d}"
            _upsert(
                result,
                code=f"{province_code}-{gso}",
                name=ward.name,
                kind=Unit.Kind.COMMUNE,
                parent=top,
                stat_code=gso,
                valid_from=TWO_LEVEL_FROM,
            )
    return result


def _upsert(result: UnitsImportResult, *, code: str, **attrs: Any) -> Unit:
    unit = Unit.objects.filter(code=code).first()
    if unit is None:
        unit = Unit(code=code)
        result.created += 1
    else:
        result.updated += 1
    for key, value in attrs.items():
        setattr(unit, key, value)
    unit.full_clean(validate_unique=False, validate_constraints=False)
    unit.save()
    return unit


def units_import_file(*, path: Path) -> UnitsImportResult:
    """Import units from CSV or XLSX, columns code, name, kind (required), parent, stat_code,
    e_id, valid_from, valid_to, successor, other_successors (";" between codes), one_stop;
    parents and successors by code, in the file or already present. All or nothing; every
    bad row is named by its line."""
    try:
        rows = read_rows(path)
    except (RowError, ValueError, OSError) as exc:
        return UnitsImportResult(errors=[f"{path.name}: {exc}"])
    if rows:
        missing = REQUIRED_COLUMNS - set(rows[0][1])
        if missing:
            return UnitsImportResult(errors=[f"missing columns: {', '.join(sorted(missing))}"])
    in_file = {str(r.get("code") or "").strip() for _line, r in rows}
    known = set(Unit.objects.values_list("code", flat=True)) | in_file
    errors: list[str] = []
    parsed: list[tuple[int, dict[str, Any]]] = []
    seen: dict[str, int] = {}
    for line, row in rows:
        try:
            record = _unit_row(row, known)
            if record["code"] in seen:
                raise RowError(f"code {record['code']} already on line {seen[record['code']]}")
            seen[record["code"]] = line
            parsed.append((line, record))
        except RowError as exc:
            errors.append(f"line {line}: {exc}")
    if errors:
        return UnitsImportResult(errors=errors)
    result = UnitsImportResult()
    try:
        with transaction.atomic():
            _write_units(parsed, result)
    except _LineError as exc:
        return UnitsImportResult(errors=[str(exc)])
    return result


class _LineError(Exception):
    pass


def _write_units(parsed: list[tuple[int, dict[str, Any]]], result: UnitsImportResult) -> None:
    """Parents first (a file may list a child before its parent), then successors."""
    pending = list(parsed)
    while pending:
        ready = [
            (line, r)
            for line, r in pending
            if not r["parent"] or Unit.objects.filter(code=r["parent"]).exists()
        ]
        if not ready:
            line, record = pending[0]
            raise _LineError(f"line {line}: parent {record['parent']} forms a cycle")
        for line, record in ready:
            attrs = {k: v for k, v in record.items() if k not in _LINKS}
            attrs["parent"] = Unit.objects.get(code=record["parent"]) if record["parent"] else None
            try:
                _upsert(result, **attrs)
            except ValidationError as exc:
                raise _LineError(f"line {line}: {'; '.join(exc.messages)}") from exc
        pending = [p for p in pending if p not in ready]
    for line, record in parsed:
        unit = Unit.objects.get(code=record["code"])
        if record["successor"]:
            unit.successor = Unit.objects.get(code=record["successor"])
            unit.save(update_fields=["successor"])
        if record["other_successors"]:
            unit.other_successors.set(Unit.objects.filter(code__in=record["other_successors"]))
        if unit.valid_to is None and (unit.successor_id or record["other_successors"]):
            raise _LineError(f"line {line}: a unit with a successor needs valid_to")


_LINKS = {"parent", "successor", "other_successors"}


def _unit_row(row: dict[str, Any], known: set[str]) -> dict[str, Any]:
    def text(key: str) -> str:
        value = row.get(key)
        return "" if value is None else str(value).strip()

    code, name, kind = text("code"), text("name"), text("kind")
    problems = []
    if not code:
        problems.append("code is required")
    if not name:
        problems.append("name is required")
    if kind not in Unit.Kind.values:
        problems.append(f"kind must be one of {', '.join(Unit.Kind.values)}, got {kind!r}")
    dates: dict[str, dt.date | None] = {}
    for key in ("valid_from", "valid_to"):
        raw = row.get(key)
        dates[key] = None
        if isinstance(raw, dt.datetime):
            dates[key] = raw.date()
        elif isinstance(raw, dt.date):
            dates[key] = raw
        elif text(key):
            try:
                dates[key] = dt.date.fromisoformat(text(key))
            except ValueError:
                problems.append(f"{key} must be a date (YYYY-MM-DD), got {text(key)!r}")
    start, end = dates["valid_from"], dates["valid_to"]
    if start and end and end < start:
        problems.append("valid_to is before valid_from")
    links = {
        "parent": text("parent"),
        "successor": text("successor"),
    }
    others = [c.strip() for c in text("other_successors").split(";") if c.strip()]
    for key, value in [*links.items(), *(("other_successors", c) for c in others)]:
        if value and value not in known:
            problems.append(f"{key}: unknown unit {value!r}")
    if links["successor"] and links["successor"] == code:
        problems.append("a unit cannot succeed itself")
    if problems:
        raise RowError("; ".join(problems))
    record: dict[str, Any] = {
        "code": code,
        "name": name,
        "kind": kind,
        "stat_code": text("stat_code"),
        "e_id": text("e_id") or None,
        "valid_to": end,
        "is_one_stop_desk": text("one_stop").lower() in {"1", "true", "yes", "x", "có"},
        **links,
        "other_successors": others,
    }
    if start:
        record["valid_from"] = start
    return record
