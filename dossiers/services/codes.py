"""Dossier codes: <agency e-ID>-<YYMMDD>-<daily sequence>, gap-free per agency and day."""

from __future__ import annotations

from datetime import datetime

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from dossiers.models import DailySequence
from procedures.models import Unit


def dossier_code_next(*, unit: Unit, at: datetime) -> str:
    """Take the next number of `unit`'s sequence for the local day of `at`.

    Runs inside the caller's transaction: the sequence row stays locked until it commits, so
    concurrent receptions queue up and a rolled-back one leaves no gap.
    """
    if not unit.e_id:
        raise ValueError(f"unit {unit.code} has no electronic ID and cannot receive dossiers")
    day = timezone.localtime(at).date()
    try:
        with transaction.atomic():
            DailySequence.objects.get_or_create(unit=unit, day=day)
    except IntegrityError:
        pass  # another transaction created the row first; the update below queues behind it
    DailySequence.objects.filter(unit=unit, day=day).update(last_value=F("last_value") + 1)
    value = DailySequence.objects.get(unit=unit, day=day).last_value
    return f"{unit.e_id}-{day:%y%m%d}-{value:04d}"
