"""The closed unit of the tests: the 2020 commune closed on 30/06/2025 into its new centre
(the fixture `successor` in tests/conftest.py)."""

from __future__ import annotations

import datetime as dt

from procedures.models import Unit

#: The last day of the 2020 units (the two-level government starts on 01/07/2025).
CLOSED_ON = dt.date(2025, 6, 30)


def close(unit: Unit, successor: Unit) -> None:
    """Close `unit` after CLOSED_ON into `successor` without handing dossiers over (the
    state of a unit closed earlier); `dossiers.services.units.unit_close` does the hand-over."""
    Unit.objects.filter(pk=unit.pk).update(valid_to=CLOSED_ON, successor=successor)
    unit.refresh_from_db()
