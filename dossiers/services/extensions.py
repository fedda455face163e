"""A lawful extension of one dossier's time limit (DOMAIN §5).

Some procedures allow more time when their law says so (marriage registration when
verification is needed: up to 5 more working days; certification of many copies: a time
agreed with the applicant). The head of the handling unit approves it with the reason and
the legal basis; the legal due time moves, so the dossier is not late because of it. It is
shown to the citizen and printed on the slips.
"""

from __future__ import annotations

from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dossiers.access import officer_assert_can
from dossiers.actions import ACTIONS
from dossiers.deadlines import new_due_time_check
from dossiers.models import Dossier, Extension
from dossiers.services.core import dossier_lock_with_due, dossier_record


@transaction.atomic(durable=True)
def dossier_extend(
    *,
    dossier: Dossier,
    actor: AbstractBaseUser,
    reason: str,
    legal_basis: str,
    new_due_at: datetime,
    at: datetime | None = None,
) -> Extension:
    """Move the dossier's legal due time to `new_due_at`, recording who approved it and why."""
    officer_assert_can(user=actor, dossier=dossier, action="extend")
    at = at or timezone.now()
    reason, legal_basis = (reason or "").strip(), (legal_basis or "").strip()
    problems = {}
    if not reason:
        problems["reason"] = _("Vui lòng nêu lý do gia hạn.")
    if not legal_basis:
        problems["legal_basis"] = _("Vui lòng nêu căn cứ pháp lý cho phép gia hạn.")
    if problems:
        raise ValidationError(problems)
    locked = dossier_lock_with_due(
        ACTIONS["extend"],
        dossier=dossier,
        refusal=_("Hồ sơ đang ở trạng thái “%(state)s”, không thể gia hạn."),
    )
    new_due_time_check(locked, new_due_at=new_due_at, field="new_due_at")
    extension = Extension.objects.create(
        dossier=locked,
        reason=reason,
        legal_basis=legal_basis,
        previous_due_at=locked.due_at,
        new_due_at=new_due_at,
        approved_by=actor,
        approved_at=at,
    )
    locked.due_at = new_due_at
    locked.save(update_fields=["due_at", "updated_at"])
    # The listening apps (the report summaries: the due day moved) hear of it.
    dossier_record(
        dossier=locked,
        kind="extension",
        actor=actor,
        at=at,
        note=reason,
        details={
            "reason": reason,
            "legal_basis": legal_basis,
            "previous_due_at": extension.previous_due_at.isoformat(),
            "new_due_at": new_due_at.isoformat(),
        },
        context={"reason": reason},
    )
    return extension
