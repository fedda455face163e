"""Reads of the catalogue: units in force, procedures in force, search."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from procedures.collation import vietnamese_order
from procedures.models import Procedure, ProcedureChannel, ProcedureDocument, Unit
from procedures.search import procedure_search, procedure_search_ids


def in_force(*, on: dt.date | None = None) -> Q:
    on = on or timezone.localdate()
    return Q(effective_from__lte=on) & (Q(effective_to__isnull=True) | Q(effective_to__gte=on))


def procedure_list(
    *,
    search: str = "",
    level: int | None = None,
    unit: str = "",
    field: str = "",
    on: dt.date | None = None,
) -> QuerySet[Procedure]:
    """Procedures in force, filtered; `search` as people write it, best match first
    (procedures/search.py), otherwise the most requested first."""
    qs = Procedure.objects.filter(in_force(on=on))
    if level:
        qs = qs.filter(level=level)
    if unit:
        # A subquery, not a join: no duplicate rows, so no DISTINCT over the wide rows.
        qs = qs.filter(
            pk__in=Procedure.units.through.objects.filter(unit__code=unit).values("procedure_id")
        )
    if field:
        qs = qs.filter(Q(field__slug=field) | Q(field__name=field))
    qs = qs.order_by("-popularity", "code")
    if search.strip():
        qs = procedure_search(qs, text=search)
    return qs.select_related("field").prefetch_related(
        "units", Prefetch("channels", queryset=ProcedureChannel.objects.order_by("id"))
    )


def procedure_get(*, code: str, on: dt.date | None = None) -> Procedure | None:
    """The version of `code` in force on `on` (today by default)."""
    return (
        Procedure.objects.filter(in_force(on=on), code=code)
        .select_related("field")
        .prefetch_related(
            "units",
            "channels",
            Prefetch("documents", queryset=ProcedureDocument.objects.order_by("order", "id")),
        )
        .order_by("-effective_from")
        .first()
    )


def unit_open_on(*, on: dt.date | None = None) -> Q:
    """Units that exist on `on` (today by default): the same rule as Unit.is_open_on."""
    on = on or timezone.localdate()
    return Q(valid_from__lte=on) & (Q(valid_to__isnull=True) | Q(valid_to__gte=on))


def site_owner() -> Unit | None:
    """The authority the portal serves, named on every page: the unit of PORTAL_OWNER_UNIT,
    else the one top unit open today (a province since the 2025 reform). None when it is
    closed, unknown, or when several top units are open and the setting does not choose."""
    open_units = Unit.objects.filter(unit_open_on())
    if code := settings.PORTAL_OWNER_UNIT:
        return open_units.filter(code=code).first()
    roots = list(open_units.filter(parent=None)[:2])
    return roots[0] if len(roots) == 1 else None


def unit_list(*, on: dt.date | None = None, include_closed: bool = False) -> QuerySet[Unit]:
    """Units in force on `on`; with `include_closed`, every unit, history included."""
    qs = Unit.objects.all() if include_closed else Unit.objects.filter(unit_open_on(on=on))
    return (
        qs.select_related("parent", "successor")
        .prefetch_related("other_successors")
        .order_by("kind", "report_order", vietnamese_order("name"))
    )


def unit_descendant_ids(*, unit: Unit) -> set[int]:
    """The unit and every unit below it (a small tree: one query per level)."""
    ids = {unit.pk}
    frontier = {unit.pk}
    while frontier:
        frontier = set(Unit.objects.filter(parent_id__in=frontier).values_list("pk", flat=True))
        frontier -= ids
        ids |= frontier
    return ids


def procedure_page(
    qs: QuerySet[Procedure], *, search: str = "", number: Any, per_page: int = 15
) -> Page:
    """One page of the catalogue list, `search` as people write it, best match first. The
    ranking is the costly part: the matching ids are ranked once (a catalogue holds a few
    thousand procedures at most), counted here, and the page's rows loaded by id; a COUNT and
    a LIMIT would rank everything twice."""
    if not search.strip():
        return Paginator(qs, per_page).get_page(number)
    ids = procedure_search_ids(qs, text=search)
    page = Paginator(ids, per_page).get_page(number)
    rows = {p.pk: p for p in qs.filter(pk__in=list(page.object_list))}
    page.object_list = [rows[pk] for pk in page.object_list if pk in rows]
    return page
