"""A fake National Public Service Portal (DVCQG) on 127.0.0.1, for tests and the demo.

    with FakeDvcqg(madonvi="000.00.00.H33", dstcode="H33") as fake:  # a threaded http.server
        settings.DVCQG_URL = fake.url
        fake.script("fail", "timeout")       # the next calls: HTTP 500 (not processed), then
                                             # processed but answered after `slow_seconds`
        fake.script("exists", service="DongBoHoSoMC")   # answer "đã tồn tại" once
        fake.hang("CapNhatTienDoHoSoMC")     # process the next call, then hold the answer
        fake.release()                       # ...until released
        fake.progress("000.41.11.H33-261125-0001")   # the progress items it holds, in order

Both transports of docs/NATIONAL.md §0: the envelope (`/api/auth` for a session, then
`/api/integration` and `/api/share` with {"session", "madonvi", "service", ...}) and the bare
style (`/bare/create`, `/bare/update`, `/bare/progress`, `/bare/lookup`: JSON arrays).

Every body is checked as NATIONAL.md describes it: the `dstcode` header, the unit code, the
fields of §1 and §2, strings only, times as yyyyMMddHHmmss, status codes 1-10, at most ten
progress items per call, a progress item only for a dossier it holds. A malformed body gets
error_code "1" with the reason; a create of a dossier it holds answers "đã tồn tại"; an
expired session answers error_code "-1". `received` keeps every call and its answer.
"""

from __future__ import annotations

import json
import re
import secrets
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any

from tests.fakes.server import FakeServer

TIME = re.compile(r"^\d{14}$")
DOSSIER_FIELDS = [
    "MaHoSo",
    "MaTTHC",
    "TenTTHC",
    "MaLinhVuc",
    "TenLinhVuc",
    "ChuHoSo",
    "LoaiDoiTuong",
    "MaDoiTuong",
    "SoGiayToChuHoSo",
    "Email",
    "SoDienThoai",
    "TrichYeuHoSo",
    "KenhThucHien",
    "NoiNopHoSo",
    "NgayNopHoSo",
    "NgayTiepNhan",
    "NgayHenTra",
    "NgayTuChoi",
    "NgayKetThucXuLy",
    "NgayTra",
    "TrangThaiHoSo",
    "HinhThuc",
    "DonViXuLy",
    "HoSoCoThanhPhanSoHoa",
    "TaiKhoanDuocXacThucVoiVNeID",
    "DuocThanhToanTrucTuyen",
]
DOSSIER_LISTS = ("DinhDanhCHS", "TaiLieuNop", "DanhSachGiayToKetQua", "DanhSachLePhi")
DOSSIER_TIMES = [
    "NgayNopHoSo",
    "NgayTiepNhan",
    "NgayHenTra",
    "NgayTuChoi",
    "NgayKetThucXuLy",
    "NgayTra",
]
PROGRESS_FIELDS = [
    "MaHoSo",
    "NguoiXuLy",
    "ChucDanh",
    "ThoiDiemXuLy",
    "PhongBanXuLy",
    "NoiDungXuLy",
    "TrangThai",
    "NgayBatDau",
    "NgayKetThucTheoQuyDinh",
]
CODES = {str(n) for n in range(1, 11)}


class Malformed(Exception):
    pass


@dataclass
class Received:
    transport: str  # envelope | bare
    service: str
    body: Any
    code: str  # the error_code answered ("" for an HTTP error)
    message: str
    http_status: int
    at: float = field(default_factory=time.time)


def _check_time(record: dict[str, Any], name: str) -> None:
    value = record.get(name)
    if not isinstance(value, str) or (value and not TIME.match(value)):
        raise Malformed(f"{name} phải là chuỗi yyyyMMddHHmmss hoặc rỗng, nhận {value!r}")
    if value:
        time.strptime(value, "%Y%m%d%H%M%S")  # a real date and a 24-hour time


