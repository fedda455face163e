"""Structured logs: the request id on every record, and an optional JSON line format.

`RequestIdMiddleware` (portal/middleware.py) stores the id of the request being served in a
context variable; `RequestIdFilter` copies it onto every log record as `request_id`, so the
plain format and the JSON format can both print it. Outside a request the id is "-".
"""

from __future__ import annotations

import json
import logging
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

request_id_var: ContextVar[str] = ContextVar("motcua_request_id", default="-")

# The attributes every LogRecord has; anything else was passed through `extra=` and belongs in
# the JSON object.
_RECORD_ATTRS = frozenset(vars(logging.LogRecord("x", 0, "x", 0, "x", None, None))) | {
    "message",
    "asctime",
    "request_id",
    "taskName",
}


def request_id_get() -> str:
    """The id of the request being served, or "-" outside a request."""
    return request_id_var.get()


class RequestIdFilter(logging.Filter):
    """Adds `record.request_id`; never drops a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            request_id = request_id_var.get()
            if request_id == "-":
                # Django logs 4xx/5xx answers ("django.request") after the middleware chain
                # has returned; the request passed along with the record still knows its id.
                request_id = getattr(getattr(record, "request", None), "request_id", "-")
            record.request_id = request_id
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC, ISO 8601), level, logger, message, request_id,
    the exception when there is one, and any `extra=` fields."""

    def format(self, record: logging.LogRecord) -> str:
        data: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, tz=UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", request_id_var.get()),
        }
        if record.exc_info:
            data["exc_info"] = self.formatException(record.exc_info)
        if record.stack_info:
            data["stack_info"] = self.formatStack(record.stack_info)
        for key, value in vars(record).items():
            if key not in _RECORD_ATTRS and key not in data:
                data[key] = value
        return json.dumps(data, ensure_ascii=False, default=str)


# --- Celery: the request id follows the work a request queued ---------------------------------
# A task published while a request is served carries the request's id in a message header; the
# worker sets it around the task, so the task's log lines (an SMS that failed, say) name the
# request that caused them.

REQUEST_ID_TASK_HEADER = "motcua_request_id"


def celery_request_id_publish(headers: dict[str, Any] | None = None, **kwargs: Any) -> None:
    """before_task_publish: add the current request id to the message headers."""
    request_id = request_id_var.get()
    if headers is not None and request_id != "-":
        headers.setdefault(REQUEST_ID_TASK_HEADER, request_id)


_task_tokens: dict[str, Any] = {}


def celery_request_id_enter(task_id: str | None = None, task: Any = None, **kwargs: Any) -> None:
    """task_prerun: take the id from the message, if it came with one."""
    request = getattr(task, "request", None)
    request_id = getattr(request, REQUEST_ID_TASK_HEADER, None) or (
        (getattr(request, "headers", None) or {}).get(REQUEST_ID_TASK_HEADER)
    )
    if request_id and task_id:
        _task_tokens[task_id] = request_id_var.set(str(request_id))


def celery_request_id_leave(task_id: str | None = None, **kwargs: Any) -> None:
    """task_postrun: back to no request id."""
    token = _task_tokens.pop(task_id, None) if task_id else None
    if token is not None:
        request_id_var.reset(token)


def celery_request_id_connect() -> None:
    """Connect the three handlers once (called on import of this module)."""
    from celery import signals

    signals.before_task_publish.connect(
        celery_request_id_publish, weak=False, dispatch_uid="motcua_request_id_publish"
    )
    signals.task_prerun.connect(
        celery_request_id_enter, weak=False, dispatch_uid="motcua_request_id_enter"
    )
    signals.task_postrun.connect(
        celery_request_id_leave, weak=False, dispatch_uid="motcua_request_id_leave"
    )


celery_request_id_connect()
