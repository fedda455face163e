"""Who may read reports, and over which units.

Reports are for officers holding the leader or the reporting role (or administrators) in a
unit; their scope is that unit and every unit below it (dossiers.access spreads these wide
roles down the tree). A unit outside the scope is treated as not existing (404).

With `predecessors=1` a row also counts the units closed into its units across a reform
(procedures.units.unit_predecessor_ids): the predecessors of a unit the reader may see are
visible too, since their figures are that unit's history.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.http import Http404
from django.utils.translation import gettext as _

from dossiers.access import officer_unit_roles
from portal.exceptions import NotAllowed
from portal.models import Role
from portal.params import BadParameter
from procedures.models import Unit
from procedures.units import unit_predecessor_ids
from reports.selectors.periods import Period, period_parse
from reports.selectors.sums import FINISHED, period_sums

AnyUser = AbstractBaseUser | AnonymousUser
REPORT_ROLES: frozenset[str] = frozenset({Role.LEADER, Role.REPORTING, Role.ADMIN})

# A report counts dossiers under the unit that received them (the one-stop desk, a commune)
# or under the unit that handles them (a department, a commune committee): the column of the
# summary rows, dossier facts and dossiers that names that unit.
RECEIVING, HANDLING = "receiving", "handling"
UNIT_FIELDS: dict[str, str] = {RECEIVING: "unit_id", HANDLING: "handling_unit_id"}


def report_role_parse(value: str | None) -> str:
    """The unit role a request asks for: `role=receiving` (the default) or `role=handling`;
    anything else is a 400."""
    if value in (None, "", RECEIVING):
        return RECEIVING
    if value == HANDLING:
        return HANDLING
    raise BadParameter("role", _("Tham số role phải là receiving hoặc handling."))


def report_unit_ids(*, user: AnyUser) -> set[int]:
    """Units whose figures the user may read (empty: not a report reader)."""
    return {pk for pk, roles in officer_unit_roles(user=user).items() if roles & REPORT_ROLES}


def report_predecessors_parse(value: str | bool | None) -> bool:
    """Whether a request asks to include predecessors: `predecessors=1` (or true); absent, empty
    or 0 is no; anything else is a 400."""
    if value in (None, "", "0", "false", False):
        return False
    if value in ("1", "true", "on", True):
        return True
    raise BadParameter("predecessors", _("Tham số predecessors phải là 0 hoặc 1."))


def report_assert_reader(*, user: AnyUser) -> set[int]:
    """The user's report scope; NotAllowed (403) when they hold no report role."""
    ids = report_unit_ids(user=user)
    if not ids:
        raise NotAllowed(_("Chỉ lãnh đạo, cán bộ báo cáo hoặc quản trị được xem báo cáo."))
    return ids


def report_units_default(
    *, scope: set[int], role: str = RECEIVING, period: Period | None = None
) -> list[Unit]:
    """The rows of a report when none are asked for. By receiving unit: the reporting units
    in scope, in their report order; without any, every unit in scope that receives
    dossiers. By handling unit: every agency and commune in scope that can handle dossiers
    (it has an electronic ID), in report order then name. For a `period`, without the units
    that have nothing in it (`units_with_figures`)."""
    if role == HANDLING:
        units = list(
            Unit.objects.filter(pk__in=scope, kind__in=[Unit.Kind.AGENCY, Unit.Kind.COMMUNE])
            .exclude(e_id=None)
            .exclude(e_id="")
            .order_by("report_order", "name")
        )
    else:
        units = list(
            Unit.objects.filter(pk__in=scope, is_reporting_unit=True).order_by(
                "report_order", "name"
            )
        ) or list(
            Unit.objects.filter(pk__in=scope)
            .exclude(e_id=None)
            .exclude(e_id="")
            .order_by("report_order", "name")
        )
    if period is None:
        return units
    return units_with_figures(units=units, scope=scope, role=role, period=period)


def units_with_figures(
    *, units: list[Unit], scope: set[int], role: str, period: Period
) -> list[Unit]:
    """`units` without those closed before `period` began that have nothing in it: nothing
    received or resolved in the period and nothing carried over into it. A closed unit keeps
    the dossiers it received (they are history, closing hands over only their handling), so
    it keeps its row while any of them is still open; today's units keep theirs in the
    months before they were formed, where their predecessors may be counted."""
    closed = [u for u in units if u.valid_to is not None and u.valid_to < period.start]
    if not closed:
        return units
    mapping = unit_tree_map(units=closed, scope=scope)
    unit_field = UNIT_FIELDS[role]
    busy: set[int] = set()
    for span, figures in (
        (period, lambda item: item["received"] + sum(item[c] for c in FINISHED)),
        (period.before, lambda item: item["received"] - sum(item[c] for c in FINISHED)),
    ):
        for item in period_sums(
            period=span,
            unit_ids=mapping,
            group=(unit_field,),
            counters=("received", *FINISHED),
            unit_field=unit_field,
        ):
            if figures(item):
                busy.update(closed[i].pk for i in mapping[item[unit_field]])
    return [u for u in units if u not in closed or u.pk in busy]


