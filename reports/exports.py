"""Report files: CSV in the letter's column names, XLSX reproducing the letter's table."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

from portal.spreadsheets import csv_value, print_setup, workbook_bytes, write_only_row
from reports.selectors.appendix import COLUMNS as APPENDIX_COLUMNS
from reports.selectors.appendix import Appendix
from reports.selectors.ii06a import COLUMNS as II06A_COLUMNS
from reports.selectors.ii06a import II06a

THIN = Side(style="thin", color="000000")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)


def _csv_writer(out: io.StringIO) -> Any:
    """RFC 4180 line ends (CR LF): a field holding either character is then quoted."""
    return csv.writer(out)


def appendix_csv(appendix: Appendix) -> bytes:
    """The letter's CSV layout (stt, unit_name, the 18 columns) plus unit_code; a total row."""
    out = io.StringIO()
    writer = _csv_writer(out)
    writer.writerow(["stt", "unit_name", *APPENDIX_COLUMNS, "unit_code"])
    for row in appendix.rows:
        writer.writerow(
            [
                row.stt,
                csv_value(row.unit_name),
                *[csv_value(row.values[c]) for c in APPENDIX_COLUMNS],
                row.unit_code,
            ]
        )
    writer.writerow(
        [
            "",
            csv_value(appendix.total.unit_name),
            *[csv_value(appendix.total.values[c]) for c in APPENDIX_COLUMNS],
            "",
        ]
    )
    return ("\ufeff" + out.getvalue()).encode("utf-8")  # the BOM lets Excel read UTF-8


def ii06a_csv(report: II06a) -> bytes:
    out = io.StringIO()
    writer = _csv_writer(out)
    key = "unit_code" if report.by == "unit" else "field"
    writer.writerow([key, "name", *II06A_COLUMNS, "on_time_rate_pct"])
    for row in [*report.rows, report.total]:
        writer.writerow(
            [
                row.key,
                csv_value(row.name),
                *[row.values[c] for c in II06A_COLUMNS],
                csv_value(row.values["on_time_rate_pct"]),
            ]
        )
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _style_block(ws: Any, first_row: int, last_row: int, last_col: int) -> None:
    for r in range(first_row, last_row + 1):
        for c in range(1, last_col + 1):
            cell = ws.cell(row=r, column=c)
            cell.border = BOX
            cell.alignment = CENTER


def _merge(ws: Any, top: int, left: int, bottom: int, right: int, text: str) -> None:
    ws.cell(row=top, column=left, value=text)
    if (top, left) != (bottom, right):
        ws.merge_cells(start_row=top, start_column=left, end_row=bottom, end_column=right)


