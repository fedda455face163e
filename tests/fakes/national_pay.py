"""A fake national payment platform (DVCQG, message version 1.0.6) on 127.0.0.1.

    with FakeNationalPay(partner="MOTCUA", secret="s3cret", callback_url=live + "/...") as fake:
        settings.NATIONAL_PAY_URL = fake.url
        fake.outcome("00")          # the next citizen pays (default); "hold" = pays but the
                                    # CONFIRM never comes (QUERY finds it), "fail" = declined
        urlopen(payment_url)        # the citizen on the platform's page: the fake sends the
                                    # CONFIRM callback and records our answer
        fake.confirms[-1].answer    # {"MaLoi": "00", ..., "MaXacThuc": ...}
        fake.resend()               # the platform retries: the same CONFIRM again
        fake.confirm(...)           # a CONFIRM built by hand (negative tests), signed or not

It checks and signs on its own (not with the project's code): MaXacThuc is lowercase hex
SHA-256 of the listed fields joined by "|", the secret last. It answers INIT with the URL of
its payment page, QUERY with TrangThaiGD ("1" paid, "3" pending, "4" failed) and GET_BILL with
a small PDF receipt. An INIT with a bad hash or a wrong partner code gets MaLoi "99".
"""

from __future__ import annotations

import hashlib
import itertools
import json
import threading
from collections import deque
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import urlsplit
from urllib.request import Request, urlopen

from tests.fakes.server import FakeServer

