"""Who may see a dossier, and who may do what to it. Every officer page, download and API call
goes through here.

Scope: an officer sees the dossiers received by, or being handled in, one of their units; a
leader, a reporting officer or an administrator of a unit also sees every unit below it (a
district leader sees the communes). Out of scope is 404 (never reveal another unit's dossier);
in scope but the wrong role is 403.
"""

from __future__ import annotations

from collections.abc import Iterable
from contextvars import ContextVar
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from dossiers.actions import ACTIONS, OfficerAction
from dossiers.models import Dossier
from portal.exceptions import NotAllowed
from portal.models import Membership, Role
from procedures.models import Unit
from procedures.selectors import unit_descendant_ids

AnyUser = AbstractBaseUser | AnonymousUser

# Roles whose scope extends to every unit below their own.
WIDE_ROLES: frozenset[str] = frozenset({Role.LEADER, Role.REPORTING, Role.ADMIN})

# What officers may do besides the actions on a dossier (dossiers.actions.ACTIONS).
PERMISSIONS: dict[str, frozenset[str]] = {
    # Every officer sees the dossiers of their units; leader and reporting officers only read.
    "view": frozenset(Role.values),
    # Reception at the counter or from the post.
    "create": frozenset({Role.DESK, Role.ADMIN}),
    # A second supplement request by the same agency (one per agency otherwise).
    "override_supplement": frozenset({Role.HEAD, Role.ADMIN}),
}


def permission_roles(action: str) -> frozenset[str]:
    """The roles that may do `action`: a declared action on a dossier, or a PERMISSIONS entry."""
    declared = ACTIONS.get(action)
    return declared.roles if declared is not None else PERMISSIONS[action]


def officer_unit_roles(*, user: AnyUser) -> dict[int, set[str]]:
    """Unit id → the roles the user holds there (wide roles spread to the units below).

    A superuser is an administrator of every unit. Read once per request (a page asks
    several times: scope, queues, unit lists); outside a request, read each time.
    """
    if not user.is_authenticated:
        return {}
    memo = _request_memo.get()
    if memo is None:
        return _officer_unit_roles(user)
    if user.pk not in memo:
        memo[user.pk] = _officer_unit_roles(user)
    return memo[user.pk]


# officer_unit_roles of the request being served: started and ended by Django's request
# signals (connected in DossiersConfig.ready).
_request_memo: ContextVar[dict[Any, dict[int, set[str]]] | None] = ContextVar(
    "officer_unit_roles", default=None
)


def request_memo_start(**kwargs: Any) -> None:
    _request_memo.set({})


def request_memo_end(**kwargs: Any) -> None:
    _request_memo.set(None)


def _officer_unit_roles(user: AnyUser) -> dict[int, set[str]]:
    if getattr(user, "is_superuser", False):
        return {pk: {Role.ADMIN} for pk in Unit.objects.values_list("pk", flat=True)}
    result: dict[int, set[str]] = {}
    for membership in Membership.objects.filter(user=user).select_related("unit"):
        ids = (
            {membership.unit_id}
            if membership.role not in WIDE_ROLES
            else unit_descendant_ids(unit=membership.unit)
        )
        for pk in ids:
            result.setdefault(pk, set()).add(membership.role)
    return result


def officer_unit_ids(*, user: AnyUser) -> set[int]:
    """Every unit whose dossiers the user may see."""
    return set(officer_unit_roles(user=user))


def officer_dossiers(*, user: AnyUser) -> QuerySet[Dossier]:
    """The dossiers in the user's scope (received by or handled in one of their units)."""
    ids = officer_unit_ids(user=user)
    return Dossier.objects.filter(Q(unit_id__in=ids) | Q(handling_unit_id__in=ids))


def officer_roles_for(*, user: AnyUser, dossier: Dossier) -> set[str]:
    """The roles the user holds over this dossier (through its receiving or handling unit)."""
    roles = officer_unit_roles(user=user)
    return roles.get(dossier.unit_id, set()) | roles.get(dossier.handling_unit_id, set())


def officer_can(*, user: AnyUser, dossier: Dossier, action: str) -> bool:
    return bool(officer_roles_for(user=user, dossier=dossier) & permission_roles(action))


def officer_available_actions(*, user: AnyUser, dossier: Dossier) -> list[OfficerAction]:
    """The actions the user's roles allow on the dossier and its state allows now."""
    roles = officer_roles_for(user=user, dossier=dossier)
    return [a for a in ACTIONS.values() if roles & a.roles and a.available(dossier)]


def officer_assert_can(*, user: AnyUser, dossier: Dossier, action: str) -> None:
    """Raise NotAllowed (403) unless the user's roles over the dossier allow `action`."""
    if not officer_can(user=user, dossier=dossier, action=action):
        raise NotAllowed(
            _("Bạn không có quyền thực hiện thao tác này với hồ sơ."), extra={"action": action}
        )


def officer_assert_unit_role(*, user: AnyUser, unit: Unit, roles: Iterable[str]) -> None:
    """Raise NotAllowed unless the user holds one of `roles` in `unit` (e.g. to receive)."""
    if not officer_unit_roles(user=user).get(unit.pk, set()) & set(roles):
        raise NotAllowed(_("Bạn không có quyền thực hiện thao tác này tại đơn vị đã chọn."))


def dossier_get_for_officer(*, user: AnyUser, code: str, action: str = "view") -> Dossier:
    """The dossier `code` if the user may see it (else Http404) and do `action` (else 403)."""
    dossier = (
        officer_dossiers(user=user)
        .filter(code=code)
        .select_related("procedure", "procedure__field", "unit", "handling_unit", "assigned_to")
        .first()
    )
    if dossier is None:
        raise Http404(_("Không tìm thấy hồ sơ."))
    officer_assert_can(user=user, dossier=dossier, action=action)
    return dossier