def appendix_header(ws: Any, top: int) -> int:
    """The letter's four header rows with their merged cells; returns the next free row.

    Columns: A STT, B name, C–D total (HSTN, TTHC), E–F level 2, G–I level 3, J–L level 4,
    M backlog, N–O received (one-stop, online), P–R resolved per level, S unresolved,
    T rate, U notes.
    """
    r1, r2, r3, r4 = top, top + 1, top + 2, top + 3
    _merge(ws, r1, 1, r4, 1, _("STT"))
    _merge(ws, r1, 2, r4, 2, _("TÊN CƠ QUAN"))
    _merge(ws, r1, 3, r1, 12, _("TÌNH HÌNH TRIỂN KHAI"))
    _merge(ws, r1, 13, r1, 20, _("TÌNH HÌNH XỬ LÝ"))
    _merge(ws, r1, 21, r4, 21, _("GHI CHÚ"))
    _merge(ws, r2, 3, r3, 4, _("TỔNG SỐ"))
    _merge(ws, r2, 5, r2, 12, _("SỐ HỒ SƠ TIẾP NHẬN, SỐ THỦ TỤC ĐÃ THỰC HIỆN"))
    _merge(ws, r2, 13, r4, 13, _("HỒ SƠ TỒN"))
    _merge(ws, r2, 14, r3, 15, _("TIẾP NHẬN"))
    _merge(ws, r2, 16, r3, 18, _("ĐÃ GIẢI QUYẾT"))
    _merge(ws, r2, 19, r4, 19, _("CHƯA GIẢI QUYẾT"))
    _merge(ws, r2, 20, r4, 20, _("TỶ LỆ GIẢI QUYẾT %"))
    _merge(ws, r3, 5, r3, 6, _("MỨC ĐỘ 2"))
    _merge(ws, r3, 7, r3, 9, _("MỨC ĐỘ 3"))
    _merge(ws, r3, 10, r3, 12, _("MỨC ĐỘ 4"))
    labels = [
        _("HSTN"),
        _("TTHC"),
        _("HSTN"),
        _("TTHC"),
        _("HSTN trực tiếp"),
        _("HSTN trực tuyến"),
        _("TTHC"),
        _("HSTN trực tiếp"),
        _("HSTN trực tuyến"),
        _("TTHC"),
    ]
    for offset, label in enumerate(labels):
        ws.cell(row=r4, column=3 + offset, value=label)
    for col, label in (
        (14, _("MCDT")),
        (15, _("TRỰC TUYẾN")),
        (16, _("MỨC ĐỘ 2")),
        (17, _("MỨC ĐỘ 3")),
        (18, _("MỨC ĐỘ 4")),
    ):
        ws.cell(row=r4, column=col, value=label)
    _style_block(ws, r1, r4, 21)
    for r in range(r1, r4 + 1):
        for c in range(1, 22):
            ws.cell(row=r, column=c).font = Font(bold=True)
    return r4 + 1


def appendix_xlsx(appendix: Appendix) -> bytes:
    """The letter's appendix table: title, merged headers, one row per unit, the total row."""
    wb = Workbook()
    ws = wb.active
    ws.title = _("Phụ lục")
    _merge(ws, 1, 1, 1, 21, _("PHỤ LỤC"))
    _merge(ws, 2, 1, 2, 21, _("TÌNH HÌNH TIẾP NHẬN, GIẢI QUYẾT HỒ SƠ THỦ TỤC HÀNH CHÍNH"))
    _merge(
        ws,
        3,
        1,
        3,
        21,
        _("Từ ngày %(start)s đến ngày %(end)s")
        % {
            "start": appendix.period.start.strftime("%d/%m/%Y"),
            "end": appendix.period.end.strftime("%d/%m/%Y"),
        },
    )
    for r in (1, 2, 3):
        ws.cell(row=r, column=1).alignment = CENTER
        ws.cell(row=r, column=1).font = Font(bold=r < 3, italic=r == 3)
    row_no = appendix_header(ws, 5)
    first = row_no
    for row in appendix.rows:
        ws.cell(row=row_no, column=1, value=row.stt)
        ws.cell(row=row_no, column=2, value=row.unit_name)
        for offset, column in enumerate(APPENDIX_COLUMNS):
            ws.cell(row=row_no, column=3 + offset, value=row.values[column])
        row_no += 1
    _merge(ws, row_no, 1, row_no, 2, appendix.total.unit_name)
    for offset, column in enumerate(APPENDIX_COLUMNS):
        ws.cell(row=row_no, column=3 + offset, value=appendix.total.values[column])
    _style_block(ws, first, row_no, 21)
    for c in range(1, 22):
        ws.cell(row=row_no, column=c).font = Font(bold=True)
    for r in range(first, row_no + 1):
        ws.cell(row=r, column=2).alignment = Alignment(
            horizontal="left", vertical="center", wrap_text=True
        )
        ws.cell(row=r, column=20).number_format = "0.0"
    ws.cell(
        row=row_no + 1,
        column=1,
        value=_("* Số liệu tính đến ngày %(day)s, tính từ hồ sơ trên hệ thống; lập lúc %(now)s.")
        % {
            "day": appendix.period.end.strftime("%d/%m/%Y"),
            "now": timezone.localtime().strftime("%H:%M %d/%m/%Y"),
        },
    )
    ws.column_dimensions["A"].width = 6
    ws.column_dimensions["B"].width = 32
    for c in range(3, 22):
        ws.column_dimensions[get_column_letter(c)].width = 10
    ws.freeze_panes = ws.cell(row=first, column=3)
    print_setup(ws, title_rows=f"5:{first - 1}")
    return workbook_bytes(wb)


