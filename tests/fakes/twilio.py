"""A fake Twilio REST API on 127.0.0.1, for tests and benchmarks that use the real client.

    with FakeTwilio() as fake:            # a threaded http.server on a free port
        settings.TWILIO_API_BASE_URL = fake.url
        fake.script(500, 500)             # the next two message requests fail with 500...
        fake.script(400, to="+84912345678")   # ...or only those to one number
        ...
        fake.wait_for(1)                  # block (with a deadline) until a message came in
        fake.messages()[0].form["Body"]

`POST /2010-04-01/Accounts/{sid}/Messages.json` records the request (form fields, basic-auth
user) and answers like Twilio: 201 with a message resource, or the scripted error status with
Twilio's error body (400 → code 21211, invalid 'To' number). `GET` on the same path lists the
messages it accepted, newest first, filtered by `To` and `From` as Twilio's message list is
(`fake.list_fails = True` makes the list answer 503, a gateway that cannot be asked).
`twilio_signature()` signs a status callback the way Twilio does.

With `FakeTwilio(status_callbacks=True)` it also does what Twilio does after accepting a
message that names a `StatusCallback` URL: a moment later it POSTs `MessageStatus=sent` there,
signed with the auth token (the basic-auth password), from a thread of its own. Each
callback's HTTP status is kept in `callbacks`.
"""

from __future__ import annotations

import base64
import itertools
import json
import threading
import time
import urllib.error
import urllib.request
from collections import deque
from dataclasses import dataclass, field
from email.utils import formatdate
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, urlencode

from twilio.request_validator import RequestValidator

from tests.fakes.server import FakeServer

MESSAGES_PATH = "/2010-04-01/Accounts/{sid}/Messages.json"


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    path: str
    form: dict[str, str]
    account_sid: str  # the basic-auth user
    status: int  # what the fake answered
    sid: str = ""  # the message sid given on 201
    headers: dict[str, str] = field(default_factory=dict)
    at: float = field(default_factory=time.time)  # when the fake took it


def twilio_signature(url: str, params: dict[str, str], auth_token: str) -> str:
    """X-Twilio-Signature for a POST of `params` to `url` (the library's own algorithm)."""
    return RequestValidator(auth_token).compute_signature(url, params)


