"""Each slip renders to an A5 PDF whose text holds the code, the applicant and the dates."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from dossiers import slips
from dossiers.services import actions
from dossiers.services.core import dossier_transition
from tests.dossiers.conftest import S, counter_dossier, online_dossier, vn


def pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    # Table cells wrap: compare with the whitespace collapsed.
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def a5(data: bytes) -> bool:
    box = PdfReader(io.BytesIO(data)).pages[0].mediabox
    return (round(float(box.width)), round(float(box.height))) == (420, 595)


@pytest.fixture
def received(certified_contract, commune, officer):
    dossier = counter_dossier(certified_contract, commune, officer, vn(2026, 3, 2, 9, 15))
    return dossier  # due Wed 4/3 09:15


def test_receipt_holds_code_applicant_dates_and_documents(received):
    data = slips.slip_pdf(dossier=received, form="receipt")
    assert a5(data)
    text = pdf_text(data)
    for expected in (
        received.code,
        "Nguyễn Văn An",
        "02/03/2026",
        "04/03/2026",
        "09 giờ 15",
        "Tờ khai",
        "GIẤY TIẾP NHẬN HỒ SƠ",
        "2 ngày làm việc",
    ):
        assert expected in text, expected
    assert f"/tra-cuu/?code={received.code}" in text.replace(" ", "")


def test_supplement_slip(received, specialist):
    actions.dossier_request_supplement(
        dossier=received,
        actor=specialist,
        reason="Bản sao không rõ",
        document_ids=[received.procedure.documents.first().pk],
        at=vn(2026, 3, 3, 10, 0),
    )
    text = pdf_text(slips.slip_pdf(dossier=received, form="supplement"))
    for expected in (
        received.code,
        "Nguyễn Văn An",
        "03/03/2026",
        "02/03/2026",
        "Bản sao không rõ",
        "Tờ khai",
    ):
        assert expected in text, expected


def test_refusal_slip(birth_registration, commune, officer):
    dossier = online_dossier(birth_registration, commune, at=vn(2026, 3, 2, 8, 0))
    actions.dossier_refuse(
        dossier=dossier, actor=officer, reason="Không thuộc thẩm quyền", at=vn(2026, 3, 2, 9, 0)
    )
    text = pdf_text(slips.slip_pdf(dossier=dossier, form="refusal"))
    for expected in (dossier.code, "Nguyễn Văn An", "02/03/2026", "Không thuộc thẩm quyền"):
        assert expected in text, expected


def test_apology_slip(received, supervisor):
    actions.dossier_apologize(
        dossier=received,
        actor=supervisor,
        reason="Cần xác minh thêm",
        new_due_at=vn(2026, 3, 6, 16, 0),
        at=vn(2026, 3, 4, 8, 0),
    )
    text = pdf_text(slips.slip_pdf(dossier=received, form="apology"))
    for expected in (
        received.code,
        "Nguyễn Văn An",
        "02/03/2026",
        "04/03/2026",
        "06/03/2026",
        "Cần xác minh thêm",
        "supervisor",
    ):
        assert expected in text, expected


def test_control_slip_lists_the_handovers(received, officer, justice_office):
    actions.dossier_transfer(
        dossier=received,
        actor=officer,
        to_unit=justice_office,
        note="Chuyển xử lý",
        at=vn(2026, 3, 2, 10, 0),
    )
    text = pdf_text(slips.slip_pdf(dossier=received, form="control"))
    for expected in (
        received.code,
        "Nguyễn Văn An",
        "02/03/2026",
        "04/03/2026",
        "Phòng Tư pháp",
        "Trước hạn",
        "Chuyển xử lý",
    ):
        assert expected in text, expected


def test_a_missing_slip_is_unavailable(received):
    for form in ("apology", "refusal", "supplement", "nope"):
        with pytest.raises(slips.SlipUnavailable):
            slips.slip_pdf(dossier=received, form=form)


def test_register_per_field_and_period(
    received, commune, officer, certified_contract, birth_registration, admin_officer
):
    dossier = actions.dossier_transfer(dossier=received, actor=officer, to_unit=commune)
    dossier = actions.dossier_resolve(
        dossier=dossier, actor=admin_officer, outcome="approved", at=vn(2026, 3, 3, 9, 0)
    )
    actions.dossier_return(
        dossier=dossier,
        actor=officer,
        method="counter",
        recipient_name="Nguyễn Văn An",
        take_fee=True,
        at=vn(2026, 3, 3, 10, 0),
    )
    other = online_dossier(birth_registration, commune, at=vn(2026, 3, 2, 8, 0))
    dossier_transition(dossier=other, to=S.RECEIVED, actor=officer, at=vn(2026, 3, 2, 8, 0))
    register = slips.register_build(
        unit_ids={commune.pk},
        field=certified_contract.field,
        start=vn(2026, 3, 1).date(),
        end=vn(2026, 3, 31).date(),
    )
    assert [row[1] for row in register.rows] == [received.code]
    row = register.rows[0]
    assert row[3] == "Nguyễn Văn An"
    assert row[8] == "10:00 03/03/2026"
    assert row[9] == "Nhận tại cơ quan"
    book = load_workbook(io.BytesIO(slips.register_xlsx(register)))
    sheet = book.active
    assert sheet.cell(row=4, column=2).value == received.code
    text = pdf_text(slips.register_pdf(register, unit=commune))
    for expected in (received.code, "Nguyễn Văn An", "02/03/2026", "SỔ THEO DÕI HỒ SƠ"):
        assert expected in text, expected
    empty = slips.register_build(
        unit_ids={commune.pk}, field=None, start=vn(2026, 4, 1).date(), end=vn(2026, 4, 30).date()
    )
    assert empty.rows == []
