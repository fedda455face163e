"""Every report as a PDF with the official header, and as an XLSX set up for printing."""

from __future__ import annotations

import html
import io
import re

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader
from rest_framework.test import APIClient

from dossiers import slips
from reports.selectors.evaluation import CRITERIA
from tests.reports.conftest import at, receive, resolve

OCT = {"from": "2020-10-01", "to": "2020-10-31"}


def _words(text: str) -> str:
    return " ".join(text.split())


def _pdf_text(content: bytes) -> str:
    assert content.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(content))
    box = reader.pages[0].mediabox
    assert float(box.width) > float(box.height)  # landscape
    return _words(" ".join(page.extract_text() for page in reader.pages))


def _headers(template: str, **context) -> list[str]:
    """The column headers of a report's table head, as the page shows them."""
    head = render_to_string(template, context)
    return [_words(html.unescape(t)) for t in re.findall(r"<th(?:\s[^>]*)?>(.*?)</th>", head, re.S)]


@pytest.fixture
def history(commune, other_commune, birth_registration, certified_contract, officer):
    first = receive(birth_registration, commune, at("2020-10-05"), actor=officer)
    receive(birth_registration, commune, at("2020-10-06"), channel="online")
    late = receive(certified_contract, commune, at("2020-10-07"), actor=officer)
    resolve(first, at("2020-10-05", 10))
    resolve(late, at("2020-10-20"))


@pytest.fixture
def reporter_client(client, reporter):
    client.force_login(reporter)
    return client


def _official_header(text: str) -> None:
    for expected in (
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Đơn vị báo cáo: Huyện Tân Uyên",
        "Đơn vị nhận báo cáo",
        "Đơn vị tính",
        "từ ngày 01/10/2020 đến ngày 31/10/2020",
        "NGƯỜI LẬP BIỂU",
        "THỦ TRƯỞNG ĐƠN VỊ",
    ):
        assert expected in text, expected


def test_the_appendix_pdf_holds_every_header_and_the_totals(reporter_client, history):
    response = reporter_client.get(reverse("reports-appendix"), {**OCT, "format": "pdf"})
    assert response["Content-Type"] == "application/pdf"
    text = _pdf_text(response.content)
    _official_header(text)
    headers = _headers("reports/_appendix_head.html")
    assert len(headers) == 29
    for header in headers:
        assert header in text, header
    page = reporter_client.get(reverse("reports-appendix"), OCT)
    total = page.context["appendix"].total.values
    # The total row: "Tổng cộng", then 3 received and 2 resolved (both level 2 and 3).
    assert f"Tổng cộng {total['received_total']} {total['procedures_total']}" in text


def test_the_ii06a_pdf_through_the_api_holds_every_header_and_the_totals(reporter, history):
    api = APIClient()
    api.force_authenticate(reporter)
    response = api.get("/api/v1/reports/ii06a/", {**OCT, "format": "pdf"})
    assert response.status_code == 200
    text = _pdf_text(response.content)
    _official_header(text)
    for header in _headers("reports/_ii06a_head.html", by="unit"):
        assert header in text, header
    total = api.get("/api/v1/reports/ii06a/", OCT).json()["total"]
    assert total["received_total"] == 3
    assert f"Tổng cộng {total['received_total']} {total['received_online']}" in text


@pytest.mark.parametrize(
    ("url", "labels"),
    [
        ("reports-indicators", ["2.1", "5.4", "Tổng điểm", "Xếp loại", "Xuất sắc"]),
        ("reports-evaluation", [label for _key, label in CRITERIA]),
    ],
)
def test_the_766_and_evaluation_pdfs(reporter_client, history, url, labels):
    response = reporter_client.get(reverse(url), {**OCT, "format": "pdf"})
    text = _pdf_text(response.content)
    _official_header(text)
    for label in labels:
        assert _words(str(label)) in text, label


@pytest.mark.parametrize(
    "url", ["reports-appendix", "reports-ii06a", "reports-indicators", "reports-evaluation"]
)
def test_every_reports_xlsx_is_set_up_for_printing(reporter_client, history, url):
    response = reporter_client.get(reverse(url), {**OCT, "format": "xlsx"})
    assert response.status_code == 200
    _assert_print_setup(response.content)


def test_the_register_xlsx_is_set_up_for_printing(commune, history):
    register = slips.register_build(
        unit_ids={commune.pk},
        field=None,
        start=at("2020-10-01").date(),
        end=at("2020-10-31").date(),
    )
    _assert_print_setup(slips.register_xlsx(register))


def test_the_register_pdf_has_the_official_layout(client, officer, commune, history):
    client.force_login(officer)
    response = client.get(
        reverse("officer-register"),
        {"unit": commune.pk, "start": "2020-10-01", "end": "2020-10-31", "format": "pdf"},
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = _pdf_text(response.content)
    for expected in (
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "SỔ THEO DÕI HỒ SƠ",
        "Mẫu số 06 — Thông tư 01/2018/TT-VPCP",
        "Lĩnh vực: Tất cả lĩnh vực",
        "từ ngày 01/10/2020 đến ngày 31/10/2020",
        "Đơn vị báo cáo: UBND xã Mường Khoa",
        "Đơn vị nhận báo cáo: Huyện Tân Uyên",
        "Đơn vị tính: hồ sơ",
        "NGƯỜI LẬP BIỂU",
        "THỦ TRƯỞNG ĐƠN VỊ",
        "officer",  # who prepared it: the signed-in officer
    ):
        assert expected in text, expected
    for header in slips.REGISTER_HEADERS:
        assert header in text, header
    # The three dossiers the commune received in October, one row each.
    codes = [
        row[1]
        for row in slips.register_build(
            unit_ids={commune.pk},
            field=None,
            start=at("2020-10-01").date(),
            end=at("2020-10-31").date(),
        ).rows
    ]
    assert len(codes) == 3
    for code in codes:
        assert code in text.replace(" ", ""), code


def _assert_print_setup(content: bytes) -> None:
    sheet = load_workbook(io.BytesIO(content)).active
    assert sheet.page_setup.orientation == "landscape"
    assert sheet.page_setup.fitToWidth == 1
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    assert sheet.print_title_rows  # repeated on every printed page
    assert not [c.coordinate for row in sheet.iter_rows() for c in row if c.data_type == "f"]
