"""A handling unit's queues: 'Sắp đến hạn' holds the dossiers it handles that are due soon,
on the receiving unit's hours (the clock's), not only those it received."""

from __future__ import annotations

import pytest

from dossiers.selectors import dossier_list, queue_counts
from dossiers.services import actions
from portal.models import Role
from tests.conftest import make_officer
from tests.dossiers.conftest import counter_dossier, vn

pytestmark = pytest.mark.django_db


def test_a_department_sees_its_due_soon_dossiers(
    certified_contract, commune, officer, justice_office
):
    dossier = counter_dossier(certified_contract, commune, officer, vn(2026, 3, 2, 9, 15))
    actions.dossier_transfer(dossier=dossier, actor=officer, to_unit=justice_office)
    clerk = make_officer("clerk", justice_office, Role.SPECIALIST)
    tomorrow = vn(2026, 3, 3, 10, 0)  # due Wed 4/3 09:15: within one working day
    assert queue_counts(user=clerk, at=tomorrow)["due_soon"] == 1
    assert [d.pk for d in dossier_list(user=clerk, queue="due_soon", at=tomorrow)] == [dossier.pk]
    assert queue_counts(user=clerk, at=vn(2026, 3, 2, 10, 0))["due_soon"] == 0
