"""Production middleware: request ids, security headers, the language of a response, and a
bound on the request size checked before the body is read.

Order in settings.MIDDLEWARE: RequestIdMiddleware first (so every later log line carries the
id), SecurityHeadersMiddleware next to Django's SecurityMiddleware, RequestSizeLimitMiddleware
after PageLanguageMiddleware (its message is translated) and before anything that reads the
body (CsrfViewMiddleware reads request.POST).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.middleware.locale import LocaleMiddleware
from django.utils import translation
from django.utils.translation import gettext as _

from portal.logging import request_id_var

Handler = Callable[[HttpRequest], HttpResponse]

REQUEST_ID_HEADER = "X-Request-ID"
# A client-supplied id is kept only when it is short and plain: it ends up in log lines.
_REQUEST_ID_RE = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")


def request_id_clean(value: str | None) -> str:
    """The client's id when it is safe to log, else a new random one."""
    if value and _REQUEST_ID_RE.match(value):
        return value
    return uuid.uuid4().hex


class RequestIdMiddleware:
    """Accept X-Request-ID (nginx passes its own) or make one; expose it as
    `request.request_id`, on the response, in every log record and as a Sentry tag."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = request_id_clean(request.headers.get(REQUEST_ID_HEADER))
        request.request_id = request_id
        token = request_id_var.set(request_id)
        try:
            if getattr(settings, "SENTRY_DSN", ""):
                import sentry_sdk

                sentry_sdk.set_tag("request_id", request_id)
            response = self.get_response(request)
        finally:
            request_id_var.reset(token)
        response[REQUEST_ID_HEADER] = request_id
        return response


_LANGUAGES = {code for code, _name in settings.LANGUAGES}


class PageLanguageMiddleware(LocaleMiddleware):
    """Pages are in Vietnamese unless the visitor chose another language with the switch (its
    cookie): a browser's Accept-Language is not a choice, many computers in Vietnam run in
    English. The API negotiates as Django does (the cookie, then Accept-Language), as its
    contract says (docs/API.md)."""

    def process_request(self, request: HttpRequest) -> None:
        if request.path_info.startswith("/api/"):
            return super().process_request(request)
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        translation.activate(chosen if chosen in _LANGUAGES else settings.LANGUAGE_CODE)
        request.LANGUAGE_CODE = translation.get_language()
        return None


class SecurityHeadersMiddleware:
    """The headers Django's SecurityMiddleware does not set: Content-Security-Policy and
    Permissions-Policy. A view may set its own CSP; it is then left alone."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        policy = getattr(settings, "CONTENT_SECURITY_POLICY", "")
        if policy and "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = policy
        permissions = getattr(settings, "PERMISSIONS_POLICY", "")
        if permissions and "Permissions-Policy" not in response:
            response["Permissions-Policy"] = permissions
        return response


class RequestSizeLimitMiddleware:
    """Refuse a request whose declared Content-Length exceeds settings.REQUEST_MAX_BYTES with
    413, before any byte of the body is read.

    A body without Content-Length (chunked) is never read by Django's WSGI handler, and nginx
    bounds it with client_max_body_size, so the declared length is the one to check here.
    """

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        limit = settings.REQUEST_MAX_BYTES
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if limit and length > limit:
            return request_too_large_response(request, limit=limit)
        return self.get_response(request)


class NulByteRejectMiddleware:
    """Refuse with 400 a path or query string holding a NUL byte.

    NUL is never data in a form or a URL, and PostgreSQL text cannot store or compare it: left
    alone, it reaches a query and becomes a server error. Rejecting it here mends every view.
    """

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        query = request.GET
        if "\x00" in request.path or any(
            "\x00" in key or any("\x00" in v for v in query.getlist(key)) for key in query
        ):
            message = _("Yêu cầu chứa ký tự không hợp lệ.")
            return _refusal(message, status=400, as_json=request.path.startswith("/api/"))
        return self.get_response(request)


def request_too_large_response(request: HttpRequest, *, limit: int) -> HttpResponse:
    message = _("Yêu cầu quá lớn: tổng dung lượng gửi lên tối đa %(size)s MB.") % {
        "size": limit // (1024 * 1024)
    }
    wants_json = request.path.startswith("/api/") or "application/json" in request.headers.get(
        "Accept", ""
    )
    return _refusal(message, status=413, as_json=wants_json)


def _refusal(message: str, *, status: int, as_json: bool) -> HttpResponse:
    """A refused request's answer: {"detail": message} as JSON, or the message as plain text."""
    if as_json:
        return JsonResponse({"detail": message}, status=status)
    return HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")
