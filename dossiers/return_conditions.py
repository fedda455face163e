"""What must be settled before a result is handed back, declared by the apps built on dossiers.

The dossier core does not know fees (payments sits above it), yet a result must not be handed
back while the applicant still owes one. An app above registers a ReturnCondition in its
AppConfig.ready:

    outstanding(dossier)            -> a ReturnCharge (what is owed, in words), or None
    take(dossier=, actor=, at=)     records that it was taken at the counter, in the return's
                                    own transaction, the dossier row locked

The return action (dossiers.services.returning.dossier_return) and its form (ReturnForm: the
tick box "take it in the same step", shown with the amount) consult the registered conditions:
an outstanding charge refuses the return unless the officer ticks the box, and then the charge
is taken and the result returned together, or neither.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from dossiers.models import Dossier


@dataclass(frozen=True)
class ReturnCharge:
    """Something the applicant owes before receiving the result."""

    amount_vnd: int
    # The tick box's text, e.g. "Thu phí, lệ phí tại quầy khi trả kết quả: 50.000 đồng".
    label: str
    # Why the return is refused while it is not taken.
    refusal: str


@dataclass(frozen=True)
class ReturnCondition:
    name: str
    outstanding: Callable[[Dossier], ReturnCharge | None]
    take: Callable[..., Any]


_CONDITIONS: dict[str, ReturnCondition] = {}


def return_condition_register(condition: ReturnCondition) -> None:
    """Declare a condition (once per name: a second ready() replaces, never duplicates)."""
    _CONDITIONS[condition.name] = condition


def return_charges(*, dossier: Dossier) -> list[tuple[ReturnCondition, ReturnCharge]]:
    """What is still owed on `dossier`, condition by condition."""
    found = []
    for condition in _CONDITIONS.values():
        charge = condition.outstanding(dossier)
        if charge is not None:
            found.append((condition, charge))
    return found


def return_conditions_meet(*, dossier: Dossier, actor: Any, at: datetime, take: bool) -> bool:
    """Refuse the return (ValidationError on `take_fee`) while a charge is owed and not taken;
    take every owed charge when the officer said so. The caller holds the dossier's lock and
    its transaction: a failure afterwards rolls the taking back too. True when something was
    taken."""
    owed = return_charges(dossier=dossier)
    if not owed:
        return False
    if not take:
        raise ValidationError(
            {"take_fee": [charge.refusal for _condition, charge in owed]}, code="unpaid"
        )
    for condition, _charge in owed:
        condition.take(dossier=dossier, actor=actor, at=at)
    if return_charges(dossier=dossier):  # a condition that does not settle itself
        raise ValidationError({"take_fee": _("Chưa ghi nhận được khoản phải nộp.")})
    return True
