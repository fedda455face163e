"""A fake VNPay payment gateway on 127.0.0.1, following the published protocol (API 2.1.0).

    with FakeVNPay(tmn_code="MOTCUA01", secret="s3cret", ipn_url=live_server.url + "/...") as fake:
        settings.VNPAY_PAYMENT_URL = fake.payment_url
        fake.outcome("00")             # the next customer pays (default); "24" = cancels
        urlopen(redirect_url)          # GET the payment page: the fake checks the signature,
                                       # calls the IPN URL back signed, answers 302 to the
                                       # merchant's vnp_ReturnUrl with the same parameters
        fake.ipn_calls[-1].answer      # {"RspCode": "00", "Message": "Confirm Success"}
        fake.replay_ipn()              # the gateway retries: the same signed IPN again

It signs on its own (not with the project's code): every vnp_* parameter except
vnp_SecureHash/vnp_SecureHashType, sorted by name, form-encoded, HMAC-SHA512 with the
merchant's secret, hex. A request with a bad signature gets VNPay's error page (code 97/70)
and no IPN. `signed(params)` builds a signed IPN by hand for negative tests.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import threading
from collections import deque
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qsl, quote_plus, urlencode, urlsplit
from urllib.request import urlopen

from tests.fakes.server import FakeServer

PAYMENT_PATH = "/paymentv2/vpcpay.html"
PAY_REQUIRED = (
    "vnp_Version",
    "vnp_Command",
    "vnp_TmnCode",
    "vnp_Amount",
    "vnp_CurrCode",
    "vnp_TxnRef",
    "vnp_OrderInfo",
    "vnp_OrderType",
    "vnp_Locale",
    "vnp_ReturnUrl",
    "vnp_IpAddr",
    "vnp_CreateDate",
)


def sign(params: dict[str, str], secret: str) -> str:
    data = "&".join(
        f"{quote_plus(k)}={quote_plus(str(v))}"
        for k, v in sorted(params.items())
        if k.startswith("vnp_")
        and k not in ("vnp_SecureHash", "vnp_SecureHashType")
        and str(v) != ""
    )
    return hmac.new(secret.encode(), data.encode(), hashlib.sha512).hexdigest()


@dataclass
class PaymentRequest:
    params: dict[str, str]
    signature_ok: bool
    problem: str = ""


@dataclass
class IpnCall:
    params: dict[str, str]
    status: int
    answer: dict[str, Any] = field(default_factory=dict)


class FakeVNPay(FakeServer):
    thread_name = "fake-vnpay"

    def __init__(
        self, *, tmn_code: str, secret: str, ipn_url: str = "", host: str = "127.0.0.1"
    ) -> None:
        self.tmn_code, self.secret, self.ipn_url = tmn_code, secret, ipn_url
        self._lock = threading.Lock()
        self._outcomes: deque[str] = deque()
        self._numbers = itertools.count(14_000_001)
        self.requests: list[PaymentRequest] = []
        self.ipn_calls: list[IpnCall] = []
        super().__init__(host)

    @property
    def payment_url(self) -> str:
        return f"{self.base_url}{PAYMENT_PATH}"

    def outcome(self, *codes: str) -> None:
        """vnp_ResponseCode of the next payments: "00" success, "24" customer cancelled,
        "51" insufficient funds..."""
        with self._lock:
            self._outcomes.extend(codes)

    # --- the gateway's messages ---------------------------------------------------------
    def signed(self, params: dict[str, str]) -> dict[str, str]:
        return {**params, "vnp_SecureHash": sign(params, self.secret)}

    def result_params(self, request: dict[str, str], code: str = "00") -> dict[str, str]:
        """What VNPay sends to the IPN and the return URL after the customer's payment."""
        pay_date = (datetime.now(UTC) + timedelta(hours=7)).strftime("%Y%m%d%H%M%S")
        return self.signed(
            {
                "vnp_Amount": request["vnp_Amount"],
                "vnp_BankCode": "NCB",
                "vnp_BankTranNo": f"VNP{next(self._numbers)}",
                "vnp_CardType": "ATM",
                "vnp_OrderInfo": request["vnp_OrderInfo"],
                "vnp_PayDate": pay_date,
                "vnp_ResponseCode": code,
                "vnp_TmnCode": request["vnp_TmnCode"],
                "vnp_TransactionNo": str(next(self._numbers)),
                "vnp_TransactionStatus": "00" if code == "00" else "02",
                "vnp_TxnRef": request["vnp_TxnRef"],
            }
        )

    def call_ipn(self, params: dict[str, str]) -> IpnCall:
        """GET the merchant's IPN URL with `params` (VNPay calls it server to server)."""
        with urlopen(f"{self.ipn_url}?{urlencode(params)}", timeout=20) as response:  # noqa: S310
            call = IpnCall(params, response.status, json.loads(response.read()))
        with self._lock:
            self.ipn_calls.append(call)
        return call

    def replay_ipn(self) -> IpnCall:
        return self.call_ipn(self.ipn_calls[-1].params)

    # --- the payment page ---------------------------------------------------------------
    def _pay(self, query: str) -> tuple[int, dict[str, str], str]:
        params = dict(parse_qsl(query, keep_blank_values=True))
        given = params.get("vnp_SecureHash", "")
        ok = hmac.compare_digest(sign(params, self.secret), given)
        problem = ""
        if not ok:
            problem = "97 Invalid signature"
        elif any(not params.get(k) for k in PAY_REQUIRED):
            problem = "03 Invalid data format"
        elif params["vnp_TmnCode"] != self.tmn_code:
            problem = "02 Merchant not active"
        elif int(params["vnp_Amount"]) % 100 or params["vnp_CurrCode"] != "VND":
            problem = "03 Invalid amount"
        with self._lock:
            self.requests.append(PaymentRequest(params, ok, problem))
            code = self._outcomes.popleft() if self._outcomes else "00"
        if problem:
            return 200, {"Content-Type": "text/plain; charset=utf-8"}, f"VNPAY error {problem}"
        result = self.result_params(params, code)
        if self.ipn_url:
            self.call_ipn(result)
        back = params["vnp_ReturnUrl"]
        joiner = "&" if urlsplit(back).query else "?"
        return 302, {"Location": f"{back}{joiner}{urlencode(result)}"}, ""

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                parts = urlsplit(self.path)
                if parts.path != PAYMENT_PATH:
                    self.send_error(404)
                    return
                status, headers, body = fake._pay(parts.query)
                data = body.encode()
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        return Handler
