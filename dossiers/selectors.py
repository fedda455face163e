"""Reads for the officers' workbench and API: queues, counts, filtered lists, one dossier.

Every list here runs a constant number of queries whatever the number of dossiers: the
lateness and due-soon filters are computed in SQL from a per-unit threshold (the units in scope
are few), and related rows are joined or prefetched.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cached_property
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import Count, F, Prefetch, Q, QuerySet
from django.db.models.functions import Collate
from django.db.models.lookups import Contains
from django.utils import timezone

from dossiers.access import officer_dossiers, officer_unit_ids
from dossiers.deadlines import ACK_LIMIT_MINUTES, dossier_ack_overdue
from dossiers.models import (
    ACTIVE_STATES,
    OPEN_STATES,
    Apology,
    Dossier,
    DossierEvent,
    DossierFile,
    Handover,
    SupplementRequest,
)
from portal.models import Role
from procedures import clock
from procedures.calendar import unit_office_hours, work_calendar
from procedures.models import Channel, Unit
from procedures.text import fold

S = Dossier.Status

RUNNING_STATES = (S.RECEIVED, S.PROCESSING, S.WITHDRAWAL_REQUESTED)


@dataclass(frozen=True)
class Queue:
    slug: str
    label: str


def queues() -> list[Queue]:
    from django.utils.translation import gettext as _

    return [
        Queue("reception", _("Chờ tiếp nhận")),
        Queue("due_soon", _("Sắp đến hạn")),
        Queue("late", _("Quá hạn")),
        Queue("processing", _("Đang xử lý")),
        Queue("supplement", _("Chờ bổ sung")),
        Queue("payment", _("Chờ thanh toán")),
        Queue("withdrawal", _("Xin rút hồ sơ")),
        Queue("to_return", _("Chờ trả kết quả")),
        Queue("all", _("Tất cả")),
    ]


# The queues that need each role now, most urgent first: the workbench opens on the first one
# holding a dossier. A desk receives and returns; a handling office works against the clock.
QUEUES_BY_ROLE: dict[str, tuple[str, ...]] = {
    Role.DESK: ("reception", "late", "due_soon", "to_return", "withdrawal", "payment"),
    Role.SPECIALIST: ("late", "due_soon", "processing", "supplement", "payment"),
    Role.HEAD: ("late", "due_soon", "processing", "supplement", "payment"),
    Role.ADMIN: ("reception", "late", "due_soon", "to_return", "processing"),
}


def queue_default(*, roles: set[str], counts: dict[str, int]) -> str:
    """The queue the officer's roles need now: the first non-empty one, else every dossier."""
    wanted = [slug for role in sorted(roles) for slug in QUEUES_BY_ROLE.get(role, ())]
    return next((slug for slug in wanted if counts.get(slug)), "all")


def late_q(*, at: datetime) -> Q:
    """Open and past the due time; while paused, judged at the moment the pause began."""
    running = Q(status__in=OPEN_STATES, paused_at__isnull=True, due_at__lt=at)
    paused = Q(status__in=OPEN_STATES, paused_at__isnull=False, due_at__lt=F("paused_at"))
    return running | paused


def due_soon_q(*, at: datetime) -> Q:
    """Running, not late, and due within one working day on the receiving unit's hours.

    The clock runs on the hours of the unit that received the dossier, whichever unit handles
    it now; units sharing office hours (most do) share one threshold, so the filter holds one
    condition per distinct set of hours, not one per unit.
    """
    calendar = work_calendar()
    hours_of: dict[clock.OfficeHours, list[int]] = {}
    for unit in Unit.objects.filter(e_id__isnull=False).only(
        "pk", "morning_start", "morning_end", "afternoon_start", "afternoon_end"
    ):
        hours_of.setdefault(unit_office_hours(unit), []).append(unit.pk)
    q = Q(pk__in=[])
    for hours, unit_ids in hours_of.items():
        limit = clock.add_working_minutes(at, hours.minutes_per_day, hours=hours, calendar=calendar)
        q |= Q(unit_id__in=unit_ids, due_at__gte=at, due_at__lte=limit)
    return Q(status__in=RUNNING_STATES, paused_at__isnull=True) & q


def queue_q(*, slug: str, at: datetime) -> Q:
    if slug == "reception":
        return Q(status=S.SUBMITTED)
    if slug == "due_soon":
        return due_soon_q(at=at)
    if slug == "late":
        return late_q(at=at)
    if slug == "processing":
        return Q(status__in=(S.RECEIVED, S.PROCESSING))
    if slug == "supplement":
        return Q(status=S.SUPPLEMENT_REQUESTED)
    if slug == "payment":
        return Q(status=S.AWAITING_PAYMENT)
    if slug == "withdrawal":
        return Q(status=S.WITHDRAWAL_REQUESTED)
    if slug == "to_return":
        return Q(status=S.RESOLVED)
    return Q()


