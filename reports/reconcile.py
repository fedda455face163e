"""Reconciliation: a hand-made appendix against the data, and against its own sums.

A unit sends its report as a table in the letter's layout (CSV or XLSX: STT, unit name, the
18 figures). Every row is matched to a unit (by code when the file has a unit_code column,
else by name, ignoring case, diacritics, punctuation and the words "UBND", "xã"..., so the
letter's "Hồ Mít" is Hố Mít and "Nậm Cắn" is Nậm Cần; then by STT = report order), the
appendix is computed from the dossiers for the same period and units, and every cell that
differs, or that breaks the table's own sums, is reported.
"""

from __future__ import annotations

import contextlib
import csv
import io
import re
from dataclasses import asdict, dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from procedures.models import Unit
from procedures.text import fold
from reports.selectors.appendix import ADDITIVE, COLUMNS, appendix_compute
from reports.selectors.periods import Period
from reports.selectors.sums import rate_pct

DIFFERS = "differs_from_data"
BREAKS_SUM = "breaks_own_sum"
UNKNOWN_UNIT = "unknown_unit"
MAX_BYTES = 2 * 1024 * 1024
NOISE_WORDS = {"ubnd", "xa", "phuong", "thi", "tran", "uy", "ban", "nhan", "dan"}
TOTAL_WORDS = ("tong cong", "tong so", "total")


@dataclass
class HandRow:
    line: int
    stt: int | None
    name: str
    unit_code: str
    values: dict[str, float | int | None]
    is_total: bool = False


@dataclass
class Finding:
    unit: str  # the unit's code ("" for the total row or an unknown unit)
    unit_name: str  # as written in the file
    column: str
    reported: Any
    computed: Any
    problem: str  # differs_from_data | breaks_own_sum | unknown_unit
    message: str

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


# --- Reading the file ----------------------------------------------------------------------


def _number(raw: Any) -> float | int | None:
    """A cell as a number: "95,5" (decimal comma), "1.907" (thousands dot), "" → None."""
    if raw is None:
        return None
    if isinstance(raw, bool):
        raise ValueError(raw)
    if isinstance(raw, int):
        return raw
    if isinstance(raw, float):
        return int(raw) if raw.is_integer() else raw
    text = str(raw).strip().replace("\u00a0", "").replace(" ", "")
    if text in ("", "-", "—", "–"):
        return None
    if re.fullmatch(r"\d{1,3}(\.\d{3})+", text):
        text = text.replace(".", "")
    text = text.replace(",", ".")
    value = Decimal(text)
    return int(value) if value == value.to_integral_value() and "." not in text else float(value)


def _is_total(name: str) -> bool:
    folded = fold(name)
    return any(folded.startswith(word) for word in TOTAL_WORDS)


def _table_rows(name: str, content: bytes) -> list[tuple[int, list[Any]]]:
    if name.lower().endswith(".xlsx"):
        from openpyxl import load_workbook

        try:
            sheet = load_workbook(io.BytesIO(content), read_only=True, data_only=True).active
        except Exception as exc:  # openpyxl raises many kinds for a broken file
            raise ValidationError({"file": _("Không đọc được tệp Excel.")}) from exc
        return [(i, list(row)) for i, row in enumerate(sheet.iter_rows(values_only=True), start=1)]
    if name.lower().endswith(".csv"):
        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = content.decode("cp1258", errors="replace")
        dialect: Any = csv.excel
        with contextlib.suppress(csv.Error):
            dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
        return list(enumerate(csv.reader(io.StringIO(text), dialect), start=1))
    raise ValidationError({"file": _("Chỉ nhận tệp .csv hoặc .xlsx.")})


