"""A lawful extension: reason, legal basis, new due time, approver; the dossier is not late."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from dossiers.deadlines import dossier_is_late
from dossiers.models import DossierEvent, Extension
from dossiers.services.extensions import dossier_extend
from portal.exceptions import InvalidTransition, NotAllowed
from tests.dossiers.conftest import counter_dossier, online_dossier, vn

pytestmark = pytest.mark.django_db
BASIS = "Khoản 2 Điều 18 Luật Hộ tịch 2014"


@pytest.fixture
def contract_dossier(certified_contract, commune, officer):
    return counter_dossier(certified_contract, commune, officer, vn(2026, 3, 2, 9, 0))  # due 4/3


def test_an_extension_moves_the_legal_due_time_and_the_dossier_is_not_late(
    contract_dossier, supervisor
):
    extension = dossier_extend(
        dossier=contract_dossier,
        actor=supervisor,
        reason="Cần xác minh tình trạng hôn nhân",
        legal_basis=BASIS,
        new_due_at=vn(2026, 3, 11, 9, 0),
        at=vn(2026, 3, 3, 10, 0),
    )
    contract_dossier.refresh_from_db()
    assert contract_dossier.due_at == vn(2026, 3, 11, 9, 0)
    assert extension.previous_due_at == vn(2026, 3, 4, 9, 0)
    assert extension.approved_by == supervisor
    assert not dossier_is_late(contract_dossier, at=vn(2026, 3, 10, 9, 0))
    event = DossierEvent.objects.filter(dossier=contract_dossier).order_by("-seq").first()
    assert (event.kind, event.details["legal_basis"]) == ("extension", BASIS)


def test_only_the_head_approves_an_extension(contract_dossier, officer):
    with pytest.raises(NotAllowed):
        dossier_extend(
            dossier=contract_dossier,
            actor=officer,
            reason="x",
            legal_basis=BASIS,
            new_due_at=vn(2026, 3, 11, 9, 0),
        )


@pytest.mark.parametrize(
    ("reason", "basis", "new_due_at"),
    [
        ("", BASIS, vn(2026, 3, 11, 9, 0)),
        ("Xác minh", "", vn(2026, 3, 11, 9, 0)),
        ("Xác minh", BASIS, vn(2026, 3, 4, 8, 0)),  # not after the current due time
        ("Xác minh", BASIS, vn(2026, 3, 8, 9, 0)),  # a Sunday
    ],
)
def test_an_extension_needs_a_reason_a_basis_and_a_later_working_time(
    contract_dossier, supervisor, reason, basis, new_due_at
):
    with pytest.raises(ValidationError):
        dossier_extend(
            dossier=contract_dossier,
            actor=supervisor,
            reason=reason,
            legal_basis=basis,
            new_due_at=new_due_at,
        )
    assert Extension.objects.count() == 0


def test_a_dossier_not_yet_received_cannot_be_extended(birth_registration, commune, supervisor):
    dossier = online_dossier(birth_registration, commune)
    with pytest.raises(InvalidTransition):
        dossier_extend(
            dossier=dossier,
            actor=supervisor,
            reason="x",
            legal_basis=BASIS,
            new_due_at=vn(2030, 1, 2, 9, 0),
        )


def test_the_citizen_sees_the_extension(contract_dossier, supervisor):
    from citizens.selectors import dossier_status_document

    dossier_extend(
        dossier=contract_dossier,
        actor=supervisor,
        reason="Cần xác minh",
        legal_basis=BASIS,
        new_due_at=vn(2026, 3, 11, 9, 0),
        at=vn(2026, 3, 3, 10, 0),
    )
    contract_dossier.refresh_from_db()
    doc = dossier_status_document(dossier=contract_dossier, with_key=False)
    assert doc["extensions"] == [
        {
            "reason": "Cần xác minh",
            "legal_basis": BASIS,
            "previous_due_at": vn(2026, 3, 4, 9, 0),
            "new_due_at": vn(2026, 3, 11, 9, 0),
        }
    ]
    assert doc["due_at"] == vn(2026, 3, 11, 9, 0)