def check_dossier(record: Any) -> None:
    if not isinstance(record, dict):
        raise Malformed("mỗi hồ sơ là một đối tượng")
    for name in DOSSIER_FIELDS:
        if not isinstance(record.get(name), str):
            raise Malformed(f"thiếu trường {name} hoặc không phải chuỗi")
    for name in DOSSIER_LISTS:
        if not isinstance(record.get(name), list):
            raise Malformed(f"{name} phải là danh sách")
    for name in DOSSIER_TIMES:
        try:
            _check_time(record, name)
        except ValueError:
            raise Malformed(f"{name} không phải ngày giờ hợp lệ") from None
    if not record["MaHoSo"] or not record["MaTTHC"]:
        raise Malformed("MaHoSo và MaTTHC không được rỗng")
    if record["TrangThaiHoSo"] not in CODES:
        raise Malformed(f"TrangThaiHoSo {record['TrangThaiHoSo']!r} không thuộc 1-10")
    if record["KenhThucHien"] not in {"1", "2", "3"}:
        raise Malformed("KenhThucHien phải là 1, 2 hoặc 3")
    if record["LoaiDoiTuong"] not in {"1", "2", "3", "4"}:
        raise Malformed("LoaiDoiTuong phải là 1-4")
    if record["DuocThanhToanTrucTuyen"] not in {"0", "1", "2", "3"}:
        raise Malformed("DuocThanhToanTrucTuyen phải là 0-3")
    for name in ("HinhThuc", "HoSoCoThanhPhanSoHoa", "TaiKhoanDuocXacThucVoiVNeID"):
        if record[name] not in {"0", "1"}:
            raise Malformed(f'{name} phải là "0" hoặc "1"')
    if len(record["TrichYeuHoSo"]) > 1000:
        raise Malformed("TrichYeuHoSo quá 1000 ký tự")
    for item in record["DinhDanhCHS"]:
        if item.get("LoaiDinhDanh") not in {"1", "2"} or not str(item.get("SoDinhDanh", "")):
            raise Malformed("DinhDanhCHS không hợp lệ")
    for item in record["TaiLieuNop"]:
        url = item.get("DuongDanTaiTepTin", "")
        if not isinstance(url, str) or not url.startswith(("http://", "https://")):
            raise Malformed("DuongDanTaiTepTin phải là đường dẫn tải được")
        if item.get("IsDeleted") not in {"True", "False"}:
            raise Malformed('IsDeleted phải là "True" hoặc "False"')
    for item in record["DanhSachLePhi"]:
        if not str(item.get("Gia", "")).isdigit() or item.get("LoaiPhiLePhi") not in {"1", "2"}:
            raise Malformed("DanhSachLePhi không hợp lệ")


def check_progress(item: Any) -> None:
    if not isinstance(item, dict):
        raise Malformed("mỗi tiến độ là một đối tượng")
    for name in PROGRESS_FIELDS:
        if not isinstance(item.get(name), str):
            raise Malformed(f"thiếu trường {name} hoặc không phải chuỗi")
    for name in ("ThoiDiemXuLy", "NgayBatDau", "NgayKetThucTheoQuyDinh"):
        _check_time(item, name)
    if not item["ThoiDiemXuLy"]:
        raise Malformed("ThoiDiemXuLy không được rỗng")
    if item["TrangThai"] not in CODES:
        raise Malformed(f"TrangThai {item['TrangThai']!r} không thuộc 1-10")
    if len(item["NguoiXuLy"]) > 50:
        raise Malformed("NguoiXuLy quá 50 ký tự")


