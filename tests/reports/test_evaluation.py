"""The nine criteria of Circular 01/2018, each scored 0–2 from its own data."""

from __future__ import annotations

from citizens.models import Rating
from dossiers.models import Apology
from reports.selectors.evaluation import CRITERIA, SOURCES, units_evaluate
from reports.selectors.periods import Period
from tests.reports.conftest import at, receive, resolve

OCT = Period(at("2020-10-01").date(), at("2020-10-31").date())


def _feedback(commune, district):
    (evaluation,) = units_evaluate(period=OCT, units=[commune], scope={district.pk, commune.pk})
    return evaluation


def test_all_nine_criteria_are_scored_with_a_source(commune, district, certified_contract, officer):
    dossier = receive(certified_contract, commune, at("2020-10-05"), actor=officer)
    resolve(dossier, at("2020-10-06"))
    Rating.objects.create(dossier=dossier, score=Rating.Score.SATISFIED)  # attitude's data
    evaluation = _feedback(commune, district)
    assert len(CRITERIA) == 9
    assert set(SOURCES) == {key for key, _label in CRITERIA}
    assert all(evaluation.averages[key] is not None for key, _label in CRITERIA)
    assert evaluation.averages["feedback"] == 2  # on time: nothing to explain
    assert evaluation.available == 9


def test_a_late_dossier_scores_feedback_by_whether_the_unit_explained_in_time(
    commune, district, certified_contract, officer
):
    explained = receive(certified_contract, commune, at("2020-10-05"), actor=officer)
    silent = receive(certified_contract, commune, at("2020-10-05"), actor=officer)
    Apology.objects.create(
        dossier=explained,
        unit=commune,
        reason="x",
        original_due_at=explained.due_at,
        new_due_at=at("2020-10-12"),
        signed_by=officer,
        issued_at=at("2020-10-06"),
    )
    resolve(explained, at("2020-10-12"))
    resolve(silent, at("2020-10-12"))
    # One late dossier explained before its due time (1), one never explained (0).
    assert _feedback(commune, district).averages["feedback"] == 0.5
