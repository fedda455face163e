"""Errors of the domain, and the one place where they become HTTP answers."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import BadRequest, SuspiciousOperation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions as drf_exceptions
from rest_framework import status
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import exception_handler

from portal.params import BadParameter


class PortalError(Exception):
    """A broken business rule. `message` is shown to the user (translated)."""

    status_code = status.HTTP_400_BAD_REQUEST

    def __init__(self, message: Any, extra: dict[str, Any] | None = None) -> None:
        super().__init__(str(message))
        self.message = message
        self.extra = extra or {}


class InvalidTransition(PortalError):
    """The dossier's current state does not allow the move."""

    status_code = status.HTTP_409_CONFLICT


class NotAllowed(PortalError):
    status_code = status.HTTP_403_FORBIDDEN


class Locked(PortalError):
    status_code = status.HTTP_429_TOO_MANY_REQUESTS


class UploadTooLarge(PortalError):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE


def bad_request_body(exc: Exception) -> dict[str, Any]:
    """The answer to a 400 that no form explains: a malformed parameter (portal.params, under
    its name too) or a request Django refuses to read (too many files or fields)."""
    if isinstance(exc, BadParameter):
        return {"detail": exc.message, exc.name: [exc.message]}
    return {"detail": str(_("Yêu cầu không hợp lệ. Vui lòng kiểm tra lại dữ liệu đã nhập."))}


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's handler, plus our domain errors, Django's ValidationError, a malformed parameter
    and a request Django refuses to read (too many files or fields): every error is JSON."""
    if isinstance(exc, BadRequest | SuspiciousOperation):  # BadParameter included
        return Response(bad_request_body(exc), status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, PortalError):
        return Response({"detail": str(exc.message), **exc.extra}, status=exc.status_code)
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "message_dict"):
            data: dict[str, Any] = {k: [str(m) for m in v] for k, v in exc.message_dict.items()}
            data.setdefault("detail", str(_("Dữ liệu không hợp lệ.")))
        else:
            data = {"detail": " ".join(str(m) for m in exc.messages)}
        return Response(data, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, drf_exceptions.Throttled):  # DRF's text is English only
        from portal.throttling import throttled_message

        headers = {"Retry-After": str(max(1, round(exc.wait)))} if exc.wait else {}
        return Response(
            {"detail": throttled_message(exc.wait)},
            status=status.HTTP_429_TOO_MANY_REQUESTS,
            headers=headers,
        )
    response = exception_handler(exc, context)
    if (
        response is not None
        and isinstance(exc, drf_exceptions.ValidationError)
        and isinstance(response.data, dict)
    ):
        response.data.setdefault("detail", str(_("Dữ liệu không hợp lệ.")))
    return response


def api_exception_handler_json(exc: Exception, context: dict[str, Any]) -> Response | None:
    """The API's exception handler (settings.REST_FRAMEWORK): errors are JSON whatever format
    the request asked for (?format=csv, xlsx or pdf), then api_exception_handler answers."""
    request = context.get("request")
    if request is not None:
        request.accepted_renderer, request.accepted_media_type = JSONRenderer(), "application/json"
    return api_exception_handler(exc, context)