def ii06a_xlsx(report: II06a) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "II.06a"
    _merge(ws, 1, 1, 1, 14, _("Biểu II.06a – Tình hình, kết quả giải quyết TTHC"))
    _merge(
        ws,
        2,
        1,
        2,
        14,
        _("Từ ngày %(start)s đến ngày %(end)s")
        % {
            "start": report.period.start.strftime("%d/%m/%Y"),
            "end": report.period.end.strftime("%d/%m/%Y"),
        },
    )
    first_label = _("Đơn vị") if report.by == "unit" else _("Lĩnh vực")
    _merge(ws, 4, 1, 6, 1, _("STT"))
    _merge(ws, 4, 2, 6, 2, first_label)
    _merge(ws, 4, 3, 4, 6, _("Số hồ sơ nhận giải quyết"))
    _merge(ws, 5, 3, 6, 3, _("Tổng số"))
    _merge(ws, 5, 4, 5, 6, _("Trong đó"))
    for col, label in (
        (4, _("Trực tuyến")),
        (5, _("Trực tiếp, dịch vụ bưu chính")),
        (6, _("Từ kỳ trước")),
    ):
        ws.cell(row=6, column=col, value=label)
    _merge(ws, 4, 7, 4, 10, _("Số hồ sơ đã giải quyết"))
    _merge(ws, 5, 7, 6, 7, _("Tổng số"))
    _merge(ws, 5, 8, 5, 10, _("Trong đó"))
    for col, label in ((8, _("Trước hạn")), (9, _("Đúng hạn")), (10, _("Quá hạn"))):
        ws.cell(row=6, column=col, value=label)
    _merge(ws, 4, 11, 4, 13, _("Số hồ sơ đang giải quyết"))
    _merge(ws, 5, 11, 6, 11, _("Tổng số"))
    _merge(ws, 5, 12, 5, 13, _("Trong đó"))
    for col, label in ((12, _("Trong hạn")), (13, _("Quá hạn"))):
        ws.cell(row=6, column=col, value=label)
    _merge(ws, 4, 14, 6, 14, _("Tỷ lệ đúng hạn %"))
    _style_block(ws, 4, 6, 14)
    r = 7
    for index, row in enumerate([*report.rows, report.total], start=1):
        is_total = row is report.total
        ws.cell(row=r, column=1, value="" if is_total else index)
        ws.cell(row=r, column=2, value=row.name)
        for offset, column in enumerate(II06A_COLUMNS):
            ws.cell(row=r, column=3 + offset, value=row.values[column])
        ws.cell(row=r, column=14, value=row.values["on_time_rate_pct"])
        r += 1
    _style_block(ws, 7, r - 1, 14)
    ws.column_dimensions["B"].width = 32
    print_setup(ws, title_rows="4:6")
    return workbook_bytes(wb)


def rows_csv(
    header: list[str], rows: Iterable[list[Any]], progress: Callable[[int], None] | None = None
) -> bytes:
    """A CSV of any rows (drill-down lists), reporting progress every thousand rows."""
    out = io.StringIO()
    writer = _csv_writer(out)
    writer.writerow(header)
    for count, row in enumerate(rows, start=1):
        writer.writerow([csv_value(v) for v in row])
        if progress is not None and count % 1000 == 0:
            progress(count)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def rows_xlsx(
    title: str,
    header: list[str],
    rows: Iterable[list[Any]],
    progress: Callable[[int], None] | None = None,
) -> bytes:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title[:31])
    ws.append(header)
    for count, row in enumerate(rows, start=1):
        ws.append(write_only_row(ws, row))
        if progress is not None and count % 1000 == 0:
            progress(count)
    return workbook_bytes(wb)


