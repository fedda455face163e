"""Periods of a report and the summary rows that cover them."""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.params import BadParameter, date_parse
from reports.models import Grain

BEGINNING = dt.date(1900, 1, 1)
# One request may not ask for more than this (the summaries make long periods cheap; this only
# bounds typing mistakes such as year 20200).
MAX_DAYS = 366 * 20


@dataclass(frozen=True)
class Period:
    """From the start of `start` to the end of `end`, local days, both included."""

    start: dt.date
    end: dt.date

    @property
    def start_at(self) -> datetime:
        return day_start(self.start)

    @property
    def end_at(self) -> datetime:
        """The first instant after the period."""
        return day_start(self.end + dt.timedelta(days=1))

    @property
    def before(self) -> Period:
        """Everything before the period (for what it carries over)."""
        return Period(BEGINNING, self.start - dt.timedelta(days=1))

    @property
    def up_to_end(self) -> Period:
        return Period(BEGINNING, self.end)


def day_start(day: dt.date) -> datetime:
    return timezone.make_aware(datetime.combine(day, dt.time.min))


def month_end(day: dt.date) -> dt.date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def month_period(day: dt.date) -> Period:
    return Period(day.replace(day=1), month_end(day))


def months_back(day: dt.date, count: int) -> list[dt.date]:
    """The first days of the `count` months ending with `day`'s month, oldest first."""
    months = []
    year, month = day.year, day.month
    for _index in range(count):
        months.append(dt.date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return months[::-1]


def cover_q(period: Period) -> Q:
    """Summary rows that add up to exactly `period`: whole months read month rows, the
    ragged ends day rows. An empty period matches nothing."""
    if period.end < period.start:
        return Q(pk__in=[])
    first_month = (
        period.start if period.start.day == 1 else month_end(period.start) + dt.timedelta(days=1)
    )
    last_month_end = (
        period.end
        if period.end == month_end(period.end)
        else period.end.replace(day=1) - dt.timedelta(days=1)
    )
    if first_month > last_month_end:
        return Q(grain=Grain.DAY, period__gte=period.start, period__lte=period.end)
    return (
        Q(grain=Grain.MONTH, period__gte=first_month, period__lte=last_month_end)
        | Q(grain=Grain.DAY, period__gte=period.start, period__lt=first_month)
        | Q(grain=Grain.DAY, period__gt=last_month_end, period__lte=period.end)
    )


def period_parse(
    *, start: str | dt.date | None, end: str | dt.date | None, today: dt.date | None = None
) -> Period:
    """A period from request parameters; the current month by default."""
    today = today or timezone.localdate()

    def parse(value: str | dt.date | None, field: str) -> dt.date | None:
        if value in (None, ""):
            return None
        if isinstance(value, dt.date):
            value = value.isoformat()
        try:
            return date_parse(value, field)
        except BadParameter as exc:
            raise ValidationError({field: exc.message}) from None

    start_day = parse(start, "from")
    end_day = parse(end, "to")
    if start_day is None and end_day is None:
        return month_period(today)
    if start_day is None:
        assert end_day is not None
        start_day = end_day.replace(day=1)
    if end_day is None:
        end_day = month_end(start_day)
    if end_day < start_day:
        raise ValidationError({"to": _("Ngày kết thúc phải sau ngày bắt đầu.")})
    if (end_day - start_day).days > MAX_DAYS or start_day < BEGINNING:
        raise ValidationError({"from": _("Khoảng thời gian quá dài.")})
    return Period(start_day, end_day)