def report_units_pick(
    *,
    scope: set[int],
    codes: Iterable[str],
    role: str = RECEIVING,
    predecessors: bool = False,
    period: Period | None = None,
) -> list[Unit]:
    """The units named by `codes` (comma-separated lists allowed), in report order, each
    marked with whether its row includes its predecessors (`report_predecessors`, read by
    unit_tree_map).

    No codes: the default rows for the role (in `period`). A code that does not exist or
    lies outside the scope: 404.
    """
    wanted = [c.strip() for code in codes for c in str(code).split(",") if c.strip()]
    if not wanted:
        picked = report_units_default(scope=scope, role=role, period=period)
    else:
        units = {u.code: u for u in Unit.objects.filter(code__in=wanted, pk__in=scope)}
        missing = [code for code in wanted if code not in units]
        if missing:
            raise Http404(_("Không tìm thấy đơn vị %(codes)s.") % {"codes": ", ".join(missing)})
        picked = sorted(units.values(), key=lambda u: (u.report_order, u.name))
    for unit in picked:
        unit.report_predecessors = predecessors
    return picked


def report_request_parse(
    *, scope: set[int], params: Mapping[str, Any], codes: Iterable[str]
) -> tuple[Period, list[Unit], str]:
    """The period (`from`, `to`), the rows (the unit `codes`, with `predecessors`) and the
    unit role (`role`) a report request asks for. The codes come apart from the other
    parameters: a query string repeats `unit`."""
    period = period_parse(start=params.get("from"), end=params.get("to"))
    role = report_role_parse(params.get("role"))
    units = report_units_pick(
        scope=scope,
        codes=codes,
        role=role,
        predecessors=report_predecessors_parse(params.get("predecessors")),
        period=period,
    )
    return period, units, role


def report_units_with_predecessors(units: list[Unit]) -> bool:
    """Whether the rows picked include their predecessors (for the links that repeat them)."""
    return any(getattr(unit, "report_predecessors", False) for unit in units)


def unit_tree_map(*, units: list[Unit], scope: set[int]) -> dict[int, list[int]]:
    """Unit id → indexes of the report rows it counts in.

    A row stands for its unit and every unit below it (a district row adds up its communes),
    limited to the reader's scope; a row picked with predecessors also stands for every unit
    closed into one of those.
    """
    children: dict[int | None, list[int]] = {}
    for pk, parent in Unit.objects.values_list("pk", "parent_id"):
        children.setdefault(parent, []).append(pk)
    mapping: dict[int, list[int]] = {}
    for index, unit in enumerate(units):
        stack = [unit.pk]
        seen: set[int] = set()
        while stack:
            pk = stack.pop()
            if pk in seen:
                continue
            seen.add(pk)
            if pk in scope:
                mapping.setdefault(pk, []).append(index)
            stack.extend(children.get(pk, []))
        if getattr(unit, "report_predecessors", False):
            for pk in unit_predecessor_ids(unit_ids=seen & scope):
                mapping.setdefault(pk, []).append(index)
    return mapping


def district_of(*, unit: Unit, parents: dict[int, tuple[int | None, str]]) -> int:
    """The district (or province) a unit belongs to: the scope of its procedure count."""
    pk: int | None = unit.pk
    while pk is not None:
        parent, kind = parents[pk]
        if kind in (Unit.Kind.DISTRICT, Unit.Kind.PROVINCE):
            return pk
        pk = parent
    return unit.pk


def is_report_reader(*, user: AnyUser) -> bool:
    return bool(report_unit_ids(user=user))


__all__ = [
    "HANDLING",
    "RECEIVING",
    "REPORT_ROLES",
    "UNIT_FIELDS",
    "district_of",
    "is_report_reader",
    "report_assert_reader",
    "report_predecessors_parse",
    "report_request_parse",
    "report_role_parse",
    "report_unit_ids",
    "report_units_default",
    "report_units_pick",
    "report_units_with_predecessors",
    "unit_tree_map",
]