# "All" is an archive, not a queue: counted up to this many, shown as "more than".
ALL_COUNT_CAP = 10_000


def queue_counts(
    *, user: AbstractBaseUser | AnonymousUser, at: datetime | None = None
) -> dict[str, int]:
    """Counts of every queue for the user's scope: one aggregate over the active dossiers,
    and "all" counted up to ALL_COUNT_CAP + 1."""
    at = at or timezone.now()
    scope = officer_dossiers(user=user)
    aggregates = {
        q.slug: Count("status", filter=queue_q(slug=q.slug, at=at))
        for q in queues()
        if q.slug != "all"
    }
    # Counting `status` (never null), not the id: every column read is in the partial index
    # dossier_active_queues, so the counts are an index-only scan.
    counts = scope.filter(status__in=ACTIVE_STATES).aggregate(**aggregates)
    counts["all"] = scope.order_by()[: ALL_COUNT_CAP + 1].count()
    return counts


class CappedPaginator(Paginator):
    """Counts at most ALL_COUNT_CAP + 1 rows: past that, "more than" and no last page."""

    @cached_property
    def count(self) -> int:
        return self.object_list.order_by()[: ALL_COUNT_CAP + 1].count()


def dossier_page(qs: QuerySet[Dossier], *, number: Any, per_page: int = 25) -> Page:
    """One page of `qs`: the page's ids chosen on the dossier rows alone (an index walk or a
    narrow sort), then those dossiers with their related rows, in the same order."""
    ordered_ids = qs.values_list("pk", flat=True)
    page = CappedPaginator(ordered_ids, per_page).get_page(number)
    if page.paginator.count <= per_page:
        # One page holds every match: read them all, with no LIMIT, for PostgreSQL walks the
        # order index hoping for an early match under any LIMIT (reading a whole province's
        # dossiers for a search that matches few or none); nothing to read for none.
        ids = list(ordered_ids)[:per_page] if page.paginator.count else []
    else:
        # A full page's LIMIT: a LIMIT as small as the count walks the order index as well.
        start = (page.number - 1) * per_page
        ids = list(ordered_ids[start : start + per_page])
    found = qs.model.objects.select_related(
        "procedure", "unit", "handling_unit", "assigned_to"
    ).in_bulk(ids)
    page.object_list = [found[pk] for pk in ids if pk in found]
    return page


# A scope of at most this many units is searched by name through its own dossiers (the unit
# indexes), the names tested row by row; a wider one through the names' trigram index, unless
# the name is so common that reading rows costs less (names_read_row_by_row). Common words
# ("nguyen", "van") match a large part of a province: walking their trigrams for a commune's
# search cost seconds, where the commune's own rows cost tens of milliseconds.
NARROW_SCOPE_UNITS = 20
_DIGITS = re.compile(r"[\d\s.+-]+")
# Reading one dossier and testing its name costs about as much as this many entries of the
# trigram index gathered and checked (measured at 1,000,000 dossiers, docs/BENCHMARKS.md).
ROW_COST_IN_INDEX_ENTRIES = 2.5


def dossier_search_q(search: str, *, row_by_row: bool) -> Q:
    """Digits are a code, a phone or an ID number (any part of them); anything else is a
    code or the applicant's name (or organisation), its words in any order, folded. The name
    is tested `row_by_row` or read through its trigram index; the answer is the same."""
    found = Q(code__icontains=search)
    if _DIGITS.fullmatch(search):
        number = re.sub(r"[\s.]", "", search)  # "0912 345 678" is written with spaces
        return (
            found | Q(applicant_phone__icontains=number) | Q(applicant_id_number__icontains=number)
        )
    name = Q()
    for word in fold(search).split():
        name &= (
            Q(Contains(_name_unindexed(), word)) if row_by_row else Q(search_text__contains=word)
        )
    return found | name


def _name_unindexed() -> Collate | F:
    """The folded name as an expression its trigram index does not cover, for a row-by-row
    test: under the "C" collation in PostgreSQL (LIKE compares the same characters under any
    deterministic collation, and the planner keeps the column's statistics: with them it walks
    the order index for a common name's page rather than starting workers to look for a rare
    one); the column itself elsewhere, where no trigram index exists."""
    if connection.vendor == "postgresql":
        return Collate("search_text", "C")
    return F("search_text")