class FakeTwilio(FakeServer):
    thread_name = "fake-twilio"

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        status_callbacks: bool = False,
        callback_delay: float = 0.05,
    ) -> None:
        self.status_callbacks = status_callbacks
        self.callback_delay = callback_delay
        self.callbacks: list[tuple[str, int]] = []  # (message sid, HTTP status or 0)
        self.list_fails = False
        self._lock = threading.Condition()
        self._requests: list[RecordedRequest] = []
        self._script: deque[int] = deque()
        self._script_to: dict[str, deque[int]] = {}
        self._counter = itertools.count(1)
        super().__init__(host, port)

    # --- behaviour ----------------------------------------------------------------------
    def script(self, *statuses: int, to: str | None = None) -> None:
        """Answer the next message requests (to `to`, or to anyone) with these statuses."""
        with self._lock:
            queue = self._script if to is None else self._script_to.setdefault(to, deque())
            queue.extend(statuses)

    def reset(self) -> None:
        with self._lock:
            self._requests.clear()
            self._script.clear()
            self._script_to.clear()
            self.list_fails = False

    # --- what came in -------------------------------------------------------------------
    @property
    def requests(self) -> list[RecordedRequest]:
        with self._lock:
            return list(self._requests)

    def messages(self, *, to: str | None = None) -> list[RecordedRequest]:
        """Message creations received (whatever was answered), oldest first."""
        return [
            r
            for r in self.requests
            if r.path.endswith("/Messages.json") and (to is None or r.form.get("To") == to)
        ]

    def wait_for(
        self, count: int, *, to: str | None = None, timeout: float = 20.0
    ) -> list[RecordedRequest]:
        """Block until at least `count` message requests (to `to`) came in; AssertionError
        after `timeout` seconds."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while True:
                found = [
                    r
                    for r in self._requests
                    if r.path.endswith("/Messages.json") and (to is None or r.form.get("To") == to)
                ]
                if len(found) >= count:
                    return found
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"fake Twilio got {len(found)} of {count} messages")
                self._lock.wait(left)

    # --- status callbacks ---------------------------------------------------------------
    def _callback_later(
        self, *, url: str, sid: str, account: str, token: str, form: dict[str, str]
    ) -> None:
        params = {
            "MessageSid": sid,
            "SmsSid": sid,
            "AccountSid": account,
            "MessageStatus": "sent",
            "SmsStatus": "sent",
            "To": form.get("To", ""),
            "From": form.get("From", ""),
            "ApiVersion": "2010-04-01",
        }

        def post() -> None:
            time.sleep(self.callback_delay)
            request = urllib.request.Request(  # noqa: S310 - a URL the test configured
                url,
                data=urlencode(params).encode(),
                method="POST",
                headers={
                    "X-Twilio-Signature": twilio_signature(url, params, token),
                    "Content-Type": "application/x-www-form-urlencoded",
                },
            )
            try:
                with urllib.request.urlopen(request, timeout=10) as answer:  # noqa: S310
                    status = answer.status
            except urllib.error.HTTPError as exc:
                status = exc.code
            except OSError:
                status = 0  # the portal is down: Twilio would try again later; we do not
            with self._lock:
                self.callbacks.append((sid, status))
                self._lock.notify_all()

        threading.Thread(target=post, name=f"fake-twilio-callback-{sid}", daemon=True).start()

    # --- the HTTP side ------------------------------------------------------------------
    def _answer(
        self,
        path: str,
        form: dict[str, str],
        account: str,
        headers: dict[str, str],
        token: str = "",
    ) -> tuple[int, dict[str, Any]]:
        with self._lock:
            own = self._script_to.get(form.get("To", ""))
            if own:
                status = own.popleft()
            elif self._script:
                status = self._script.popleft()
            else:
                status = 201
            sid = f"SM{next(self._counter):032x}" if status == 201 else ""
            recorded = RecordedRequest("POST", path, form, account, status, sid, headers)
            self._requests.append(recorded)
            self._lock.notify_all()
        if status == 201:
            if self.status_callbacks and form.get("StatusCallback"):
                self._callback_later(
                    url=form["StatusCallback"], sid=sid, account=account, token=token, form=form
                )
            return status, self._resource(recorded)
        code = 21211 if status == 400 else 20000 + status
        message = (
            "The 'To' number is not a valid phone number."
            if status == 400
            else HTTPStatus(status).phrase
        )
        return status, {
            "code": code,
            "message": message,
            "status": status,
            "more_info": f"https://www.twilio.com/docs/errors/{code}",
        }

    @staticmethod
    def _resource(r: RecordedRequest) -> dict[str, Any]:
        return {
            "sid": r.sid,
            "account_sid": r.account_sid,
            "to": r.form.get("To"),
            "from": r.form.get("From"),
            "body": r.form.get("Body"),
            "status": "queued",
            "num_segments": "1",
            "direction": "outbound-api",
            "api_version": "2010-04-01",
            "date_created": formatdate(r.at, usegmt=True),
            "uri": f"{r.path[:-5]}/{r.sid}.json",
        }

    def _list(self, path: str, query: dict[str, str]) -> tuple[int, dict[str, Any]]:
        if self.list_fails:
            return 503, {"code": 20503, "message": "Service Unavailable", "status": 503}
        accepted = [
            self._resource(r)
            for r in reversed(self.messages())
            if r.status == 201
            and all(r.form.get(name) == query[name] for name in ("To", "From") if name in query)
        ]
        return 200, {
            "messages": accepted,
            "uri": path,
            "first_page_uri": path,
            "next_page_uri": None,
            "previous_page_uri": None,
            "page": 0,
            "page_size": len(accepted),
            "start": 0,
            "end": max(len(accepted) - 1, 0),
        }

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, as the real API

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length).decode("utf-8")
                form = {k: v[-1] for k, v in parse_qs(raw, keep_blank_values=True).items()}
                account = token = ""
                auth = self.headers.get("Authorization", "")
                if auth.startswith("Basic "):
                    account, _, token = base64.b64decode(auth[6:]).decode().partition(":")
                if not self.path.startswith("/2010-04-01/Accounts/") or not self.path.endswith(
                    "/Messages.json"
                ):
                    self._send(404, {"code": 20404, "message": "not found", "status": 404})
                    return
                status, payload = fake._answer(self.path, form, account, dict(self.headers), token)
                self._send(status, payload)

            def do_GET(self) -> None:
                path, _, raw = self.path.partition("?")
                if not path.startswith("/2010-04-01/Accounts/") or not path.endswith(
                    "/Messages.json"
                ):
                    self._send(404, {"code": 20404, "message": "not found", "status": 404})
                    return
                query = {k: v[-1] for k, v in parse_qs(raw).items()}
                self._send(*fake._list(path, query))

            def _send(self, status: int, payload: dict[str, Any]) -> None:
                body = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                pass  # quiet in tests

        return Handler
