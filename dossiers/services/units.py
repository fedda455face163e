"""Closing a unit: from the day after `valid_to` its successor carries on its open dossiers."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dossiers.models import Dossier
from dossiers.services.core import dossier_record, person_name
from portal.models import AuditLog
from procedures.models import Unit
from procedures.units import unit_close_check

S = Dossier.Status
#: A dossier in one of these states is finished: nothing of it is handed over.
FINISHED = frozenset({S.REFUSED, S.STOPPED, S.RETURNED})


# Not durable: the admin's unit form calls it inside the admin's own transaction.
@transaction.atomic
def unit_close(
    *,
    unit: Unit,
    last_day: dt.date,
    successor: Unit,
    actor: AbstractBaseUser | None = None,
    at: dt.datetime | None = None,
) -> int:
    """Close `unit` after `last_day` and hand its open dossiers to `successor`.

    Every unfinished dossier the unit handles moves to the successor (the receiving unit and
    the dossier code stay, they are history), each with an event "unit_closed" in its chain.
    Returns how many dossiers were handed over. The one writer of a closing: the command
    close_unit and the admin's unit form both call it (procedures.units.unit_close_check
    says first whether the closing is allowed).
    """
    at = at or timezone.now()
    unit_close_check(unit=unit, last_day=last_day, successor=successor)
    locked = Unit.objects.select_for_update().get(pk=unit.pk)
    locked.valid_to, locked.successor = last_day, successor
    locked.full_clean(validate_unique=False)
    locked.save(update_fields=["valid_to", "successor"])
    moved: list[int] = []
    open_ids = (
        Dossier.objects.filter(handling_unit=locked)
        .exclude(status__in=FINISHED)
        .values_list("pk", flat=True)
    )
    for pk in list(open_ids):
        dossier = Dossier.objects.select_for_update().get(pk=pk)
        dossier.handling_unit, dossier.assigned_to = successor, None
        dossier.save(update_fields=["handling_unit", "assigned_to", "updated_at"])
        # The listening apps hear of it (reports count dossiers by handling unit too).
        dossier_record(
            dossier=dossier,
            kind="unit_closed",
            actor=actor,
            actor_label=person_name(actor) or "unit_close",
            at=at,
            note=_("%(unit)s thôi hoạt động; %(successor)s tiếp tục giải quyết hồ sơ.")
            % {"unit": locked.name, "successor": successor.name},
            details={"from_unit": locked.code, "to_unit": successor.code},
        )
        moved.append(pk)
    AuditLog.objects.create(
        actor=actor,
        action="unit_close",
        target=locked.code,
        details={
            "valid_to": last_day.isoformat(),
            "successor": successor.code,
            "dossiers": len(moved),
        },
    )
    return len(moved)
