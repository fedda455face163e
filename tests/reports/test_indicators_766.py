"""Decision 766 as specified: expectations computed by hand from the formulas."""

from __future__ import annotations

import datetime as dt

import pytest

from citizens.models import Rating
from dossiers.models import Dossier, SupplementRequest
from dossiers.services.core import dossier_create, dossier_transition
from reports.models import DossierFact
from reports.selectors.indicators import BY_KEY, GRADES, Scorecard, indicator_points
from reports.selectors.indicators import indicators_compute as compute
from reports.selectors.periods import Period
from reports.summary_rebuild import summaries_rebuild
from tests.reports.conftest import APPLICANT, at, receive, resolve

OCT = Period(at("2020-10-01").date(), at("2020-10-31").date())
LATER = at("2026-01-01")  # long after October 2020: the period has ended


def _card(commune, district, *, now=LATER, period=OCT):
    cards, _overall = compute(
        period=period, units=[commune], scope={district.pk, commune.pk}, now=now
    )
    return {i.key: i for i in cards[0].indicators}


@pytest.fixture
def on_time(commune, certified_contract, officer):
    """Received Monday 5/10/2020 09:00 (due two working days later), resolved the next day."""
    dossier = receive(certified_contract, commune, at("2020-10-05"), actor=officer)
    return resolve(dossier, at("2020-10-06"))


def test_an_open_overdue_dossier_lowers_2_1_and_5_4(
    commune, district, certified_contract, officer, on_time
):
    alone = _card(commune, district)
    assert (alone["2.1"].rate_pct, alone["2.1"].points) == (100.0, 20.0)
    assert (alone["5.4"].rate_pct, alone["5.4"].points) == (100.0, 6.0)

    open_one = receive(certified_contract, commune, at("2020-10-05"), actor=officer)
    assert open_one.due_at == at("2020-10-07")  # never finished: 24 days overdue at the end
    card = _card(commune, district)
    # Handled: 2 (one finished, one open at the end); late: the open one.
    assert (card["2.1"].numerator, card["2.1"].denominator) == (1, 2)
    assert (card["2.1"].rate_pct, card["2.1"].points) == (50.0, 10.0)  # 50 × 20 ÷ 100
    # 100 % − (50 % overdue + 0 % dislike) = 50 %, below the 90 % threshold: 50 × 6 ÷ 90.
    assert (card["5.4"].rate_pct, card["5.4"].points) == (50.0, 3.33)


def test_an_open_dossier_not_yet_due_is_on_time_while_the_period_runs(
    commune, district, certified_contract, officer, on_time
):
    receive(certified_contract, commune, at("2020-10-05"), actor=officer)  # due 7/10 09:00
    card = _card(commune, district, now=at("2020-10-06", 15))
    assert card["2.1"].rate_pct == 100.0
    card = _card(commune, district, now=at("2020-10-07", 10))  # an hour past its due time
    assert card["2.1"].rate_pct == 50.0


def test_two_supplement_requests_make_a_dossier_late(commune, district, officer, on_time):
    for day in ("2020-10-05", "2020-10-06"):
        SupplementRequest.objects.create(
            dossier=on_time, unit=commune, requested_by=officer, requested_at=at(day), reason="x"
        )
    card = _card(commune, district)
    assert (card["2.1"].numerator, card["2.1"].denominator, card["2.1"].rate_pct) == (0, 1, 0.0)
    assert card["2.1"].points == 0.0
    # Satisfaction counts the overdue and the disliked only: still 100 %.
    assert card["5.4"].rate_pct == 100.0


def test_one_supplement_request_is_not_late(commune, district, officer, on_time):
    SupplementRequest.objects.create(
        dossier=on_time,
        unit=commune,
        requested_by=officer,
        requested_at=at("2020-10-05"),
        reason="x",
    )
    assert _card(commune, district)["2.1"].rate_pct == 100.0


def test_a_dislike_lowers_satisfaction(commune, district, on_time):
    Rating.objects.create(dossier=on_time, score=Rating.Score.DISSATISFIED)
    card = _card(commune, district)
    assert (card["5.4"].numerator, card["5.4"].denominator, card["5.4"].rate_pct) == (0, 1, 0.0)
    assert card["2.1"].rate_pct == 100.0


def test_no_base_or_no_data_is_na_with_a_reason_never_100(commune, district):
    card = _card(commune, district)  # no dossier at all
    for key in ("2.1", "5.4", "3.3", "4.2", "1.1", "1.4", "4.4", "5.1"):
        assert card[key].rate_pct is None, key
        assert card[key].points is None, key
        assert card[key].reason, key