INIT_FIELDS = (
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
CONFIRM_FIELDS = (
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
ANSWER_FIELDS = ("MaLoi", "MoTaLoi", "MaDoiTac", "MaThamChieu", "ThoiGianGD")
LOOKUP_FIELDS = ("LoaiBanTin", "PhienBan", "MaDoiTac", "MaThamChieu", "ThoiGianGD")
QUERY_ANSWER_FIELDS = (
    "MaLoi",
    "MaDoiTac",
    "MaThamChieu",
    "SoTien",
    "TrangThaiGD",
    "MaGiaoDich",
    "ThoiGianGD",
)
PAY_PATH = "/thanh-toan/"


def digest(values: dict[str, Any], fields: tuple[str, ...], secret: str) -> str:
    parts = [str(values.get(name, "") or "") for name in fields]
    return hashlib.sha256("|".join([*parts, secret]).encode()).hexdigest()


def vn_now() -> str:
    return (datetime.now(UTC) + timedelta(hours=7)).strftime("%Y%m%d%H%M%S")


def receipt_pdf(ref: str, amount: str) -> bytes:
    """A one-page PDF with the order's reference and amount, written by hand."""
    text = f"BIEN LAI THU PHI - {ref} - {amount} VND".encode()
    stream = b"BT /F1 12 Tf 40 780 Td (" + text + b") Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += (
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    )
    return bytes(out)


@dataclass
class Order:
    message: dict[str, Any]
    state: str = "3"  # TrangThaiGD: pending until the citizen pays
    transaction_no: str = ""
    bank: str = ""


@dataclass
class ConfirmCall:
    message: dict[str, Any]
    status: int
    answer: dict[str, Any] = field(default_factory=dict)
    answer_hash_ok: bool = False


class FakeNationalPay(FakeServer):
    thread_name = "fake-national-pay"

    def __init__(
        self, *, partner: str, secret: str, callback_url: str = "", host: str = "127.0.0.1"
    ) -> None:
        self.partner, self.secret, self.callback_url = partner, secret, callback_url
        self._lock = threading.Lock()
        self._outcomes: deque[str] = deque()
        self._numbers = itertools.count(880_000_001)
        self.orders: dict[str, Order] = {}
        self.messages: list[dict[str, Any]] = []  # every message we received, in order
        self.confirms: list[ConfirmCall] = []
        super().__init__(host)

    @property
    def base(self) -> str:
        return self.base_url

    @property
    def url(self) -> str:
        return f"{self.base}/api/thanh-toan"

    def outcome(self, *outcomes: str) -> None:
        """What the next citizens do: "00" pay, "hold" pay without a CONFIRM, "fail"."""
        with self._lock:
            self._outcomes.extend(outcomes)

    # --- the platform's messages --------------------------------------------------------
    def confirm_message(
        self, ref: str, *, amount: str | None = None, code: str = "00", secret: str | None = None
    ) -> dict[str, Any]:
        order = self.orders.get(ref)
        message = {
            "LoaiBanTin": "CONFIRM",
            "MaLoi": code,
            "MaDoiTac": self.partner,
            "MaThamChieu": ref,
            "SoTien": amount if amount is not None else (order.message["SoTien"] if order else "1"),
            "MaTienTe": "VND",
            "MaGiaoDich": order.transaction_no if order and order.transaction_no else "GD1",
            "MaNganHang": "VCB",
            "ThoiGianGD": vn_now(),
            "ThongTinGiaoDich": order.message["ThongTinGiaoDich"] if order else "",
        }
        message["MaXacThuc"] = digest(message, CONFIRM_FIELDS, secret or self.secret)
        return message

    def confirm(self, message: dict[str, Any]) -> ConfirmCall:
        """POST a CONFIRM to the province's callback, as JSON; check the answer's hash."""
        request = Request(  # noqa: S310 - the test's own live server
            self.callback_url,
            data=json.dumps(message).encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        with urlopen(request, timeout=20) as response:  # noqa: S310
            answer = json.loads(response.read())
            call = ConfirmCall(message, response.status, answer)
        call.answer_hash_ok = answer.get("MaXacThuc") == digest(answer, ANSWER_FIELDS, self.secret)
        with self._lock:
            self.confirms.append(call)
        return call

    def resend(self) -> ConfirmCall:
        return self.confirm(self.confirms[-1].message)

    # --- the HTTP side ------------------------------------------------------------------
    def _api(self, message: dict[str, Any]) -> tuple[int, str, bytes]:
        with self._lock:
            self.messages.append(message)
        kind = message.get("LoaiBanTin")
        fields = INIT_FIELDS if kind == "INIT" else LOOKUP_FIELDS
        if message.get("MaXacThuc") != digest(message, fields, self.secret):
            return self._json({"MaLoi": "99", "MoTaLoi": "Sai ma xac thuc"})
        if message.get("MaDoiTac") != self.partner or message.get("PhienBan") != "1.0.6":
            return self._json({"MaLoi": "99", "MoTaLoi": "Doi tac hoac phien ban sai"})
        ref = str(message.get("MaThamChieu", ""))
        if kind == "INIT":
            if not str(message.get("SoTien", "")).isdigit() or ref in self.orders:
                return self._json({"MaLoi": "99", "MoTaLoi": "Du lieu khong hop le"})
            self.orders[ref] = Order(message)
            return self._json({"MaLoi": "00", "UrlThanhToan": f"{self.base}{PAY_PATH}{ref}"})
        order = self.orders.get(ref)
        if order is None:
            return self._json({"MaLoi": "99", "MoTaLoi": "Khong tim thay"})
        if kind == "QUERY":
            answer = {
                "MaLoi": "00",
                "MaDoiTac": self.partner,
                "MaThamChieu": ref,
                "SoTien": order.message["SoTien"],
                "TrangThaiGD": order.state,
                "MaGiaoDich": order.transaction_no,
                "ThoiGianGD": vn_now(),
            }
            answer["MaXacThuc"] = digest(answer, QUERY_ANSWER_FIELDS, self.secret)
            return self._json(answer)
        if kind == "GET_BILL":
            if order.state != "1":
                return self._json({"MaLoi": "99", "MoTaLoi": "Chua thanh toan"})
            return 200, "application/pdf", receipt_pdf(ref, order.message["SoTien"])
        return self._json({"MaLoi": "99", "MoTaLoi": "Loai ban tin khong ho tro"})

    def _json(self, body: dict[str, Any]) -> tuple[int, str, bytes]:
        return 200, "application/json", json.dumps(body).encode()

    def _pay(self, ref: str) -> tuple[int, str, bytes]:
        """The citizen pays on the platform's page."""
        order = self.orders.get(ref)
        if order is None:
            return 404, "text/plain", b"not found"
        with self._lock:
            what = self._outcomes.popleft() if self._outcomes else "00"
        order.transaction_no = f"GD{next(self._numbers)}"
        order.state = "4" if what == "fail" else "1"
        if what != "hold" and self.callback_url:
            self.confirm(self.confirm_message(ref, code="00" if what != "fail" else "51"))
        return 200, "text/plain; charset=utf-8", f"paid {ref}".encode()

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def _send(self, status: int, content_type: str, body: bytes) -> None:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_POST(self) -> None:
                if urlsplit(self.path).path != urlsplit(fake.url).path:
                    self._send(404, "text/plain", b"not found")
                    return
                length = int(self.headers.get("Content-Length") or 0)
                try:
                    message = json.loads(self.rfile.read(length) or b"{}")
                except ValueError:
                    self._send(400, "text/plain", b"bad json")
                    return
                self._send(*fake._api(message))

            def do_GET(self) -> None:
                path = urlsplit(self.path).path
                if not path.startswith(PAY_PATH):
                    self._send(404, "text/plain", b"not found")
                    return
                self._send(*fake._pay(path[len(PAY_PATH) :]))

            def log_message(self, format: str, *args: Any) -> None:
                pass

        return Handler
