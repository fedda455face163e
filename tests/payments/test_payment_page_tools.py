"""The payment page's tools for a phone: values to copy, the QR image to save, banking apps."""

from __future__ import annotations

import io
from urllib.parse import parse_qs, urlsplit

import pytest
from PIL import Image

from payments.bank_apps import bank_app_links
from payments.models import PaymentAccount
from payments.vietqr import emv_crc_ok
from tests.payments.conftest import submit_online
from tests.payments.test_views import with_lookup_proof

pytestmark = pytest.mark.django_db


@pytest.fixture
def real_account(district):
    return PaymentAccount.objects.create(
        unit=district,
        bank_bin="970418",
        bank_name="BIDV",
        account_number="12010000123456",
        account_name="UBND HUYEN TAN UYEN",
    )


def test_the_page_gives_values_to_copy_and_the_qr_image(client, residence, commune, real_account):
    dossier = submit_online(residence, commune)
    html = (
        with_lookup_proof(client, dossier.code)
        .get(f"/tra-cuu/ho-so/{dossier.code}/thanh-toan/")
        .content.decode()
    )
    assert '<span class="copy-value" id="copy-account">12010000123456</span>' in html
    assert f'<span class="copy-value" id="copy-content">{dossier.code}</span>' in html
    assert html.count('class="copy-button"') == 3
    assert "Tải ảnh QR" in html
    assert "https://dl.vietqr.io/pay?app=bidv&amp;am=10000" in html
    png = client.get(f"/tra-cuu/ho-so/{dossier.code}/thanh-toan/vietqr.png")
    assert png.status_code == 200
    assert png["Content-Type"] == "image/png"
    image = Image.open(io.BytesIO(png.content))
    assert image.format == "PNG"
    assert image.size[0] >= 250


def test_the_qr_image_decodes_to_the_transfer(client, residence, commune, real_account):
    zxingcpp = pytest.importorskip("zxingcpp")
    dossier = submit_online(residence, commune)
    png = with_lookup_proof(client, dossier.code).get(
        f"/tra-cuu/ho-so/{dossier.code}/thanh-toan/vietqr.png"
    )
    [found] = zxingcpp.read_barcodes(Image.open(io.BytesIO(png.content)))
    assert emv_crc_ok(found.text)
    assert "12010000123456" in found.text
    assert dossier.code in found.text


def test_the_qr_image_needs_the_proof(client, residence, commune, real_account):
    dossier = submit_online(residence, commune)
    response = client.get(f"/tra-cuu/ho-so/{dossier.code}/thanh-toan/vietqr.png")
    assert response.status_code == 302


def test_deep_links_follow_the_published_format():
    [first, *_] = bank_app_links(
        bank_bin="970436",
        account_number="0011001234567",
        account_name="UBND XA A",
        amount_vnd=50_000,
        content="000.41.11.H33-260101-0001",
    )
    parts = urlsplit(first.url)
    assert (parts.scheme, parts.netloc, parts.path) == ("https", "dl.vietqr.io", "/pay")
    assert "ba=0011001234567@vcb" in first.url  # the "@" kept as is
    query = parse_qs(parts.query)
    assert query["am"] == ["50000"]
    assert query["tn"] == ["000.41.11.H33-260101-0001"]
    assert (
        bank_app_links(
            bank_bin="999999", account_number="1", account_name="X", amount_vnd=1, content="c"
        )
        == []
    )