def names_read_row_by_row(search: str) -> bool:
    """Whether a wide scope's name search reads the dossiers row by row (newest first for a
    page, in any order up to the count's cap) rather than through the names' trigram index.

    The index finds the dossiers holding every word of three letters or more ("le", "an" or
    "5" hold no trigram) and each is then checked; with common words that is most of a
    province before the first is checked. Reading rows stops at the cap, sooner the more
    dossiers match. Both sizes are the planner's estimates (PostgreSQL, the only database
    with the index); the cheaper way is taken.
    """
    words = fold(search).split()
    if connection.vendor != "postgresql" or not words or _DIGITS.fullmatch(search):
        return False
    indexed = [word for word in words if len(word) >= 3]
    if not indexed:
        return True  # nothing the index can read
    return rows_cheaper_than_index(
        total=_planned_rows(Dossier.objects.all()),
        matching=_planned_rows(_names_containing(words)),
        gathered=_planned_rows(_names_containing(indexed)),
    )


def rows_cheaper_than_index(*, total: float, matching: float, gathered: float) -> bool:
    """Reading rows until ALL_COUNT_CAP of `matching` dossiers are found (every row when fewer
    match) against gathering and checking the index's `gathered` candidates."""
    read = total if matching <= ALL_COUNT_CAP else total * ALL_COUNT_CAP / matching
    return ROW_COST_IN_INDEX_ENTRIES * read < gathered


def _names_containing(words: list[str]) -> QuerySet[Dossier]:
    qs = Dossier.objects.all()
    for word in words:
        qs = qs.filter(search_text__contains=word)
    return qs


def _planned_rows(qs: QuerySet[Dossier]) -> float:
    """The rows PostgreSQL's planner expects `qs` to return (EXPLAIN: nothing is read)."""
    plan = json.loads(qs.order_by().explain(format="json"))
    return float((plan[0] if isinstance(plan, list) else plan)["Plan"]["Plan Rows"])


def dossier_list(
    *,
    user: AbstractBaseUser | AnonymousUser,
    queue: str = "all",
    status: str = "",
    overdue: bool | None = None,
    due_before: datetime | None = None,
    unit: str = "",
    search: str = "",
    procedure: str = "",
    at: datetime | None = None,
) -> QuerySet[Dossier]:
    """The user's dossiers in a queue, filtered; related rows joined (constant queries)."""
    at = at or timezone.now()
    qs = officer_dossiers(user=user).filter(queue_q(slug=queue, at=at))
    if status:
        qs = qs.filter(status=status)
    if overdue is True:
        qs = qs.filter(late_q(at=at))
    elif overdue is False:
        qs = qs.exclude(late_q(at=at))
    if due_before is not None:
        qs = qs.filter(due_at__lt=due_before)
    if unit:
        qs = qs.filter(Q(unit__code=unit) | Q(handling_unit__code=unit))
    if procedure:
        qs = qs.filter(procedure__code=procedure)
    search = search.strip()
    if search:
        row_by_row = len(officer_unit_ids(user=user)) <= NARROW_SCOPE_UNITS
        row_by_row = row_by_row or names_read_row_by_row(search)
        qs = qs.filter(dossier_search_q(search, row_by_row=row_by_row))
    qs = qs.select_related("procedure", "unit", "handling_unit", "assigned_to")
    if queue in {"due_soon", "late"}:
        return qs.order_by("due_at", "-id")
    return qs.order_by("-submitted_at", "-id")


def dossier_flags(
    dossiers: list[Dossier], *, at: datetime, calendar: clock.WorkCalendar
) -> list[Dossier]:
    """Mark each dossier `is_late`, `is_due_soon`, `ack_overdue` (no query per dossier)."""
    from dossiers.deadlines import dossier_is_due_soon, dossier_is_late

    for d in dossiers:
        d.is_late = dossier_is_late(d, at=at)
        d.is_due_soon = dossier_is_due_soon(
            d,
            at=at,
            calendar=calendar,
        )
        d.ack_overdue = dossier_ack_overdue(
            dossier=d,
            at=at,
            calendar=calendar,
        )
    return dossiers


