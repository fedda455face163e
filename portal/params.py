"""Request parameters read one way everywhere: a malformed value is a 400 with a translated
message (JSON on the API, under the parameter's name), never a server error.

Numbers are ASCII digits only (`"²".isdigit()` is true, but `int("²")` fails); dates and months
stay within EARLIEST..LATEST, so that the day after or the month before is still a date.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import BadRequest
from django.utils.translation import gettext as _

EARLIEST = dt.date(1900, 1, 1)
LATEST = dt.date(2100, 12, 31)
# PostgreSQL's integer: a larger number can be no id, no level, no page.
INT_MAX = 2**31 - 1

_DIGITS = re.compile(r"[0-9]+")
_MONTH = re.compile(r"([0-9]{4})-([0-9]{2})")


class BadParameter(BadRequest):
    """The parameter `name` cannot be read: 400 with `message`."""

    def __init__(self, name: str, message: str) -> None:
        super().__init__(message)
        self.name = name
        self.message = message


def int_parse(raw: Any, name: str, *, minimum: int = 0, maximum: int = INT_MAX) -> int:
    text = str(raw).strip()
    if not _DIGITS.fullmatch(text) or not minimum <= int(text) <= maximum:
        raise BadParameter(
            name,
            _("“%(name)s” phải là một số nguyên từ %(min)s đến %(max)s.")
            % {"name": name, "min": minimum, "max": maximum},
        )
    return int(text)


def date_parse(raw: Any, name: str) -> dt.date:
    try:
        day = dt.date.fromisoformat(str(raw).strip())
    except ValueError:
        day = None
    if day is None or not EARLIEST <= day <= LATEST:
        raise BadParameter(
            name,
            _("“%(name)s” phải là một ngày dạng YYYY-MM-DD, từ %(min)s đến %(max)s.")
            % {"name": name, "min": EARLIEST.isoformat(), "max": LATEST.isoformat()},
        )
    return day


def month_parse(raw: Any, name: str) -> dt.date:
    """The first day of the month `YYYY-MM`."""
    match = _MONTH.fullmatch(str(raw).strip())
    month = None
    if match and 1 <= int(match[2]) <= 12:
        month = dt.date(int(match[1]), int(match[2]), 1)
    if month is None or not EARLIEST <= month <= LATEST:
        raise BadParameter(
            name,
            _("“%(name)s” phải là một tháng dạng YYYY-MM, từ %(min)s đến %(max)s.")
            % {"name": name, "min": EARLIEST.strftime("%Y-%m"), "max": LATEST.strftime("%Y-%m")},
        )
    return month


def param_int(params: Mapping[str, Any], name: str, **bounds: int) -> int | None:
    """The integer parameter `name`, None when absent or empty."""
    raw = params.get(name)
    return None if raw in (None, "") else int_parse(raw, name, **bounds)


def param_month(params: Mapping[str, Any], name: str) -> dt.date | None:
    raw = params.get(name)
    return None if raw in (None, "") else month_parse(raw, name)