def test_online_provision_from_the_catalogue(
    commune, district, birth_registration, certified_contract
):
    card = _card(commune, district)
    # Two procedures in force at Mường Khoa, one of level 3: 50 % of the 80 % threshold.
    assert (card["3.1"].numerator, card["3.1"].denominator) == (1, 2)
    assert card["3.1"].points == round(50 * 4 / 80, 2)
    # One procedure with a fee (level 2): not payable online.
    assert (card["3.5"].numerator, card["3.5"].denominator, card["3.5"].points) == (0, 1, 0.0)
    # Published with steps, documents and channels but without their applicants: incomplete.
    assert (card["1.3"].numerator, card["1.3"].denominator) == (0, 2)
    birth_registration.applicants = "Công dân Việt Nam"
    birth_registration.save()
    assert _card(commune, district)["1.3"].numerator == 1


def test_the_threshold_rule_and_the_grades():
    spec = BY_KEY["3.3"]  # 4 points, full at 50 %
    assert indicator_points(spec, 50.0) == 4.0
    assert indicator_points(spec, 80.0) == 4.0
    assert indicator_points(spec, 25.0) == 2.0
    assert indicator_points(spec, None) is None
    grades = [(floor, str(label)) for floor, label, _c in GRADES]
    assert grades[0] == (90, "Xuất sắc")
    assert grades[-1] == (0, "Yếu")
    assert "Khá" in {label: floor for floor, label in grades}
    card = Scorecard("x", "x")
    assert card.score is None
    assert card.grade == "—"


def test_resolved_on_its_due_day_after_the_due_time_is_late_for_2_1_only(
    commune, district, certified_contract, officer
):
    dossier = receive(certified_contract, commune, at("2020-10-05"), actor=officer)
    assert dossier.due_at == at("2020-10-07")  # 09:00
    resolve(dossier, at("2020-10-07", 15))  # six hours after the due time, the same date
    fact = DossierFact.objects.get(dossier=dossier)
    assert (fact.finish, fact.finished_late) == (DossierFact.Finish.ON_TIME, True)
    card = _card(commune, district)
    # 2.1 compares times: 0 of 1 on time; 5.4 = 100 % − 100 % overdue = 0 %.
    assert (card["2.1"].numerator, card["2.1"].denominator, card["2.1"].rate_pct) == (0, 1, 0.0)
    assert card["5.4"].rate_pct == 0.0
    # The rebuild from the dossiers alone finds the same fact.
    assert summaries_rebuild(unit_ids=[commune.pk]).facts_fixed == 0


def _online(procedure, unit, received, *, verified, actor):
    """An online dossier whose applicant's account was (or was not) verified by VNeID."""
    dossier, _key = dossier_create(
        procedure=procedure,
        unit=unit,
        channel="online",
        applicant=APPLICANT,
        at=received - dt.timedelta(hours=1),
    )
    Dossier.objects.filter(pk=dossier.pk).update(applicant_vneid_verified=verified)
    dossier.refresh_from_db()
    return dossier_transition(dossier=dossier, to=Dossier.Status.RECEIVED, actor=actor, at=received)


def test_4_5_counts_the_received_dossiers_of_vneid_verified_accounts(
    commune, district, birth_registration, officer
):
    card = _card(commune, district)
    assert (card["4.5"].rate_pct, card["4.5"].points) == (None, None)  # nothing received
    assert card["4.5"].reason
    _online(birth_registration, commune, at("2020-10-05"), verified=True, actor=officer)
    _online(birth_registration, commune, at("2020-10-06"), verified=False, actor=officer)
    receive(birth_registration, commune, at("2020-10-07"), actor=officer)  # at the counter
    # Received in September, still open in October: handled, but not received in October.
    _online(birth_registration, commune, at("2020-09-28"), verified=True, actor=officer)
    card = _card(commune, district)
    # 1 of the 3 received in October: 33.3 %, full at 100 %: 33.3 × 4 ÷ 100 = 1.33 points.
    assert (card["4.5"].numerator, card["4.5"].denominator) == (1, 3)
    assert (card["4.5"].rate_pct, card["4.5"].points, card["4.5"].reason) == (33.3, 1.33, "")
    assert summaries_rebuild(unit_ids=[commune.pk]).facts_fixed == 0