def _table_sheet(
    title: str, heading: list[str], header: list[str], rows: list[list[Any]], sheet: str
) -> bytes:
    """A plain report table: heading lines, one bold header row, the rows; print set up."""
    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    for line, text in enumerate([title, *heading], start=1):
        _merge(ws, line, 1, line, len(header), text)
        ws.cell(row=line, column=1).alignment = CENTER
        ws.cell(row=line, column=1).font = Font(bold=line == 1)
    top = len(heading) + 3
    for column, label in enumerate(header, start=1):
        ws.cell(row=top, column=column, value=label).font = Font(bold=True)
    for offset, row in enumerate(rows, start=1):
        for column, value in enumerate(row, start=1):
            ws.cell(row=top + offset, column=column, value=value)
    _style_block(ws, top, top + len(rows), len(header))
    ws.column_dimensions["A"].width = 34
    for column in range(2, len(header) + 1):
        ws.column_dimensions[get_column_letter(column)].width = 14
    print_setup(ws, title_rows=f"{top}:{top}")
    return workbook_bytes(wb)


def _period_line(period: Any) -> str:
    return _("Từ ngày %(start)s đến ngày %(end)s") % {
        "start": period.start.strftime("%d/%m/%Y"),
        "end": period.end.strftime("%d/%m/%Y"),
    }


def indicators_xlsx(*, period: Any, cards: list[Any], overall: Any) -> bytes:
    """Decision 766: every indicator of the overall scorecard, then each unit's score."""
    header = [
        _("Chỉ số"),
        _("Mã"),
        _("Nhóm"),
        _("Tử số"),
        _("Mẫu số"),
        _("Tỷ lệ %"),
        _("Ngưỡng %"),
        _("Điểm"),
        _("Điểm tối đa"),
        _("Lý do không chấm"),
    ]
    rows: list[list[Any]] = [
        [
            i.label,
            i.key,
            i.group,
            i.numerator,
            i.denominator,
            i.value if i.value is not None else i.rate_pct,
            i.threshold_pct,
            i.points,
            i.max_points,
            i.reason,
        ]
        for i in overall.indicators
    ]
    rows.append(
        [
            _("Tổng điểm"),
            "",
            "",
            "",
            "",
            overall.score,
            "",
            overall.points,
            overall.max_points,
            overall.grade,
        ]
    )
    rows += [
        [
            card.unit_name,
            card.unit_code,
            "",
            "",
            "",
            card.score,
            "",
            card.points,
            card.max_points,
            card.grade,
        ]
        for card in cards
    ]
    return _table_sheet(
        _("Chỉ số chất lượng phục vụ (Quyết định 766/QĐ-TTg)"),
        [_period_line(period)],
        header,
        rows,
        "766",
    )


def evaluation_xlsx(*, period: Any, criteria: Any, evaluations: list[Any]) -> bytes:
    """Circular 01/2018: each unit's nine criteria (0–2), score out of 18 and band."""
    header = [
        _("Đơn vị"),
        _("Số hồ sơ"),
        *[f"{n}. {label}" for n, (_key, label) in enumerate(criteria, start=1)],
        _("Điểm (thang 18)"),
        _("Xếp loại"),
    ]
    rows = [
        [
            e.unit_name,
            e.dossiers,
            *[e.averages.get(key) for key, _label in criteria],
            e.score,
            e.band,
        ]
        for e in evaluations
    ]
    return _table_sheet(
        _("Đánh giá việc giải quyết thủ tục hành chính"),
        [_period_line(period)],
        header,
        rows,
        _("Đánh giá"),
    )
