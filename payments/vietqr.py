"""VietQR: the NAPAS 247 bank-transfer QR code, an EMVCo merchant-presented payload.

The payload is a string of data objects, each ID (2 digits) + length (2 digits) + value
(EMV QRCPS Merchant-Presented Mode; the VietQR profile of NAPAS):

    00 payload format indicator "01"
    01 point of initiation: "11" static, "12" dynamic (one payment, with its amount)
    38 merchant account information (VietQR):
         00 GUID "A000000727" (NAPAS)
         01 beneficiary: 00 acquirer / bank BIN (6 digits), 01 account number
         02 service code "QRIBFTTA" (transfer to an account)
    53 currency "704" (VND)    54 amount (whole đồng)    58 country "VN"
    62 additional data: 08 purpose of transaction (here the dossier code)
    63 CRC: CRC-16/CCITT-FALSE (poly 0x1021, init 0xFFFF) over the whole payload up to and
       including "6304", as 4 upper-case hex digits.

No library on PyPI is both maintained and widely used for this, so it is written here and
tested against the EMVCo CRC check value and a published VietQR example.
"""

from __future__ import annotations

import base64
import io
import unicodedata
from dataclasses import dataclass

VIETQR_GUID = "A000000727"
SERVICE_TO_ACCOUNT = "QRIBFTTA"
CURRENCY_VND = "704"
COUNTRY_VN = "VN"
# NAPAS limits the purpose (62.08) to 25 characters; EMVCo allows up to 99 per object.
PURPOSE_MAX = 25


def crc16_ccitt_false(data: bytes) -> int:
    """CRC-16/CCITT-FALSE, the checksum of EMVCo QR payloads ("123456789" → 0x29B1)."""
    crc = 0xFFFF
    for byte in data:
        crc ^= byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else (crc << 1)
            crc &= 0xFFFF
    return crc


def tlv(tag: str, value: str) -> str:
    """One data object: ID, two-digit length, value (1–99 characters)."""
    if len(tag) != 2 or not tag.isdigit():
        raise ValueError(f"bad EMVCo tag {tag!r}")
    if not 0 < len(value) <= 99:
        raise ValueError(f"EMVCo value of tag {tag} must be 1-99 characters, got {len(value)}")
    return f"{tag}{len(value):02d}{value}"


def ascii_text(text: str) -> str:
    """Vietnamese text as plain ASCII (bank apps show the purpose without diacritics)."""
    text = text.replace("đ", "d").replace("Đ", "D")
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return " ".join(folded.split())


def with_crc(body: str) -> str:
    """Append tag 63 with the CRC of everything before it (including "6304")."""
    head = body + "6304"
    return head + f"{crc16_ccitt_false(head.encode('ascii')):04X}"


def vietqr_payload(
    *, bank_bin: str, account_number: str, amount_vnd: int | None = None, purpose: str = ""
) -> str:
    """The VietQR string for a transfer to `account_number` at the bank `bank_bin`.

    With an amount the QR is dynamic (point of initiation "12"); without, static ("11").
    """
    if len(bank_bin) != 6 or not bank_bin.isdigit():
        raise ValueError("the bank BIN has 6 digits")
    if not account_number.isalnum() or len(account_number) > 19:
        raise ValueError("the account number has at most 19 letters or digits")
    beneficiary = tlv("00", bank_bin) + tlv("01", account_number)
    merchant = tlv("00", VIETQR_GUID) + tlv("01", beneficiary) + tlv("02", SERVICE_TO_ACCOUNT)
    parts = [
        tlv("00", "01"),
        tlv("01", "12" if amount_vnd else "11"),
        tlv("38", merchant),
        tlv("53", CURRENCY_VND),
    ]
    if amount_vnd:
        if int(amount_vnd) <= 0:
            raise ValueError("the amount is positive")
        parts.append(tlv("54", str(int(amount_vnd))))
    parts.append(tlv("58", COUNTRY_VN))
    purpose = ascii_text(purpose)[:PURPOSE_MAX].strip()
    if purpose:
        parts.append(tlv("62", tlv("08", purpose)))
    return with_crc("".join(parts))


def emv_parse(payload: str) -> dict[str, str]:
    """Split one level of data objects: {tag: value}. Raises ValueError on a bad length."""
    result: dict[str, str] = {}
    i = 0
    while i < len(payload):
        if i + 4 > len(payload):
            raise ValueError(f"truncated data object at {i}")
        tag, length = payload[i : i + 2], payload[i + 2 : i + 4]
        if not (tag.isdigit() and length.isdigit()):
            raise ValueError(f"bad data object header {payload[i : i + 4]!r} at {i}")
        end = i + 4 + int(length)
        if end > len(payload):
            raise ValueError(f"data object {tag} runs past the end")
        result[tag] = payload[i + 4 : end]
        i = end
    return result


def emv_crc_ok(payload: str) -> bool:
    """The payload ends in 6304 + the CRC of everything before the four hex digits."""
    if len(payload) < 8 or payload[-8:-4] != "6304":
        return False
    expected = f"{crc16_ccitt_false(payload[:-4].encode('ascii')):04X}"
    return payload[-4:].upper() == expected


@dataclass(frozen=True)
class VietQR:
    """What a VietQR payload says, read back (for tests and for showing it in words)."""

    bank_bin: str
    account_number: str
    amount_vnd: int | None
    purpose: str


def vietqr_read(payload: str) -> VietQR:
    if not emv_crc_ok(payload):
        raise ValueError("CRC mismatch")
    top = emv_parse(payload)
    merchant = emv_parse(top["38"])
    if merchant.get("00") != VIETQR_GUID:
        raise ValueError("not a VietQR payload")
    beneficiary = emv_parse(merchant["01"])
    extra = emv_parse(top["62"]) if "62" in top else {}
    return VietQR(
        bank_bin=beneficiary["00"],
        account_number=beneficiary["01"],
        amount_vnd=int(top["54"]) if "54" in top else None,
        purpose=extra.get("08", ""),
    )


def qr_png(payload: str, *, box_size: int = 8) -> bytes:
    """The QR code as PNG (medium error correction, a quiet zone of 4 modules)."""
    import qrcode

    code = qrcode.QRCode(
        error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=box_size, border=4
    )
    code.add_data(payload)
    code.make(fit=True)
    buffer = io.BytesIO()
    code.make_image().save(buffer, format="PNG")
    return buffer.getvalue()


def qr_data_uri(payload: str) -> str:
    """The QR code as a data: URI for <img> (the CSP allows data: images)."""
    return "data:image/png;base64," + base64.b64encode(qr_png(payload)).decode()
