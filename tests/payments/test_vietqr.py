"""VietQR payloads against the EMVCo QR specification (merchant-presented mode) and a
published example; the QR image decodes back to the payload (zxing-cpp)."""

from __future__ import annotations

import io

import pytest
import zxingcpp
from PIL import Image

from payments.vietqr import (
    crc16_ccitt_false,
    emv_crc_ok,
    emv_parse,
    qr_png,
    vietqr_payload,
    vietqr_read,
)

# Published with the subiz/vietqr library's README: 120.000 đ to account 0011001932418 at
# BIN 970415 (VietinBank), purpose "ủng hộ lũ lụt" — CRC C15C.
PUBLISHED = (
    "00020101021238570010A00000072701270006970415011300110019324180208QRIBFTTA5303"
    "70454061200005802VN62170813ung ho lu lut6304C15C"
)


def test_crc_is_ccitt_false_with_the_emvco_check_value():
    # CRC-16/CCITT-FALSE check value (EMVCo QRCPS §4.7.3: ISO/IEC 13239, init FFFF).
    assert crc16_ccitt_false(b"123456789") == 0x29B1
    assert crc16_ccitt_false(b"") == 0xFFFF


def test_it_reproduces_a_published_vietqr_payload_byte_for_byte():
    payload = vietqr_payload(
        bank_bin="970415",
        account_number="0011001932418",
        amount_vnd=120_000,
        purpose="ủng hộ lũ lụt",
    )
    assert payload == PUBLISHED
    assert emv_crc_ok(PUBLISHED)


def test_the_payload_has_the_emvco_and_napas_fields():
    payload = vietqr_payload(
        bank_bin="970405",
        account_number="8888000111222",
        amount_vnd=10_000,
        purpose="000.41.11.H33-261102-0007",
    )
    top = emv_parse(payload)
    assert list(top) == ["00", "01", "38", "53", "54", "58", "62", "63"]  # ascending IDs
    assert top["00"] == "01"  # payload format indicator
    assert top["01"] == "12"  # dynamic: one payment with its amount
    assert top["53"] == "704"  # ISO 4217 VND
    assert top["54"] == "10000"  # whole đồng, no decimals
    assert top["58"] == "VN"
    merchant = emv_parse(top["38"])
    assert list(merchant) == ["00", "01", "02"]
    assert merchant["00"] == "A000000727"  # NAPAS's GUID
    assert merchant["02"] == "QRIBFTTA"  # transfer to an account
    assert emv_parse(merchant["01"]) == {"00": "970405", "01": "8888000111222"}
    assert emv_parse(top["62"]) == {"08": "000.41.11.H33-261102-0007"}
    # Tag 63 is last, 4 upper-case hex digits: the CRC of everything up to "6304".
    assert payload[-8:-4] == "6304"
    assert payload[-4:] == f"{crc16_ccitt_false(payload[:-4].encode()):04X}"


def test_without_an_amount_the_code_is_static():
    payload = vietqr_payload(bank_bin="970405", account_number="123")
    top = emv_parse(payload)
    assert top["01"] == "11"
    assert "54" not in top
    assert "62" not in top


def test_lengths_are_two_digits_and_match_the_values():
    payload = vietqr_payload(
        bank_bin="970405", account_number="1" * 19, amount_vnd=1, purpose="x" * 40
    )
    top = emv_parse(payload)
    assert emv_parse(top["62"])["08"] == "x" * 25  # NAPAS: purpose up to 25 characters
    assert "".join(f"{t}{len(v):02d}{v}" for t, v in top.items()) == payload


def test_a_changed_character_breaks_the_crc():
    payload = vietqr_payload(bank_bin="970405", account_number="123", amount_vnd=10_000)
    tampered = payload.replace("5405" + "10000", "5405" + "90000")
    assert tampered != payload
    assert not emv_crc_ok(tampered)
    with pytest.raises(ValueError, match="CRC"):
        vietqr_read(tampered)


@pytest.mark.parametrize(
    ("bank_bin", "account"),
    [("97040", "1"), ("97040A", "1"), ("970405", "1" * 20), ("970405", "12-3")],
)
def test_bad_bank_data_is_refused(bank_bin, account):
    with pytest.raises(ValueError, match=r"BIN|account"):
        vietqr_payload(bank_bin=bank_bin, account_number=account, amount_vnd=1)


def test_the_qr_image_decodes_back_to_the_payload():
    payload = vietqr_payload(
        bank_bin="970405",
        account_number="8888000111222",
        amount_vnd=200_000,
        purpose="000.00.11.H33-261102-0001",
    )
    image = Image.open(io.BytesIO(qr_png(payload)))
    found = zxingcpp.read_barcodes(image.convert("L"))
    assert [r.text for r in found] == [payload]
    assert found[0].format == zxingcpp.BarcodeFormat.QRCode
    read = vietqr_read(found[0].text)
    assert (read.bank_bin, read.account_number, read.amount_vnd, read.purpose) == (
        "970405",
        "8888000111222",
        200_000,
        "000.00.11.H33-261102-0001",
    )
