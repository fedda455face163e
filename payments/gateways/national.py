"""The national payment platform of the National Public Service Portal (message version 1.0.6).

Wire format (docs/NATIONAL.md §5, read in two production systems' code): JSON messages posted
to one URL, each with `LoaiBanTin` (its kind) and `MaXacThuc` = lowercase hex SHA-256 of the
listed fields' values joined by "|", the shared secret last.

- INIT (us → platform): the order (`MaThamChieu` = our attempt's txn_ref, `SoTien`) and its
  receipt data (`ThongTinBienLai`); the answer gives the URL to send the citizen to.
- CONFIRM (platform → our callback, /thanh-toan/national/ipn/): the outcome (`MaLoi` "00" =
  paid); we answer `{MaLoi "00" | "99", MoTaLoi, MaDoiTac, MaThamChieu, ThoiGianGD, MaXacThuc}`.
- QUERY (us → platform): the state of an order, `TrangThaiGD` "1" paid, "3" pending, "4"
  failed: attempts whose CONFIRM never came are polled (payments.tasks).
- GET_BILL (us → platform): the receipt PDF of a paid order.

UNCONFIRMED (no public source): the name of INIT's URL field (`UrlThanhToan`, `DuongDan` also
read), which fields sign our CONFIRM answer and the QUERY answer (the fields of the message, in
the order listed below), and GET_BILL's answer (a PDF body, or JSON with the PDF in base64 as
`NoiDungBienLai` / `FileBienLai`). Each is one constant here.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
from collections.abc import Mapping, Sequence
from typing import Any

import requests
from django.conf import settings
from django.utils import timezone

from payments.gateways.base import (
    Answer,
    GatewayError,
    Notification,
    Order,
    PaymentGateway,
)

logger = logging.getLogger(__name__)

VERSION = "1.0.6"
INIT_SIGNED = (
    "LoaiBanTin",
    "PhienBan",
    "MaDoiTac",
    "MaThamChieu",
    "SoTien",
    "LoaiHinhThanhToan",
    "MaKenhThanhToan",
    "MaThietBi",
    "NgonNgu",
    "MaTienTe",
    "MaNganHang",
    "ThongTinGiaoDich",
    "ThoiGianGD",
    "Ip",
)
CONFIRM_SIGNED = (
    "LoaiBanTin",
    "MaLoi",
    "MaDoiTac",
    "MaThamChieu",
    "SoTien",
    "MaTienTe",
    "MaGiaoDich",
    "MaNganHang",
    "ThoiGianGD",
    "ThongTinGiaoDich",
)
ANSWER_SIGNED = ("MaLoi", "MoTaLoi", "MaDoiTac", "MaThamChieu", "ThoiGianGD")
QUERY_SIGNED = ("LoaiBanTin", "PhienBan", "MaDoiTac", "MaThamChieu", "ThoiGianGD")
QUERY_ANSWER_SIGNED = (
    "MaLoi",
    "MaDoiTac",
    "MaThamChieu",
    "SoTien",
    "TrangThaiGD",
    "MaGiaoDich",
    "ThoiGianGD",
)
URL_FIELDS = ("UrlThanhToan", "DuongDan")
BILL_FIELDS = ("NoiDungBienLai", "FileBienLai")
# TrangThaiGD of QUERY.
PAID, PENDING, FAILED = "1", "3", "4"
# Our answer to a CONFIRM: "00" received (also a replay of what we already hold), "99" refused.
ANSWERS: dict[Answer, tuple[str, str]] = {
    Answer.CONFIRMED: ("00", "Thanh cong"),
    Answer.ALREADY_CONFIRMED: ("00", "Giao dich da duoc ghi nhan"),
    Answer.ORDER_NOT_FOUND: ("99", "Khong tim thay giao dich"),
    Answer.INVALID_AMOUNT: ("99", "So tien khong hop le"),
    Answer.INVALID_SIGNATURE: ("99", "Sai ma xac thuc"),
    Answer.UNKNOWN_ERROR: ("99", "Loi khong xac dinh"),
}


def national_hash(values: Mapping[str, Any], fields: Sequence[str], secret: str) -> str:
    """MaXacThuc: SHA-256 of the fields' values (empty when absent) and the secret, joined by
    "|", lowercase hex."""
    parts = ["" if values.get(name) is None else str(values.get(name)) for name in fields]
    return hashlib.sha256("|".join([*parts, secret]).encode()).hexdigest()


def national_time(moment: Any = None) -> str:
    """ThoiGianGD: yyyyMMddHHmmss, Vietnam time."""
    return timezone.localtime(moment or timezone.now()).strftime("%Y%m%d%H%M%S")


def national_configured() -> bool:
    return bool(
        settings.NATIONAL_PAY_URL
        and settings.NATIONAL_PAY_PARTNER_CODE
        and settings.NATIONAL_PAY_SECRET
    )


class NationalPaymentGateway(PaymentGateway):
    name = "national"
    label = "Cổng Dịch vụ công quốc gia"
    # Orders whose CONFIRM did not come are asked for (payments.services.payment_attempts_poll).
    can_query = True

    def __init__(
        self,
        *,
        url: str | None = None,
        partner_code: str | None = None,
        secret: str | None = None,
        timeout: float | None = None,
    ) -> None:
        self.url = url if url is not None else settings.NATIONAL_PAY_URL
        self.partner_code = (
            partner_code if partner_code is not None else settings.NATIONAL_PAY_PARTNER_CODE
        )
        self.secret = secret if secret is not None else settings.NATIONAL_PAY_SECRET
        self.timeout = timeout or settings.NATIONAL_PAY_TIMEOUT

    # --- transport ------------------------------------------------------------------------
    def _post(self, message: dict[str, Any]) -> requests.Response:
        try:
            response = requests.post(self.url, json=message, timeout=self.timeout)
        except requests.RequestException as exc:
            raise GatewayError(Answer.UNKNOWN_ERROR, f"platform unreachable: {exc}") from exc
        if response.status_code != 200:
            raise GatewayError(Answer.UNKNOWN_ERROR, f"platform HTTP {response.status_code}")
        return response

    def _json(self, response: requests.Response) -> dict[str, Any]:
        try:
            body = response.json()
        except ValueError:
            raise GatewayError(Answer.UNKNOWN_ERROR, "platform answer is not JSON") from None
        if not isinstance(body, dict):
            raise GatewayError(Answer.UNKNOWN_ERROR, "platform answer is not an object")
        return body

    def _signed(self, message: dict[str, Any], fields: Sequence[str]) -> dict[str, Any]:
        return {**message, "MaXacThuc": national_hash(message, fields, self.secret)}

    # --- INIT -----------------------------------------------------------------------------
    def init_message(self, order: Order) -> dict[str, Any]:
        message = {
            "LoaiBanTin": "INIT",
            "PhienBan": VERSION,
            "MaDoiTac": self.partner_code,
            "MaThamChieu": order.txn_ref,
            "SoTien": str(order.amount_vnd),
            "LoaiHinhThanhToan": "PAY",
            "MaKenhThanhToan": settings.NATIONAL_PAY_CHANNEL,
            "MaThietBi": settings.NATIONAL_PAY_DEVICE,
            "NgonNgu": "vi-VN",
            "MaTienTe": "VND",
            "MaNganHang": "",
            "ThongTinGiaoDich": order.description,
            "ThoiGianGD": national_time(order.created_at),
            "Ip": order.client_ip or "127.0.0.1",
        }
        signed = self._signed(message, INIT_SIGNED)
        signed["ThongTinBienLai"] = {
            "MaDichVu": "2",  # fees and charges
            "TKThuHuong": settings.NATIONAL_PAY_BENEFICIARY_ACCOUNT,
            "MaNHThuHuong": settings.NATIONAL_PAY_BENEFICIARY_BANK,
            "TenTKThuHuong": settings.NATIONAL_PAY_BENEFICIARY_NAME,
            "NoiDungThanhToan": order.description,
            **order.receipt,
        }
        return signed

    def redirect_url(self, order: Order) -> str:
        body = self._json(self._post(self.init_message(order)))
        if str(body.get("MaLoi", "")) != "00":
            raise GatewayError(
                Answer.UNKNOWN_ERROR, f"INIT refused: {body.get('MaLoi')} {body.get('MoTaLoi')}"
            )
        for name in URL_FIELDS:
            url = str(body.get(name) or "")
            if url.startswith(("https://", "http://")):
                return url
        raise GatewayError(Answer.UNKNOWN_ERROR, "INIT answer without a payment URL")

    # --- CONFIRM --------------------------------------------------------------------------
    def notification_read(self, params: Mapping[str, Any]) -> Notification:
        data = {k: "" if v is None else str(v) for k, v in params.items()}
        if data.get("LoaiBanTin") != "CONFIRM" or not all(
            data.get(k) for k in ("MaDoiTac", "MaThamChieu", "SoTien", "MaXacThuc")
        ):
            raise GatewayError(Answer.UNKNOWN_ERROR, "missing fields")
        expected = national_hash(data, CONFIRM_SIGNED, self.secret)
        if not hmac.compare_digest(expected, data["MaXacThuc"].lower()):
            raise GatewayError(Answer.INVALID_SIGNATURE)
        if data["MaDoiTac"] != self.partner_code:
            raise GatewayError(Answer.ORDER_NOT_FOUND, "another partner's order")
        if data.get("MaTienTe", "VND") not in ("", "VND") or not data["SoTien"].isdigit():
            raise GatewayError(Answer.INVALID_AMOUNT)
        return Notification(
            txn_ref=data["MaThamChieu"],
            amount_vnd=int(data["SoTien"]),
            success=data.get("MaLoi") == "00",
            response_code=data.get("MaLoi", "")[:4],
            transaction_no=data.get("MaGiaoDich", "")[:40],
            bank_code=data.get("MaNganHang", "")[:20],
            params={k: v for k, v in data.items() if k != "MaXacThuc"},
        )

    def notification_answer(
        self, answer: Answer, params: Mapping[str, Any] | None = None
    ) -> dict[str, Any]:
        code, text = ANSWERS[answer]
        params = params or {}
        reply = {
            "MaLoi": code,
            "MoTaLoi": text,
            "MaDoiTac": self.partner_code,
            "MaThamChieu": str(params.get("MaThamChieu") or ""),
            "ThoiGianGD": national_time(),
        }
        return self._signed(reply, ANSWER_SIGNED)

    # --- QUERY and GET_BILL ---------------------------------------------------------------
    def _lookup_message(self, kind: str, txn_ref: str) -> dict[str, Any]:
        message = {
            "LoaiBanTin": kind,
            "PhienBan": VERSION,
            "MaDoiTac": self.partner_code,
            "MaThamChieu": txn_ref,
            "ThoiGianGD": national_time(),
        }
        return self._signed(message, QUERY_SIGNED)

    def query(self, txn_ref: str) -> Notification | None:
        """The order's state at the platform: a Notification once paid or failed, None while
        pending. An answer that is not signed with our secret raises GatewayError."""
        body = self._json(self._post(self._lookup_message("QUERY", txn_ref)))
        data = {k: "" if v is None else str(v) for k, v in body.items()}
        expected = national_hash(data, QUERY_ANSWER_SIGNED, self.secret)
        if not hmac.compare_digest(expected, data.get("MaXacThuc", "").lower()):
            raise GatewayError(Answer.INVALID_SIGNATURE, "QUERY answer badly signed")
        if data.get("MaThamChieu") != txn_ref:
            raise GatewayError(Answer.ORDER_NOT_FOUND, "QUERY answer for another order")
        state = data.get("TrangThaiGD", "")
        if state not in (PAID, FAILED):
            return None
        if not data.get("SoTien", "").isdigit():
            raise GatewayError(Answer.INVALID_AMOUNT)
        return Notification(
            txn_ref=txn_ref,
            amount_vnd=int(data["SoTien"]),
            success=state == PAID,
            response_code=f"Q{state}",
            transaction_no=data.get("MaGiaoDich", "")[:40],
            params={k: v for k, v in data.items() if k != "MaXacThuc"},
        )

    def bill(self, txn_ref: str) -> bytes:
        """GET_BILL: the platform's receipt PDF for a paid order."""
        response = self._post(self._lookup_message("GET_BILL", txn_ref))
        content = response.content
        if response.headers.get("Content-Type", "").startswith("application/json"):
            body = self._json(response)
            encoded = next((body[k] for k in BILL_FIELDS if body.get(k)), "")
            try:
                content = base64.b64decode(str(encoded), validate=True)
            except ValueError:
                raise GatewayError(Answer.UNKNOWN_ERROR, "GET_BILL: bad base64") from None
        if not content.startswith(b"%PDF-"):
            raise GatewayError(Answer.UNKNOWN_ERROR, "GET_BILL: not a PDF")
        return content