def hand_made_read(*, name: str, content: bytes) -> list[HandRow]:
    """The data rows (and the total row, if any) of a hand-made appendix.

    With a header naming the columns as the letter's CSV does (received_total, ...), columns
    are found by name; otherwise by position, as in the letter's printed table.
    """
    if len(content) > MAX_BYTES:
        raise ValidationError({"file": _("Tệp quá lớn.")})
    table = _table_rows(name, content)
    by_name: dict[str, int] | None = None
    for _line, cells in table:
        header = [str(c or "").strip().lower() for c in cells]
        if "received_total" in header:
            by_name = {h: i for i, h in enumerate(header)}
            break
    rows: list[HandRow] = []
    problems: list[str] = []
    for line, cells in table:
        cells = [*cells, *[None] * 25]
        if by_name is not None:
            stt_raw = cells[by_name.get("stt", 0)]
            unit_name = str(cells[by_name.get("unit_name", 1)] or "").strip()
            code = str(cells[by_name["unit_code"]] or "").strip() if "unit_code" in by_name else ""
            raw = {c: cells[by_name[c]] for c in COLUMNS if c in by_name}
        else:
            stt_raw, unit_name, code = cells[0], str(cells[1] or "").strip(), ""
            raw = {c: cells[2 + i] for i, c in enumerate(COLUMNS)}
        first = str(stt_raw or "").strip()
        is_total = _is_total(first) or _is_total(unit_name)
        if _is_total(first) and not unit_name:
            unit_name = first
        try:
            stt = int(float(str(first).replace(",", "."))) if first else None
        except ValueError:
            stt = None
        if stt is None and not is_total:
            continue  # a title, a header or a note
        values: dict[str, float | int | None] = {}
        for column, cell in raw.items():
            try:
                values[column] = _number(cell)
            except (InvalidOperation, ValueError):
                problems.append(
                    _("Dòng %(line)s, cột %(column)s: “%(value)s” không phải là số.")
                    % {"line": line, "column": column, "value": cell}
                )
        rows.append(
            HandRow(
                line=line, stt=stt, name=unit_name, unit_code=code, values=values, is_total=is_total
            )
        )
    if problems:
        raise ValidationError({"file": problems})
    if not any(not r.is_total for r in rows):
        raise ValidationError({"file": _("Không tìm thấy dòng số liệu nào theo mẫu phụ lục.")})
    return rows


# --- Matching rows to units ----------------------------------------------------------------


def name_key(name: str) -> str:
    words = re.sub(r"[^0-9a-z]+", " ", fold(name)).split()
    return " ".join(w for w in words if w not in NOISE_WORDS)


def units_match(*, rows: list[HandRow], scope: set[int]) -> dict[int, Unit | None]:
    """Line → the unit a hand-made row stands for (None when none fits)."""
    units = list(Unit.objects.filter(pk__in=scope))
    by_code = {u.code: u for u in units}
    by_name: dict[str, list[Unit]] = {}
    for unit in units:
        for label in {unit.name, unit.short_name} - {""}:
            by_name.setdefault(name_key(label), []).append(unit)
    by_order = {u.report_order: u for u in units if u.is_reporting_unit and u.report_order}
    found: dict[int, Unit | None] = {}
    for row in rows:
        if row.is_total:
            continue
        unit = by_code.get(row.unit_code) if row.unit_code else None
        if unit is None:
            candidates = by_name.get(name_key(row.name), [])
            if len(candidates) == 1:
                unit = candidates[0]
            elif row.stt in by_order and (not candidates or by_order[row.stt] in candidates):
                unit = by_order[row.stt]
        found[row.line] = unit
    return found


# --- The checks ----------------------------------------------------------------------------


def _fmt(value: Any) -> str:
    return "—" if value is None else str(value)


def _same(column: str, reported: Any, computed: Any) -> bool:
    if column == "resolution_rate_pct":
        if reported is None or computed is None:
            return reported is None and computed is None
        return Decimal(str(reported)).quantize(Decimal("0.1"), ROUND_HALF_UP) == Decimal(
            str(computed)
        ).quantize(Decimal("0.1"), ROUND_HALF_UP)
    return (reported or 0) == (computed or 0) if reported is not None else computed in (0, None)


