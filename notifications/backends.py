"""SMS gateways: console (the default), outbox-only, and Twilio (or a Twilio-compatible host).

A backend sends one message and returns the provider's message id, or raises SmsError. The
caller (notifications.sending.sms_send) owns the row's state; backends touch no database.
"""

from __future__ import annotations

import functools
import logging
import sys
from datetime import datetime, timedelta
from typing import Any, Protocol
from urllib.parse import urlsplit

import requests
from django.conf import settings
from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

logger = logging.getLogger(__name__)
# The library logs every request and response at INFO: far too chatty for a worker sending
# thousands of messages. Lower this logger's level to see them again.
_http_logger = logging.getLogger("notifications.backends.twilio_http")
_http_logger.setLevel(logging.WARNING)

# Statuses after which a retry may succeed: throttling, timeouts, the provider's own errors.
TRANSIENT_HTTP = frozenset({408, 409, 425, 429})
# Asking whether the provider already has a message: its latest messages to the recipient,
# and how far its clock may be behind ours.
LIST_LIMIT = 50
CLOCK_MARGIN = timedelta(minutes=5)


class SmsError(Exception):
    """The gateway did not take the message. `permanent`: retrying cannot help."""

    def __init__(self, message: str, *, permanent: bool) -> None:
        super().__init__(message)
        self.message = message
        self.permanent = permanent


class SmsBackend(Protocol):
    # True when the message reaches the phone elsewhere (a gateway), so the outbox's copy of
    # a secret in it can be masked once sent; False where the row is how it is read.
    delivers_elsewhere: bool

    def send(self, *, to: str, body: str, reference: int) -> str:
        """Send `body` to `to` (E.164); return the provider's message id."""

    def sent_already(self, *, to: str, body: str, since: datetime) -> str | None:
        """The provider's id of a message `body` to `to` it took since `since`, or None.
        Raises SmsError when the provider cannot be asked."""


class ConsoleBackend:
    """Development: print the message; it counts as sent."""

    delivers_elsewhere = False

    def send(self, *, to: str, body: str, reference: int) -> str:
        sys.stdout.write(f"[SMS #{reference} → {to}] {body}\n")
        sys.stdout.flush()
        return f"console-{reference}"

    def sent_already(self, *, to: str, body: str, since: datetime) -> str | None:
        return None  # nothing left the process: printing it again is all a retry does


class OutboxBackend:
    """Staging and demos: send nothing; the row stays in the outbox for inspection."""

    delivers_elsewhere = False

    def send(self, *, to: str, body: str, reference: int) -> str:
        return f"outbox-{reference}"

    def sent_already(self, *, to: str, body: str, since: datetime) -> str | None:
        return None  # nothing is sent anywhere


class _BaseUrlHttpClient(TwilioHttpClient):
    """The official HTTP client, with the origin of every URL replaced by `base_url`.

    The twilio library builds absolute URLs on https://api.twilio.com (and other *.twilio.com
    hosts); a Twilio-compatible gateway or a local fake lives elsewhere, with the same paths.
    """

    def __init__(self, base_url: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.base_url = base_url.rstrip("/")

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> Any:
        parts = urlsplit(url)
        rebased = self.base_url + parts.path + (f"?{parts.query}" if parts.query else "")
        return super().request(method, rebased, *args, **kwargs)


class TwilioBackend:
    delivers_elsewhere = True

    def __init__(
        self,
        *,
        account_sid: str,
        auth_token: str,
        from_: str,
        base_url: str = "",
        status_callback: str = "",
        timeout: float = 15.0,
    ) -> None:
        http_client = (
            _BaseUrlHttpClient(base_url, timeout=timeout, logger=_http_logger)
            if base_url
            else TwilioHttpClient(timeout=timeout, logger=_http_logger)
        )
        self.client = Client(account_sid, auth_token, http_client=http_client)
        self.from_ = from_
        self.status_callback = status_callback

    def send(self, *, to: str, body: str, reference: int) -> str:
        options: dict[str, Any] = {"to": to, "from_": self.from_, "body": body}
        if self.status_callback:
            # Our id in the callback URL: the callback may arrive before the provider's id is
            # saved. The signature covers the whole URL, so it cannot be forged.
            options["status_callback"] = url_with_query(self.status_callback, f"m={reference}")
        try:
            message = self.client.messages.create(**options)
        except TwilioRestException as exc:
            permanent = exc.status < 500 and exc.status not in TRANSIENT_HTTP
            raise _http_error(exc, permanent=permanent) from exc
        except (TwilioException, requests.RequestException, ValueError) as exc:
            # A timeout, a lost connection or an unreadable answer (the gateway may be
            # half-broken): try again later.
            raise SmsError(f"{type(exc).__name__}: {exc}", permanent=False) from exc
        return str(message.sid)

    def sent_already(self, *, to: str, body: str, since: datetime) -> str | None:
        """Twilio's message list for this recipient and sender (newest first): a message with
        the same text created since `since` (less a margin for the clocks) is ours."""
        try:
            messages = self.client.messages.list(to=to, from_=self.from_, limit=LIST_LIMIT)
        except TwilioRestException as exc:
            raise _http_error(exc, permanent=False) from exc
        except (TwilioException, requests.RequestException, ValueError) as exc:
            raise SmsError(f"{type(exc).__name__}: {exc}", permanent=False) from exc
        after = since - CLOCK_MARGIN
        for message in messages:
            created = message.date_created
            if message.body == body and (created is None or created >= after):
                return str(message.sid)
        return None


def _http_error(exc: TwilioRestException, *, permanent: bool) -> SmsError:
    return SmsError(f"HTTP {exc.status} ({exc.code}): {exc.msg}", permanent=permanent)


def url_with_query(url: str, query: str) -> str:
    """`url` with `query` added to its own query string, if it has one."""
    if not query:
        return url
    return f"{url}{'&' if '?' in url else '?'}{query}"


def status_callback_url() -> str:
    """The URL the provider posts delivery reports to (see notifications.views)."""
    from django.urls import reverse

    return settings.TWILIO_STATUS_CALLBACK_URL or settings.SITE_URL + reverse("sms-status")


@functools.cache
def _backend(name: str, *config: str) -> SmsBackend:
    if name == "console":
        return ConsoleBackend()
    if name == "outbox":
        return OutboxBackend()
    if name == "twilio":
        account_sid, auth_token, from_, base_url, callback = config
        return TwilioBackend(
            account_sid=account_sid,
            auth_token=auth_token,
            from_=from_,
            base_url=base_url,
            status_callback=callback,
        )
    raise ValueError(f"unknown SMS_BACKEND {name!r} (console | outbox | twilio)")


def sms_backend_get() -> SmsBackend:
    """The configured backend, built once per process and configuration (keeps connections)."""
    name = settings.SMS_BACKEND
    if name != "twilio":
        return _backend(name)
    return _backend(
        name,
        settings.TWILIO_ACCOUNT_SID,
        settings.TWILIO_AUTH_TOKEN,
        settings.TWILIO_FROM_NUMBER,
        settings.TWILIO_API_BASE_URL,
        status_callback_url(),
    )
