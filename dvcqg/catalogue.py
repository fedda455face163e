"""The national catalogue's procedure (LayThuTuc) as a row of the catalogue's importer.

Pure functions: `procedure_row(raw, ...)` turns one DVCQG procedure into the JSON row that
procedures.importing.parse_row reads (the same validation as a catalogue file), or raises
CatalogueError with the reason. docs/NATIONAL.md "Catalogue" describes the mapping.

Field names are read whatever their casing (`URL`, `Url`, `url`): deployments differ.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from procedures.text import fold

# KENH: 1 at the counter (trực tiếp), 2 online (trực tuyến), 3 by post (dịch vụ bưu chính).
CHANNELS = {"1": "counter", "2": "online", "3": "post"}
# CAPTHUCHIEN: 0 ministry, 1 province, 2 district, 3 commune; our implementing levels and the
# importer's unit groups (procedures.services.UNIT_GROUPS) of each.
LEVELS = {"1": "province", "2": "district", "3": "commune"}
LEVEL_GROUPS = {"1": "province_centre", "2": "district_desk", "3": "commune"}
LEVEL_ORDER = ["province", "district", "commune"]


class CatalogueError(Exception):
    """A procedure of the national catalogue that cannot be imported, with the reason."""


@dataclass(frozen=True)
class Local:
    """What the catalogue keeps of its own on a procedure, which DVCQG does not carry: the
    version in force, if any, passes it on to the next one."""

    level: int = 0
    online_service: str = ""
    conditions: str = ""
    fee_note: str = ""
    fee_rule: dict[str, Any] | None = None
    postal_allowed: bool = True
    sets: int = 1
    boundary_free_from: dt.date | None = None
    boundary_free_decision: str = ""
    # document name -> (template title, template fields)
    templates: dict[str, tuple[str, list[str]]] = field(default_factory=dict)


def get(record: Any, name: str, default: Any = None) -> Any:
    """record[name] whatever the casing of the key (URL, Url, url)."""
    if not isinstance(record, dict):
        return default
    if name in record:
        return record[name]
    wanted = name.lower()
    for key, value in record.items():
        if isinstance(key, str) and key.lower() == wanted:
            return value
    return default


def items(record: Any, name: str) -> list[dict[str, Any]]:
    value = get(record, name)
    if isinstance(value, dict):
        value = [value]
    return [v for v in value or [] if isinstance(v, dict)] if isinstance(value, list) else []


def text(record: Any, name: str) -> str:
    value = get(record, name)
    return "" if value is None else " ".join(str(value).split())


def _amount(value: Any) -> int:
    """SOTIEN as DVCQG writes it: 8000, "8000", "8.000", "8,000 đồng"."""
    digits = re.sub(r"[.,\s]", "", str(value or "0"))
    digits = re.sub(r"(đồng|đ|vnđ|vnd)$", "", fold(digits))
    if not digits.isdigit():
        raise CatalogueError(f"PHILEPHI.SOTIEN {value!r} is not an amount")
    return int(digits)


def time_limit(amount: Any, unit: Any) -> dict[str, Any]:
    """THOIGIANGIAIQUYET with its DONVITINH as the importer's time limit: working days,
    calendar days ("ngày" alone), working hours, or the same day."""
    words = " ".join(fold(str(unit or "")).split())
    raw = str(amount if amount is not None else "").strip().replace(",", ".")
    if "trong ngay" in words or raw == "0":
        return {"same_day": True}
    if not raw:
        raise CatalogueError("THOIGIANGIAIQUYET is empty")
    try:
        number = Decimal(raw)
    except InvalidOperation:
        raise CatalogueError(f"THOIGIANGIAIQUYET {amount!r} is not a number") from None
    if number <= 0:
        raise CatalogueError(f"THOIGIANGIAIQUYET {amount!r} is not positive")
    if "gio" in words.split():
        return {"working_hours": str(number)}
    if "ngay lam viec" in words:
        return {"working_days": str(number)}
    if words.startswith("ngay"):
        if number != number.to_integral_value():
            raise CatalogueError(f"{amount} calendar days is not a whole number")
        return {"calendar_days": int(number)}
    raise CatalogueError(f"DONVITINH {unit!r} is not a unit of time we know")


def _channels(raw: dict[str, Any]) -> list[dict[str, Any]]:
    channels: dict[str, dict[str, Any]] = {}
    for way in items(raw, "CACHTHUCTHUCHIEN"):
        kenh = text(way, "KENH")
        if kenh not in CHANNELS:
            raise CatalogueError(f"CACHTHUCTHUCHIEN.KENH {kenh!r} is not 1, 2 or 3")
        times = items(way, "THOIGIAN")
        if not times:
            raise CatalogueError(f"KENH {kenh} has no THOIGIAN (time limit)")
        main = times[0]  # the general case; later ones are special cases of the procedure
        fee = sum(_amount(get(f, "SOTIEN")) for f in items(main, "PHILEPHI"))
        channels.setdefault(
            CHANNELS[kenh],
            {
                "channel": CHANNELS[kenh],
                "time_limit": time_limit(get(main, "THOIGIANGIAIQUYET"), get(main, "DONVITINH")),
                "fee_vnd": fee,
            },
        )
    if not channels:
        raise CatalogueError("CACHTHUCTHUCHIEN lists no channel")
    return list(channels.values())


def _documents(raw: dict[str, Any], local: Local) -> list[dict[str, Any]]:
    """Every document of every case (TRUONGHOP); required when every case asks for it."""
    cases = [items(case, "GIAYTO") for case in items(raw, "THANHPHANHOSO")]
    cases = [c for c in cases if c]
    if not cases:
        raise CatalogueError("THANHPHANHOSO lists no document (GIAYTO)")
    documents: dict[str, dict[str, Any]] = {}
    in_cases: dict[str, int] = {}
    for case in cases:
        seen: set[str] = set()
        for paper in case:
            name = text(paper, "TENGIAYTO")
            if not name:
                raise CatalogueError("a GIAYTO has no TENGIAYTO")
            if name not in documents:
                title, fields = local.templates.get(name, ("", []))
                documents[name] = {
                    "name": name,
                    "originals": _count(get(paper, "SOBANCHINH"), "SOBANCHINH", 1),
                    "copies": _count(get(paper, "SOBANSAO"), "SOBANSAO", 0),
                    "template": {"title": title, "fields": fields},
                }
            if name not in seen:
                in_cases[name] = in_cases.get(name, 0) + 1
                seen.add(name)
    for name, document in documents.items():
        document["required"] = in_cases[name] == len(cases)
    return list(documents.values())


def _count(value: Any, name: str, default: int) -> int:
    if value in (None, ""):
        return default
    try:
        number = int(str(value).strip())
    except ValueError:
        raise CatalogueError(f"{name} {value!r} is not a whole number") from None
    if number < 0:
        raise CatalogueError(f"{name} {value!r} is negative")
    return number


def _steps(raw: dict[str, Any]) -> list[str]:
    cases = items(raw, "TRINHTUTHUCHIEN")
    several = len(cases) > 1
    steps = []
    for case in cases:
        label = text(case, "TRUONGHOP")
        for step in items(case, "TRINHTU"):
            name = text(step, "TENTRINHTU")
            if name:
                steps.append(f"{label}: {name}" if several and label else name)
    return steps


def _legal_basis(raw: dict[str, Any]) -> list[str]:
    basis = []
    for document in items(raw, "CANCUPHAPLY"):
        number, title = text(document, "SOVANBAN"), text(document, "TENVANBAN")
        if number and number not in title:
            basis.append(f"{title} số {number}" if title else number)
        elif title:
            basis.append(title)
    return basis


def procedure_units(raw: dict[str, Any], unit_codes_by_eid: dict[str, str]) -> tuple[str, list]:
    """(implementing level, the importer's unit codes or groups): the agencies of
    COQUANTHUCHIEN that are ours (by their national code, MADONVI = our unit's e_id), else
    the group of each level of CAPTHUCHIEN that is ours (province, district, commune)."""
    levels = [text(level, "CAPTHUCHIEN") for level in items(raw, "CAPTHUCHIEN")]
    ours = [lv for lv in levels if lv in LEVELS]
    agencies = items(raw, "COQUANTHUCHIEN")
    codes = [
        unit_codes_by_eid[text(a, "MADONVI")]
        for a in agencies
        if text(a, "MADONVI") in unit_codes_by_eid
    ]
    if not ours:
        raise CatalogueError(
            f"CAPTHUCHIEN {levels or '[]'} names no province, district or commune level"
        )
    implementing = max((LEVELS[lv] for lv in ours), key=LEVEL_ORDER.index)
    if codes:
        return implementing, list(dict.fromkeys(codes))
    return implementing, list(dict.fromkeys(LEVEL_GROUPS[lv] for lv in ours))


def procedure_row(
    raw: dict[str, Any],
    *,
    effective_from: dt.date,
    unit_codes_by_eid: dict[str, str],
    local: Local | None = None,
) -> dict[str, Any]:
    """One LayThuTuc procedure as a row of procedures.importing.parse_row (a new version
    from `effective_from`, carrying the catalogue's own fields of `local`)."""
    local = local or Local()
    code = text(raw, "MATTHC")
    if not code:
        raise CatalogueError("MATTHC is empty")
    state = text(raw, "TRANGTHAI")
    if state and state != "1":
        raise CatalogueError(f"TRANGTHAI {state!r}: not in force")
    fields = items(raw, "LINHVUCTHUCHIEN")
    if not fields or not text(fields[0], "TENLINHVUC"):
        raise CatalogueError("LINHVUCTHUCHIEN has no TENLINHVUC")
    implementing, units = procedure_units(raw, unit_codes_by_eid)
    channels = _channels(raw)
    online = any(c["channel"] == "online" for c in channels)
    # DVCQG does not say whether an online procedure is wholly online (Decree 42/2022): the
    # catalogue's own level stays when it agrees with the channels, else partial (3) or 2.
    if online:
        level = local.level if local.level in (3, 4) else 3
        service = local.online_service if local.level in (3, 4) else "partial"
    else:
        level = local.level if local.level in (1, 2) else 2
        service = local.online_service if local.level in (1, 2) else "information"
    boundary_free = local.boundary_free_from
    if boundary_free and boundary_free < effective_from:
        boundary_free = effective_from
    return {
        "code": code,
        "name": text(raw, "TENTTHC"),
        "field": text(fields[0], "TENLINHVUC"),
        "implementing_level": implementing,
        "level": level,
        "online_service": service,
        "effective_from": effective_from.isoformat(),
        "units": units,
        "channels": channels,
        "documents": _documents(raw, local),
        "steps": _steps(raw),
        "legal_basis": _legal_basis(raw),
        "result": "; ".join(t for r in items(raw, "KETQUATHUCHIEN") if (t := text(r, "TENKETQUA"))),
        "applicants": "; ".join(
            t for d in items(raw, "DOITUONGTHUCHIEN") if (t := text(d, "TENDOITUONG"))
        ),
        "conditions": local.conditions,
        "fee_note": local.fee_note,
        "fee_rule": local.fee_rule,
        "postal_allowed": local.postal_allowed,
        "sets": local.sets,
        "boundary_free_from": boundary_free.isoformat() if boundary_free else "",
        "boundary_free_decision": local.boundary_free_decision if boundary_free else "",
    }