def dossier_detail(*, dossier: Dossier) -> Dossier:
    """One dossier with everything its page and API answer show, prefetched."""
    return (
        Dossier.objects.filter(pk=dossier.pk)
        .select_related("procedure", "procedure__field", "unit", "handling_unit", "assigned_to")
        .prefetch_related(
            Prefetch("files", queryset=DossierFile.objects.select_related("document")),
            Prefetch(
                "events", queryset=DossierEvent.objects.select_related("actor").order_by("seq")
            ),
            Prefetch(
                "handovers",
                queryset=Handover.objects.select_related(
                    "from_unit", "to_unit", "from_user", "to_user"
                ),
            ),
            Prefetch(
                "supplement_requests",
                queryset=SupplementRequest.objects.select_related(
                    "unit", "requested_by", "override_by"
                ).prefetch_related("documents"),
            ),
            "shipments",
            "payments",
            "procedure__documents",
        )
        .get()
    )


def dossier_apology_or_none(dossier: Dossier) -> Apology | None:
    return Apology.objects.filter(dossier=dossier).select_related("signed_by").first()


def register_rows(
    *, unit_ids: set[int], field_id: int | None, start: datetime, end: datetime
) -> QuerySet[Dossier]:
    """Mẫu 06: dossiers received in [start, end) by the units, for one field of work."""
    qs = Dossier.objects.filter(
        Q(unit_id__in=unit_ids) | Q(handling_unit_id__in=unit_ids),
        received_at__gte=start,
        received_at__lt=end,
    )
    if field_id:
        qs = qs.filter(procedure__field_id=field_id)
    return qs.select_related("procedure", "procedure__field", "unit", "handling_unit").order_by(
        "received_at", "id"
    )


# 8 working hours always fit in this many days (the longest run of days off, Tết with its
# weekends, is 9-10 days; a province's own day off may touch it): an online dossier waiting
# longer is overdue without counting its working hours.
ACK_SURELY_OVERDUE = timedelta(days=14)
_MICROSECOND = timedelta(microseconds=1)


def ack_overdue_since(
    *, at: datetime, hours: clock.OfficeHours, calendar: clock.WorkCalendar
) -> datetime | None:
    """The latest submission of the last fortnight that dossier_ack_overdue finds overdue at
    `at` on these office hours (None when none is): every submission up to it is, none after.

    The working minutes between a submission and `at` only shrink as the submission moves
    later, so the boundary is found by halving the fortnight down to the microsecond (about 40
    steps), and the dossiers are then compared with it in SQL rather than one by one.
    """

    def overdue(submitted: datetime) -> bool:
        waited = clock.working_minutes_between(submitted, at, hours=hours, calendar=calendar)
        return waited > ACK_LIMIT_MINUTES

    # 8 hours hold at most 8 working hours: the upper end is never overdue.
    late, early = at - ACK_SURELY_OVERDUE, at - timedelta(hours=8)
    if not overdue(late):
        return None
    while early - late > _MICROSECOND:
        middle = late + (early - late) / 2
        if overdue(middle):
            late = middle
        else:
            early = middle
    return late


def ack_overdue_q(*, at: datetime) -> Q:
    """Online dossiers still submitted after 8 working hours on their receiving unit's office
    hours (dossier_ack_overdue, same answer): those of more than a fortnight surely, the recent
    ones against one boundary per distinct set of hours (most units share one)."""
    calendar = work_calendar()
    units_of: dict[clock.OfficeHours, list[int]] = {}
    for unit in Unit.objects.only(
        "pk", "morning_start", "morning_end", "afternoon_start", "afternoon_end"
    ):
        units_of.setdefault(unit_office_hours(unit), []).append(unit.pk)
    recent = Q(pk__in=[])
    for hours, unit_ids in units_of.items():
        since = ack_overdue_since(at=at, hours=hours, calendar=calendar)
        if since is None:
            continue
        # One set of hours for every unit: no unit to tell apart.
        here = Q(unit_id__in=unit_ids) if len(units_of) > 1 else Q()
        recent |= here & Q(submitted_at__gte=at - ACK_SURELY_OVERDUE, submitted_at__lte=since)
    return Q(status=S.SUBMITTED, channel=Channel.ONLINE) & (
        Q(submitted_at__lt=at - ACK_SURELY_OVERDUE) | recent
    )


def dossiers_awaiting_acknowledgement(*, handled: QuerySet[Dossier], at: datetime) -> list[Dossier]:
    """Online dossiers of `handled` still submitted after 8 working hours (dossier_ack_overdue),
    oldest first: the officers' digest."""
    overdue = handled.filter(ack_overdue_q(at=at)).order_by("submitted_at", "pk")
    return list(overdue.select_related("unit", "procedure"))


def dossiers_awaiting_acknowledgement_count(*, handled: QuerySet[Dossier], at: datetime) -> int:
    """How many: the workbench's warning (one count, no dossier read)."""
    return handled.filter(ack_overdue_q(at=at)).count()
