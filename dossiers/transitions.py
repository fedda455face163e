"""The moves a dossier may make, held as data: between states (DOMAIN.md §4) and between units.

Only `dossiers.services.core.dossier_transition` changes a dossier's status; it consults ALLOWED.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from dossiers.models import Dossier
from procedures.models import Unit

S = Dossier.Status

ALLOWED: dict[str, frozenset[str]] = {
    S.SUBMITTED: frozenset({S.RECEIVED, S.REFUSED, S.SUPPLEMENT_REQUESTED, S.WITHDRAWAL_REQUESTED}),
    S.RECEIVED: frozenset(
        {
            S.PROCESSING,
            S.SUPPLEMENT_REQUESTED,
            S.AWAITING_PAYMENT,
            S.RESOLVED,
            S.WITHDRAWAL_REQUESTED,
        }
    ),
    # processing -> processing is a transfer between offices or officers.
    S.PROCESSING: frozenset(
        {
            S.PROCESSING,
            S.SUPPLEMENT_REQUESTED,
            S.AWAITING_PAYMENT,
            S.RESOLVED,
            S.WITHDRAWAL_REQUESTED,
        }
    ),
    # A supplement answered before reception goes back to the desk (submitted); after
    # reception, back to processing.
    S.SUPPLEMENT_REQUESTED: frozenset({S.SUBMITTED, S.PROCESSING, S.WITHDRAWAL_REQUESTED}),
    S.AWAITING_PAYMENT: frozenset({S.PROCESSING, S.WITHDRAWAL_REQUESTED}),
    S.WITHDRAWAL_REQUESTED: frozenset({S.STOPPED}),
    S.RESOLVED: frozenset({S.RETURNED}),
    S.REFUSED: frozenset(),
    S.STOPPED: frozenset(),
    S.RETURNED: frozenset(),
}

# While in these states the deadline clock does not run (DOMAIN.md §5).
PAUSED: frozenset[str] = frozenset({S.SUPPLEMENT_REQUESTED, S.AWAITING_PAYMENT})
# A decision has been made or the dossier left the desk's hands for good.
FINAL: frozenset[str] = frozenset({S.REFUSED, S.STOPPED, S.RESOLVED, S.RETURNED})
# Reception has happened (the clock has started).
RECEIVED_STATES: frozenset[str] = frozenset(
    {
        S.RECEIVED,
        S.PROCESSING,
        S.SUPPLEMENT_REQUESTED,
        S.AWAITING_PAYMENT,
        S.WITHDRAWAL_REQUESTED,
        S.STOPPED,
        S.RESOLVED,
        S.RETURNED,
    }
)


def transfer_targets(*, dossier: Dossier) -> QuerySet[Unit]:
    """Where a dossier may be handed on: the receiving unit's parent (the district of a
    commune) and the units directly under it, offices and communes. Never the level above."""
    root = dossier.unit.parent or dossier.unit
    return Unit.objects.filter(Q(pk=root.pk) | Q(parent=root)).order_by("name")


def handling_unit_usual(*, dossier: Dossier) -> Unit | None:
    """The unit that handled this procedure's last dossier from the same receiving unit: where
    the desk usually hands such a dossier (the catalogue names who receives, not who handles)."""
    last = (
        Dossier.objects.filter(procedure__code=dossier.procedure.code, unit_id=dossier.unit_id)
        .exclude(pk=dossier.pk)
        .exclude(handling_unit_id=dossier.unit_id)
        .exclude(handling_unit__isnull=True)
        .order_by("-id")
        .values_list("handling_unit_id", flat=True)
        .first()
    )
    return Unit.objects.filter(pk=last).first() if last else None
