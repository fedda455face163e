import io

import pytest
from django.urls import reverse
from pypdf import PdfReader


@pytest.mark.django_db
def test_home_page_offers_search_submit_and_lookup(client, birth_registration):
    html = client.get("/").content.decode()
    assert 'name="q"' in html
    assert "Nộp hồ sơ trực tuyến" in html
    assert "Tra cứu hồ sơ" in html
    assert "Đăng ký khai sinh" in html


@pytest.mark.django_db
def test_catalogue_search_ignores_diacritics(client, birth_registration, certified_contract):
    html = client.get(reverse("procedure-list"), {"q": "chung thuc"}).content.decode()
    assert "Chứng thực hợp đồng" in html
    assert "Đăng ký khai sinh" not in html


@pytest.mark.django_db
def test_procedure_page_shows_documents_and_units(client, certified_contract):
    html = client.get(reverse("procedure-detail", args=["2.001035"])).content.decode()
    assert "Tờ khai" in html
    assert "UBND xã Mường Khoa" in html
    # Level 2: no online form, the counter and the post instead.
    assert "chưa nhận hồ sơ trực tuyến" in html


@pytest.mark.django_db
def test_english_switch_translates_the_page(client, birth_registration):
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    html = client.get("/").content.decode()
    assert '<html lang="en">' in html


@pytest.mark.django_db
def test_posting_sheet_pdf_holds_the_procedure(client, certified_contract, commune):
    response = client.get(reverse("unit-posting-pdf", args=[commune.code]))
    assert response["Content-Type"] == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)
    assert "2.001035" in text
    assert "Chứng thực hợp đồng" in text


@pytest.mark.django_db
def test_help_page_has_the_ten_steps(client):
    html = client.get(reverse("help")).content.decode()
    assert html.count("<li>") >= 10
