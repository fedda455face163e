"""Due times through the services, against hand-computed expectations."""

from __future__ import annotations

import pytest

from dossiers.deadlines import dossier_is_late
from dossiers.services import actions
from dossiers.services.core import dossier_create
from tests.dossiers.conftest import APPLICANT, S, counter_dossier, vn


@pytest.mark.parametrize(
    ("received", "due"),
    [
        # Wed 16:00 before 30/4 (Thu) and 1/5 (Fri) 2026: 60 min Wed, 480 Mon 4/5, 420 Tue.
        (vn(2026, 4, 29, 16, 0), vn(2026, 5, 5, 16, 0)),
        # During lunch: the clock starts at 13:30 (210 + 480 + 270 minutes).
        (vn(2026, 3, 2, 12, 0), vn(2026, 3, 4, 11, 30)),
        # After closing: starts Tuesday 07:00, two full days.
        (vn(2026, 3, 2, 18, 0), vn(2026, 3, 4, 17, 0)),
        # Before opening on a Saturday: starts Monday 07:00.
        (vn(2026, 3, 7, 9, 0), vn(2026, 3, 10, 17, 0)),
        # Before Lunar New Year 2026 (16-20 Feb): Fri 13/2 10:00 → Mon 23/2 then Tue 24/2 10:00.
        (vn(2026, 2, 13, 10, 0), vn(2026, 2, 24, 10, 0)),
    ],
)
def test_two_working_days_at_the_counter(received, due, certified_contract, commune, officer):
    assert counter_dossier(certified_contract, commune, officer, received).due_at == due


@pytest.mark.parametrize(
    ("received", "due"),
    [
        (vn(2026, 3, 2, 14, 59), vn(2026, 3, 2, 17, 0)),
        (vn(2026, 3, 2, 15, 30), vn(2026, 3, 3, 17, 0)),  # the 15:00 rule
        (vn(2026, 4, 29, 15, 30), vn(2026, 5, 4, 17, 0)),  # ... across 30/4 and 1/5
    ],
)
def test_same_day_procedures(received, due, birth_registration, commune, officer):
    assert counter_dossier(birth_registration, commune, officer, received).due_at == due


def test_online_dossier_clock_starts_at_reception_not_submission(
    birth_registration, commune, officer
):
    dossier, _ = dossier_create(
        procedure=birth_registration,
        unit=commune,
        channel="online",
        applicant=APPLICANT,
        at=vn(2026, 3, 1, 20, 0),
    )
    assert dossier.due_at is None
    dossier = actions.dossier_receive(dossier=dossier, actor=officer, at=vn(2026, 3, 2, 15, 1))
    assert dossier.due_at == vn(2026, 3, 3, 17, 0)


def test_a_payment_pause_moves_the_due_time(certified_contract, commune, officer, specialist):
    dossier = counter_dossier(certified_contract, commune, officer, vn(2026, 3, 2, 7, 0))
    assert dossier.due_at == vn(2026, 3, 3, 17, 0)
    actions.dossier_request_payment(
        dossier=dossier, actor=specialist, amount_vnd=50_000, at=vn(2026, 3, 2, 10, 0)
    )
    # Paused Mon 10:00 → Wed 10:00: 300 + 480 + 180 = 960 working minutes.
    dossier = actions.dossier_confirm_payment(
        dossier=dossier, actor=officer, method="cash", at=vn(2026, 3, 4, 10, 0)
    )
    assert dossier.status == S.PROCESSING
    assert dossier.due_at == vn(2026, 3, 5, 17, 0)
    assert dossier.paused_at is None


def test_a_supplement_pause_moves_the_due_time_and_late_is_judged_at_the_pause(
    certified_contract, commune, officer, specialist
):
    from dossiers.services.core import dossier_transition

    dossier = counter_dossier(certified_contract, commune, officer, vn(2026, 3, 2, 7, 0))
    actions.dossier_request_supplement(
        dossier=dossier,
        actor=specialist,
        reason="Thiếu",
        document_ids=[certified_contract.documents.first().pk],
        at=vn(2026, 3, 3, 16, 0),
    )
    dossier.refresh_from_db()
    assert dossier.paused_at == vn(2026, 3, 3, 16, 0)
    # A week later the clock has not run: not late.
    assert not dossier_is_late(dossier, at=vn(2026, 3, 10, 9, 0))
    # Answered Friday 13:30 (Tue 16:00-17:00 + Wed + Thu + Fri morning = 60+960+270 = 1290).
    dossier = dossier_transition(
        dossier=dossier, to=S.PROCESSING, actor=None, at=vn(2026, 3, 6, 13, 30)
    )
    # Due Tue 3/3 17:00 + 1290 min → Fri 6/3 ... : Wed 480, Thu 480, Fri 270+60 = 1290.
    assert dossier.due_at == vn(2026, 3, 6, 14, 30)