def own_sums(row: HandRow, label: str, code: str) -> list[Finding]:
    """Where a row of the table contradicts itself."""
    v = {c: row.values.get(c) for c in COLUMNS}
    n = {c: (v[c] or 0) for c in COLUMNS}
    findings: list[Finding] = []

    def check(column: str, expected: Any, message: str) -> None:
        if not _same(column, v[column], expected):
            findings.append(
                Finding(
                    code,
                    label,
                    column,
                    v[column],
                    expected,
                    BREAKS_SUM,
                    message % {"reported": _fmt(v[column]), "expected": _fmt(expected)},
                )
            )

    levels = (
        n["l2_received"]
        + n["l3_received_direct"]
        + n["l3_received_online"]
        + n["l4_received_direct"]
        + n["l4_received_online"]
    )
    check(
        "received_total",
        levels,
        _("Tổng hồ sơ tiếp nhận %(reported)s khác tổng theo mức độ %(expected)s."),
    )
    if v["received_one_stop"] is not None or v["received_online"] is not None:
        check(
            "received_total",
            n["received_one_stop"] + n["received_online"],
            _(
                "Tổng hồ sơ tiếp nhận %(reported)s khác tổng tiếp nhận một cửa và trực tuyến "
                "%(expected)s."
            ),
        )
    check(
        "received_online",
        n["l3_received_online"] + n["l4_received_online"],
        _("Tiếp nhận trực tuyến %(reported)s khác tổng trực tuyến mức độ 3 và 4 %(expected)s."),
    )
    check(
        "procedures_total",
        n["l2_procedures"] + n["l3_procedures"] + n["l4_procedures"],
        _("Tổng số TTHC %(reported)s khác tổng theo mức độ %(expected)s."),
    )
    resolved = n["resolved_l2"] + n["resolved_l3"] + n["resolved_l4"]
    check(
        "unresolved",
        n["backlog"] + n["received_total"] - resolved,
        _("Chưa giải quyết %(reported)s khác tồn + tiếp nhận − đã giải quyết = %(expected)s."),
    )
    check(
        "resolution_rate_pct",
        rate_pct(resolved, n["backlog"] + n["received_total"]),
        _("Tỷ lệ giải quyết %(reported)s khác tỷ lệ tính từ chính các số của dòng %(expected)s."),
    )
    return findings


def reconcile(*, rows: list[HandRow], period: Period, scope: set[int]) -> list[Finding]:
    """Every cell where the hand-made table differs from the data or from its own sums.

    Steps: match rows to units; flag rows that match none; check each row's own sums and
    the total row against the sum of the rows; compute the appendix for the matched units
    and compare cell by cell.
    """
    matched = units_match(rows=rows, scope=scope)
    findings: list[Finding] = []
    data_rows = [r for r in rows if not r.is_total]
    units = [u for u in (matched[r.line] for r in data_rows) if u is not None]
    computed = {}
    if units:
        appendix = appendix_compute(period=period, units=list(dict.fromkeys(units)), scope=scope)
        computed = {r.unit_code: r.values for r in appendix.rows}
    for row in data_rows:
        unit = matched[row.line]
        code = unit.code if unit else ""
        findings.extend(own_sums(row, row.name, code))
        if unit is None:
            findings.append(
                Finding(
                    "",
                    row.name,
                    "unit_name",
                    row.name,
                    None,
                    UNKNOWN_UNIT,
                    _("Không xác định được đơn vị “%(name)s” (dòng %(line)s).")
                    % {"name": row.name, "line": row.line},
                )
            )
            continue
        for column in COLUMNS:
            if column not in row.values:
                continue
            reported, value = row.values[column], computed[code][column]
            if not _same(column, reported, value):
                findings.append(
                    Finding(
                        code,
                        row.name,
                        column,
                        reported,
                        value,
                        DIFFERS,
                        _("Báo cáo ghi %(reported)s, dữ liệu hồ sơ cho %(computed)s.")
                        % {"reported": _fmt(reported), "computed": _fmt(value)},
                    )
                )
    for total in (r for r in rows if r.is_total):
        findings.extend(
            f
            for f in own_sums(total, total.name, "")
            if f.column != "resolution_rate_pct" or f.reported is not None
        )
        for column in ADDITIVE:
            if total.values.get(column) is None:
                continue
            expected = sum((r.values.get(column) or 0) for r in data_rows)
            if not _same(column, total.values[column], expected):
                findings.append(
                    Finding(
                        "",
                        total.name,
                        column,
                        total.values[column],
                        expected,
                        BREAKS_SUM,
                        _("Dòng tổng ghi %(reported)s, cộng các dòng được %(expected)s.")
                        % {"reported": _fmt(total.values[column]), "expected": _fmt(expected)},
                    )
                )
    return findings