class FakeDvcqg(FakeServer):
    thread_name = "fake-dvcqg"
    AUTH, INTEGRATION, SHARE = "/api/auth", "/api/integration", "/api/share"
    BARE = {
        "/bare/create": "DongBoHoSoMC:create",
        "/bare/update": "DongBoHoSoMC:update",
        "/bare/progress": "CapNhatTienDoHoSoMC",
        "/bare/lookup": "TraCuuHoSo",
    }

    def __init__(
        self,
        *,
        madonvi: str = "000.00.00.H33",
        dstcode: str = "H33",
        username: str = "motcua",
        password: str = "secret",  # noqa: S107 - a fake's test credential
        slow_seconds: float = 2.0,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        self.madonvi, self.dstcode = madonvi, dstcode
        self.username, self.password = username, password
        self.slow_seconds = self._slow_default = slow_seconds
        self.catalogue: dict[str, dict[str, Any]] = {}  # MATTHC -> LayThuTuc's answer
        # TraCuuHoSo lists the progress items it holds (UNCONFIRMED of the real portal).
        self.lookup_lists_progress = True
        self._lock = threading.Condition()
        self._script: deque[tuple[str, str | None]] = deque()
        self._hang: str | None = None
        self._hung = threading.Event()
        self._release = threading.Event()
        self._sessions: set[str] = set()
        self.logins = 0
        self.received: list[Received] = []
        self.dossiers: dict[str, dict[str, Any]] = {}
        self._progress: dict[str, list[dict[str, Any]]] = {}
        super().__init__(host, port)

    def stop(self) -> None:
        self._release.set()  # a held answer goes out, so its handler thread ends
        super().stop()

    # --- behaviour ------------------------------------------------------------------------
    def script(self, *modes: str, service: str | None = None) -> None:
        """The next calls (of `service`, or any but the log-in) behave so: "fail" (HTTP 500,
        not processed), "reject" (error_code "99", not processed), "timeout" (processed, then
        answered after slow_seconds), "slow" (not processed, answered after slow_seconds),
        "exists" (a create answers "đã tồn tại")."""
        with self._lock:
            self._script.extend((m, service) for m in modes)

    def hang(self, service: str) -> None:
        """Process the next call of `service`, then hold its answer until release()."""
        self._hang = service
        self._hung.clear()
        self._release.clear()

    def wait_hung(self, timeout: float = 20.0) -> None:
        if not self._hung.wait(timeout):
            raise AssertionError("the fake DVCQG received no call to hold")

    def release(self) -> None:
        self._release.set()

    def expire_sessions(self) -> None:
        with self._lock:
            self._sessions.clear()

    def reset(self) -> None:
        self._release.set()
        self.slow_seconds = self._slow_default
        with self._lock:
            self._script.clear()
            self._hang = None
            self._sessions.clear()
            self.logins = 0
            self.received.clear()
            self.dossiers.clear()
            self._progress.clear()
            self.catalogue.clear()
            self.lookup_lists_progress = True

    # --- what came in ---------------------------------------------------------------------
    def calls(self, service: str | None = None) -> list[Received]:
        with self._lock:
            return [r for r in self.received if service is None or r.service == service]

    def progress(self, code: str) -> list[dict[str, Any]]:
        """The progress items it accepted for the dossier, in the order they came."""
        with self._lock:
            return list(self._progress.get(code, []))

    def wait_for(self, predicate: Any, *, timeout: float = 30.0, what: str = "") -> None:
        deadline = time.monotonic() + timeout
        with self._lock:
            while not predicate():
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"fake DVCQG: timed out waiting for {what}")
                self._lock.wait(min(left, 0.2))

    # --- the services ---------------------------------------------------------------------
    def _mode_for(self, service: str) -> str:
        with self._lock:
            for i, (mode, only) in enumerate(self._script):
                if only is None or service.startswith(only):
                    del self._script[i]
                    return mode
        return ""

    def _serve(self, service: str, params: Any) -> tuple[str, str, Any]:
        """(error_code, message, result) of one call; raises Malformed."""
        if service.startswith("DongBoHoSoMC"):
            if service == "DongBoHoSoMC":
                updating = params.get("isUpdating")
                if updating not in ("True", "False"):
                    raise Malformed('isUpdating phải là "True" hoặc "False"')
                data = params.get("data")
            else:
                updating = "True" if service.endswith("update") else "False"
                data = params
            if not isinstance(data, list) or not data:
                raise Malformed("data phải là danh sách hồ sơ")
            for record in data:
                check_dossier(record)
            with self._lock:
                for record in data:
                    code = record["MaHoSo"]
                    if updating == "False" and code in self.dossiers:
                        return "1", f"Hồ sơ {code} đã tồn tại trên hệ thống", None
                    if updating == "True" and code not in self.dossiers:
                        return "1", f"Hồ sơ {code} không tồn tại", None
                for record in data:
                    self.dossiers[record["MaHoSo"]] = record
            return "0", "Thành công", None
        if service == "CapNhatTienDoHoSoMC":
            data = params.get("data") if isinstance(params, dict) else params
            if not isinstance(data, list) or not data:
                raise Malformed("data phải là danh sách tiến độ")
            if len(data) > 10:
                raise Malformed("tối đa 10 tiến độ mỗi lần gửi")
            for item in data:
                check_progress(item)
            with self._lock:
                for item in data:
                    if item["MaHoSo"] not in self.dossiers:
                        return "1", f"Hồ sơ {item['MaHoSo']} chưa được đồng bộ", None
                for item in data:
                    self._progress.setdefault(item["MaHoSo"], []).append(item)
            return "0", "Thành công", None
        if service == "TraCuuHoSo":
            code = params.get("mahoso") if isinstance(params, dict) else None
            if not isinstance(code, str) or not code:
                raise Malformed("thiếu mahoso")
            with self._lock:
                record = self.dossiers.get(code)
                if record is None:
                    return "0", "Không tìm thấy", []
                if not self.lookup_lists_progress:
                    return "0", "Thành công", [record]
                return "0", "Thành công", [{**record, "QuaTrinhXuLy": self.progress(code)}]
        if service == "LayDanhSachTTHC":
            return (
                "0",
                "Thành công",
                [{"MATTHC": c, "TENTTHC": p.get("TENTTHC", "")} for c, p in self.catalogue.items()],
            )
        if service == "LayThuTuc":
            code = params.get("maTTHC")
            if not isinstance(code, str) or not code:
                raise Malformed("thiếu maTTHC")
            found = self.catalogue.get(code)
            return ("0", "Thành công", [found]) if found else ("0", "Không tìm thấy", [])
        raise Malformed(f"dịch vụ không hỗ trợ: {service}")

    def _handle(self, path: str, headers: dict[str, str], raw: bytes) -> tuple[int, dict]:
        if "application/json" not in headers.get("content-type", ""):
            return 415, {"error_code": "1", "message": "Content-Type phải là application/json"}
        if self.dstcode and headers.get("dstcode") != self.dstcode:
            return 403, {"error_code": "1", "message": "dstcode không đúng"}
        try:
            body = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            return 400, {"error_code": "1", "message": "nội dung không phải JSON"}
        if path == self.AUTH:
            ok = isinstance(body, dict) and (body.get("username"), body.get("password")) == (
                self.username,
                self.password,
            )
            if not ok:
                return 200, {"error_code": "1", "message": "Sai tài khoản hoặc mật khẩu"}
            session = secrets.token_hex(8)
            with self._lock:
                self._sessions.add(session)
                self.logins += 1
            return 200, {"error_code": 0, "message": "OK", "result": {"session": session}}
        if path in (self.INTEGRATION, self.SHARE):
            if not isinstance(body, dict):
                return 200, {"error_code": "1", "message": "phong bì phải là đối tượng"}
            with self._lock:
                live = body.get("session") in self._sessions
            if not live:
                return 200, {"error_code": "-1", "message": "Session không hợp lệ hoặc hết hạn"}
            if body.get("madonvi") != self.madonvi:
                return 200, {"error_code": "1", "message": "madonvi không đúng"}
            service = str(body.get("service", ""))
            share = {"LayDanhSachTTHC"}
            if (service in share) != (path == self.SHARE):
                return 200, {"error_code": "1", "message": f"{service} không ở đường dẫn này"}
            return self._call("envelope", service, body)
        if path in self.BARE:
            return self._call("bare", self.BARE[path], body)
        return 404, {"error_code": "1", "message": "không có dịch vụ"}

    def _call(self, transport: str, service: str, body: Any) -> tuple[int, dict]:
        name = service.split(":")[0]
        mode = self._mode_for(name)
        if mode == "fail":
            return self._record(transport, name, body, 500, "", "lỗi máy chủ", None)
        if mode == "reject":
            return self._record(transport, name, body, 200, "99", "Hệ thống bận", None)
        if mode == "slow":
            time.sleep(self.slow_seconds)
            return self._record(transport, name, body, 500, "", "quá tải", None)
        if mode == "exists":
            # As if it held the dossier already (a create whose answer was lost).
            code = ""
            data = body.get("data") if isinstance(body, dict) else body
            if isinstance(data, list) and data and isinstance(data[0], dict):
                code = data[0].get("MaHoSo", "")
                with self._lock:
                    self.dossiers.setdefault(code, data[0])
            return self._record(transport, name, body, 200, "1", f"Hồ sơ {code} đã tồn tại", None)
        # The call to hold is the first to arrive after hang(): decided now, not after a late
        # answer's sleep (a call still sleeping must not take the hold meant for a later one).
        with self._lock:
            hold = self._hang == name
            if hold:
                self._hang = None
        try:
            code, message, result = self._serve(service, body)
        except (Malformed, ValueError) as exc:
            code, message, result = "1", f"Dữ liệu không hợp lệ: {exc}", None
        status, answer = self._record(transport, name, body, 200, code, message, result)
        if mode == "timeout":
            time.sleep(self.slow_seconds)
        if hold:
            self._hung.set()
            self._release.wait(600)
        return status, answer

    def _record(
        self, transport: str, service: str, body: Any, status: int, code: str, msg: str, result: Any
    ) -> tuple[int, dict]:
        with self._lock:
            self.received.append(Received(transport, service, body, code, msg, status))
            self._lock.notify_all()
        if status >= 500:
            return status, {"message": msg}
        return status, {"error_code": code, "message": msg, "result": result}

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                headers = {k.lower(): v for k, v in self.headers.items()}
                status, answer = fake._handle(self.path, headers, raw)
                data = json.dumps(answer, ensure_ascii=False).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json; charset=utf-8")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except OSError:
                    pass  # the client gave up waiting (a time-out): nothing to tell

            def do_GET(self) -> None:
                self.send_response(405)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        return Handler
