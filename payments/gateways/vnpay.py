"""VNPay (payment gateway API 2.1.0): redirect to the payment page, IPN and return URL.

Signing: every `vnp_*` parameter except vnp_SecureHash and vnp_SecureHashType, sorted by
name, URL-encoded as a form (`key=value&...`, spaces as "+"), HMAC-SHA512 with the merchant's
secret, hex; sent as vnp_SecureHash. Amounts are in đồng × 100. vnp_TxnRef is our order
number, unique. The IPN (server to server, GET with the same signed parameters) is answered
with JSON {"RspCode", "Message"}: 00 confirmed, 01 order not found, 02 order already
confirmed, 04 invalid amount, 97 invalid signature, 99 unknown error. A payment succeeded when
vnp_ResponseCode and vnp_TransactionStatus are both "00".
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from datetime import timedelta
from typing import Any
from urllib.parse import quote_plus

from django.conf import settings
from django.utils import timezone

from payments.gateways.base import (
    Answer,
    GatewayError,
    Notification,
    Order,
    PaymentGateway,
)

VERSION = "2.1.0"
SIGNATURE_FIELDS = ("vnp_SecureHash", "vnp_SecureHashType")
ANSWERS: dict[Answer, tuple[str, str]] = {
    Answer.CONFIRMED: ("00", "Confirm Success"),
    Answer.ORDER_NOT_FOUND: ("01", "Order not found"),
    Answer.ALREADY_CONFIRMED: ("02", "Order already confirmed"),
    Answer.INVALID_AMOUNT: ("04", "invalid amount"),
    Answer.INVALID_SIGNATURE: ("97", "Invalid signature"),
    Answer.UNKNOWN_ERROR: ("99", "Unknow error"),
}
REQUIRED = ("vnp_TmnCode", "vnp_Amount", "vnp_TxnRef", "vnp_ResponseCode", "vnp_SecureHash")


def vnpay_sign_data(params: Mapping[str, str]) -> str:
    """The string that is signed: sorted vnp_* parameters, form-encoded."""
    items = sorted(
        (k, str(v))
        for k, v in params.items()
        if k.startswith("vnp_") and k not in SIGNATURE_FIELDS and v != ""
    )
    return "&".join(f"{quote_plus(k)}={quote_plus(v)}" for k, v in items)


def vnpay_signature(params: Mapping[str, str], secret: str) -> str:
    return hmac.new(secret.encode(), vnpay_sign_data(params).encode(), hashlib.sha512).hexdigest()


def vnpay_signed_query(params: Mapping[str, str], secret: str) -> str:
    """The query string with vnp_SecureHash appended."""
    return f"{vnpay_sign_data(params)}&vnp_SecureHash={vnpay_signature(params, secret)}"


class VNPayGateway(PaymentGateway):
    name = "vnpay"
    label = "VNPay"

    def __init__(
        self,
        *,
        tmn_code: str | None = None,
        hash_secret: str | None = None,
        payment_url: str | None = None,
        expire_minutes: int | None = None,
    ) -> None:
        self.tmn_code = tmn_code if tmn_code is not None else settings.VNPAY_TMN_CODE
        self.hash_secret = hash_secret if hash_secret is not None else settings.VNPAY_HASH_SECRET
        self.payment_url = payment_url or settings.VNPAY_PAYMENT_URL
        self.expire_minutes = expire_minutes or settings.VNPAY_EXPIRE_MINUTES

    def redirect_url(self, order: Order) -> str:
        created = timezone.localtime(order.created_at)  # VNPay reads GMT+7 wall times
        params = {
            "vnp_Version": VERSION,
            "vnp_Command": "pay",
            "vnp_TmnCode": self.tmn_code,
            "vnp_Amount": str(order.amount_vnd * 100),
            "vnp_CurrCode": "VND",
            "vnp_TxnRef": order.txn_ref,
            "vnp_OrderInfo": order.description,
            "vnp_OrderType": "other",
            "vnp_Locale": order.locale,
            "vnp_ReturnUrl": order.return_url,
            "vnp_IpAddr": order.client_ip or "127.0.0.1",
            "vnp_CreateDate": created.strftime("%Y%m%d%H%M%S"),
            "vnp_ExpireDate": (created + timedelta(minutes=self.expire_minutes)).strftime(
                "%Y%m%d%H%M%S"
            ),
        }
        return f"{self.payment_url}?{vnpay_signed_query(params, self.hash_secret)}"

    def notification_read(self, params: Mapping[str, str]) -> Notification:
        """Order of checks as VNPay's merchant guide: data present, signature, then the
        caller checks the order, the amount and whether it was already confirmed."""
        data = {k: str(v) for k, v in params.items() if k.startswith("vnp_")}
        if any(not data.get(k) for k in REQUIRED):
            raise GatewayError(Answer.UNKNOWN_ERROR, "missing parameters")
        expected = vnpay_signature(data, self.hash_secret)
        if not hmac.compare_digest(expected.lower(), data["vnp_SecureHash"].lower()):
            raise GatewayError(Answer.INVALID_SIGNATURE)
        if data["vnp_TmnCode"] != self.tmn_code:
            raise GatewayError(Answer.ORDER_NOT_FOUND, "another merchant's order")
        try:
            raw_amount = int(data["vnp_Amount"])
        except ValueError:
            raise GatewayError(Answer.INVALID_AMOUNT) from None
        if raw_amount % 100:
            raise GatewayError(Answer.INVALID_AMOUNT, "not whole đồng")
        success = (
            data["vnp_ResponseCode"] == "00" and data.get("vnp_TransactionStatus", "00") == "00"
        )
        kept = {k: v for k, v in data.items() if k not in SIGNATURE_FIELDS}
        return Notification(
            txn_ref=data["vnp_TxnRef"],
            amount_vnd=raw_amount // 100,
            success=success,
            response_code=data["vnp_ResponseCode"],
            transaction_no=data.get("vnp_TransactionNo", ""),
            bank_code=data.get("vnp_BankCode", ""),
            params=kept,
        )

    def notification_answer(
        self, answer: Answer, params: Mapping[str, Any] | None = None
    ) -> dict[str, Any]:
        code, message = ANSWERS[answer]
        return {"RspCode": code, "Message": message}
