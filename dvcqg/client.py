"""Talking to DVCQG: the two transports of docs/NATIONAL.md §0.

`envelope` (DVCQG's own adapter): log in for a session, then post a flat envelope
{"session", "madonvi", "service", ...} to the integration or share path.
`bare` (a provincial adapter in front): the JSON array of records posted to one URL per
operation, no session.

Every call is a POST of JSON with the `dstcode` header and a read time-out (DVCQG_TIMEOUT).
A failure says whether DVCQG may have processed the request (`maybe_received`): a refused
connection did not reach it, a read time-out or a broken answer may have.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Any

import requests
from django.conf import settings
from urllib3.exceptions import NewConnectionError

CONNECT_TIMEOUT = 3.0
OK_CODES = {"0", "00"}
ALREADY_EXISTS = "đã tồn tại"
# Progress lists a look-up answer may carry (UNCONFIRMED: the answer's shape is not public).
PROGRESS_KEYS = ("QuaTrinhXuLy", "TienDoXuLy", "DanhSachTienDo")


class DvcqgError(Exception):
    def __init__(
        self, message: str, *, maybe_received: bool, code: str = "", exists: bool = False
    ) -> None:
        super().__init__(message)
        self.message = message
        self.maybe_received = maybe_received
        self.code = code
        self.exists = exists  # a create answered "đã tồn tại"


class NotConfigured(DvcqgError):
    def __init__(self, message: str) -> None:
        super().__init__(message, maybe_received=False)


@dataclass(frozen=True)
class Answer:
    code: str
    message: str
    result: Any


@dataclass(frozen=True)
class Lookup:
    found: bool
    # The progress items DVCQG lists for the dossier; None when its answer has no such list.
    progress: list[dict[str, Any]] | None


def enabled() -> bool:
    return bool(settings.DVCQG_URL)


_session_lock = threading.Lock()
_session: dict[str, Any] = {"value": "", "until": 0.0, "key": ""}


def session_forget() -> None:
    with _session_lock:
        _session.update(value="", until=0.0, key="")


def _session_expired(answer: Answer, status: int) -> bool:
    # UNCONFIRMED: how DVCQG words an expired session. HTTP 401, or a refusal naming the session.
    text = answer.message.lower()
    return status == 401 or (answer.code not in OK_CODES and ("session" in text or "phiên" in text))


class Client:
    def __init__(self) -> None:
        if not settings.DVCQG_URL:
            raise NotConfigured("DVCQG_URL is empty: the synchronisation is off")
        self.base = settings.DVCQG_URL.rstrip("/")
        self.transport = settings.DVCQG_TRANSPORT
        if self.transport not in ("envelope", "bare"):
            raise NotConfigured(f"DVCQG_TRANSPORT must be envelope or bare, not {self.transport!r}")
        self.http = requests.Session()
        self.http.headers.update(
            {"Content-Type": "application/json", "dstcode": settings.DVCQG_DSTCODE}
        )

    # --- the wire -------------------------------------------------------------------------

    def _post(self, url: str, body: Any) -> tuple[Answer, int]:
        try:
            response = self.http.post(
                url, json=body, timeout=(CONNECT_TIMEOUT, float(settings.DVCQG_TIMEOUT))
            )
        except requests.ConnectTimeout as exc:
            raise DvcqgError(f"connect time-out: {exc}", maybe_received=False) from exc
        except requests.ReadTimeout as exc:
            raise DvcqgError("no answer in time (read time-out)", maybe_received=True) from exc
        except requests.ConnectionError as exc:
            reason = getattr(exc.args[0], "reason", None) if exc.args else None
            refused = isinstance(reason, NewConnectionError)
            raise DvcqgError(f"connection error: {exc}", maybe_received=not refused) from exc
        if response.status_code >= 500:
            raise DvcqgError(f"HTTP {response.status_code}", maybe_received=True)
        try:
            data = response.json()
        except ValueError as exc:
            raise DvcqgError(
                f"HTTP {response.status_code}: not JSON", maybe_received=response.ok
            ) from exc
        if not isinstance(data, dict):
            raise DvcqgError(f"HTTP {response.status_code}: not an object", maybe_received=True)
        answer = Answer(
            code=str(data.get("error_code", "")).strip(),
            message=str(data.get("message", "") or ""),
            result=data.get("result"),
        )
        return answer, response.status_code

    def _session_value(self) -> str:
        key = f"{self.base}|{settings.DVCQG_USERNAME}"
        with _session_lock:
            if (
                _session["value"]
                and _session["key"] == key
                and time.monotonic() < _session["until"]
            ):
                return _session["value"]
        answer, status = self._post(
            self.base + settings.DVCQG_AUTH_PATH,
            {"username": settings.DVCQG_USERNAME, "password": settings.DVCQG_PASSWORD},
        )
        result = answer.result if isinstance(answer.result, dict) else {}
        value = str(result.get("session", "") or "")
        if answer.code not in OK_CODES or not value:
            raise DvcqgError(
                f"log-in refused ({answer.code or status}): {answer.message}",
                maybe_received=False,
                code=answer.code,
            )
        with _session_lock:
            _session.update(
                value=value, key=key, until=time.monotonic() + settings.DVCQG_SESSION_TTL
            )
        return value

    def envelope(self, service: str, params: dict[str, Any], *, share: bool = False) -> Answer:
        """Call one service through the envelope; log in again once if the session expired."""
        path = settings.DVCQG_SHARE_PATH if share else settings.DVCQG_INTEGRATION_PATH
        for attempt in (1, 2):
            body = {
                "session": self._session_value(),
                "madonvi": settings.DVCQG_MADONVI,
                "service": service,
                **params,
            }
            answer, status = self._post(self.base + path, body)
            if _session_expired(answer, status) and attempt == 1:
                session_forget()
                continue
            return answer
        return answer

    def _bare(self, setting: str, body: Any) -> Answer:
        url = getattr(settings, setting, "")
        if not url:
            raise NotConfigured(f"{setting} is empty (DVCQG_TRANSPORT=bare)")
        if url.startswith("/"):
            url = self.base + url
        answer, _status = self._post(url, body)
        return answer

    @staticmethod
    def _checked(answer: Answer, *, creating: bool = False) -> Answer:
        if answer.code in OK_CODES:
            return answer
        exists = creating and ALREADY_EXISTS in answer.message.lower()
        raise DvcqgError(
            f"DVCQG answered {answer.code or '?'}: {answer.message}",
            maybe_received=False,
            code=answer.code,
            exists=exists,
        )

    # --- operations -----------------------------------------------------------------------

    def dossier_send(self, record: dict[str, Any], *, updating: bool) -> Answer:
        """DongBoHoSoMC: create (isUpdating "False") or update ("True") one dossier."""
        if self.transport == "bare":
            setting = "DVCQG_BARE_UPDATE_URL" if updating else "DVCQG_BARE_CREATE_URL"
            return self._checked(self._bare(setting, [record]), creating=not updating)
        answer = self.envelope(
            "DongBoHoSoMC", {"isUpdating": "True" if updating else "False", "data": [record]}
        )
        return self._checked(answer, creating=not updating)

    def progress_send(self, items: list[dict[str, Any]]) -> Answer:
        """CapNhatTienDoHoSoMC: at most ten progress items, oldest first."""
        if self.transport == "bare":
            return self._checked(self._bare("DVCQG_BARE_PROGRESS_URL", items))
        return self._checked(self.envelope("CapNhatTienDoHoSoMC", {"data": items}))

    def lookup(self, code: str) -> Lookup:
        """TraCuuHoSo: does DVCQG hold the dossier, and which progress items does it list."""
        if self.transport == "bare":
            answer = self._bare("DVCQG_BARE_LOOKUP_URL", {"mahoso": code})
        else:
            answer = self.envelope("TraCuuHoSo", {"mahoso": code})
        if answer.code not in OK_CODES:
            # UNCONFIRMED: "not found" is read as an answer with an empty result; any other
            # refusal means DVCQG could not be asked.
            raise DvcqgError(
                f"look-up refused ({answer.code}): {answer.message}", maybe_received=False
            )
        records = answer.result if isinstance(answer.result, list) else [answer.result]
        records = [r for r in records if isinstance(r, dict) and r]
        record = next((r for r in records if str(r.get("MaHoSo", "")) == code), None)
        if record is None:
            return Lookup(found=False, progress=[])
        for key in PROGRESS_KEYS:
            value = record.get(key)
            if isinstance(value, list):
                return Lookup(found=True, progress=[i for i in value if isinstance(i, dict)])
        return Lookup(found=True, progress=None)

    def catalogue_list(self) -> list[dict[str, Any]]:
        """LayDanhSachTTHC (share): [{MATTHC, TENTTHC}]."""
        answer = self._checked(self.envelope("LayDanhSachTTHC", {}, share=True))
        return [r for r in (answer.result or []) if isinstance(r, dict)]

    def procedure(self, code: str) -> dict[str, Any] | None:
        """LayThuTuc (integration): one procedure, or None."""
        answer = self._checked(self.envelope("LayThuTuc", {"maTTHC": code}))
        result = answer.result
        if isinstance(result, list):
            result = result[0] if result else None
        return result if isinstance(result, dict) else None
