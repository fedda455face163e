"""The demo history reproduces the letter's appendix for October 2020."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.conf import settings

from dossiers.models import Dossier
from dossiers.services.events import event_chain_verify
from portal.demo import officers_seed
from procedures.models import Unit
from procedures.services import calendar_overrides_load, procedures_import, units_load
from reports.access import HANDLING, report_units_default
from reports.demo import LETTER_CSV, MARK, demo_history_seed, letter_rows
from reports.exports import appendix_csv, appendix_xlsx
from reports.links import APPENDIX_LINKS, II06A_LINKS
from reports.reconcile import BREAKS_SUM, DIFFERS, hand_made_read, reconcile
from reports.selectors.appendix import ADDITIVE, COLUMNS, appendix_compute
from reports.selectors.drilldown import drilldown_dossiers
from reports.selectors.evaluation import CRITERIA, officer_scorecards, units_evaluate
from reports.selectors.ii06a import ii06a_compute
from reports.selectors.indicators import indicators_compute
from reports.selectors.periods import Period
from reports.summary_rebuild import summaries_rebuild

DATA = Path(settings.BASE_DIR) / "procedures" / "data"
OCTOBER = Period(dt.date(2020, 10, 1), dt.date(2020, 10, 31))
# The cells where the letter's table disagrees with itself, so no set of dossiers can give
# its figure: Trung Đồng's level split (57 + 8 = 65, not its 68 received; the 3 unsplit
# dossiers are level 2 in the data), hence the total row's level 2; the board's rate, "0"
# where the base is 0 (the rule says "—").
INCONSISTENT = {("5", "l2_received"), ("total", "l2_received"), ("3", "resolution_rate_pct")}


def _value(text: str):
    return float(text) if "." in text else int(text)


@pytest.fixture
def demo(db):
    units_load(path=DATA / "demo_units.json")
    calendar_overrides_load(path=DATA / "calendar_overrides.json")
    assert procedures_import(path=DATA / "demo_procedures.json").ok
    officers_seed()
    return demo_history_seed()


def test_the_october_2020_appendix_equals_the_letter_in_every_consistent_cell(demo):
    scope = set(Unit.objects.values_list("pk", flat=True))
    appendix = appendix_compute(
        period=OCTOBER, units=report_units_default(scope=scope), scope=scope
    )
    letter = letter_rows()
    assert [r.stt for r in appendix.rows] == [int(r["stt"]) for r in letter]
    compared = 0
    for row, expected in zip(appendix.rows, letter, strict=True):
        for column in COLUMNS:
            if (expected["stt"], column) in INCONSISTENT:
                continue
            assert row.values[column] == _value(expected[column]), (row.unit_name, column)
            compared += 1
    for column in ADDITIVE:
        if ("total", column) in INCONSISTENT:
            continue
        assert appendix.total.values[column] == sum(_value(r[column]) for r in letter), column
    assert appendix.total.values["procedures_total"] == 364
    assert compared == 11 * 18 - 2
    # What the inconsistent cells hold instead.
    trung_dong = appendix.rows[4].values
    assert trung_dong["l2_received"] == 60
    assert trung_dong["received_total"] == 68
    assert appendix.rows[2].values["resolution_rate_pct"] is None


def test_it_is_idempotent_and_its_history_is_sound(demo):
    assert demo == 1907 + 6
    count = Dossier.objects.count()
    assert demo_history_seed() == 0
    assert Dossier.objects.count() == count
    assert summaries_rebuild().ok
    for dossier in Dossier.objects.filter(idempotency_key__startswith=MARK)[:40]:
        assert event_chain_verify(dossier=dossier) == []


def test_reconciling_finds_trung_dong_in_the_letter_and_nothing_in_an_export(demo):
    scope = set(Unit.objects.values_list("pk", flat=True))
    rows = hand_made_read(name="phu-luc.csv", content=LETTER_CSV.read_bytes())
    findings = {
        (f.unit, f.column, f.problem): f for f in reconcile(rows=rows, period=OCTOBER, scope=scope)
    }
    level_split = findings[("03605", "received_total", BREAKS_SUM)]
    assert (level_split.reported, level_split.computed) == (68, 65)
    assert findings[("03605", "l2_received", DIFFERS)].computed == 60
    assert findings[("111-BQLDA", "resolution_rate_pct", DIFFERS)].reported == 0
    assert findings[("111-BQLDA", "resolution_rate_pct", BREAKS_SUM)].computed is None
    assert len(findings) == 4, sorted(findings)

    # The appendix the system exports, read back, has nothing to report.

    appendix = appendix_compute(
        period=OCTOBER, units=report_units_default(scope=scope), scope=scope
    )
    for name, content in (("a.xlsx", appendix_xlsx(appendix)), ("a.csv", appendix_csv(appendix))):
        rows = hand_made_read(name=name, content=content)
        assert len(rows) == 12  # 11 units and the total row
        assert reconcile(rows=rows, period=OCTOBER, scope=scope) == []


def test_october_2020_scorecards_766_and_evaluations(demo):
    scope = set(Unit.objects.values_list("pk", flat=True))
    cards, overall = indicators_compute(
        period=OCTOBER, units=report_units_default(scope=scope), scope=scope
    )
    by_key = {i.key: i for i in overall.indicators}
    assert by_key["3.3"].numerator == 6
    assert by_key["3.3"].denominator == 1907
    # 2.1 judges the dossiers finished in October and those still open at its end.
    appendix = appendix_compute(
        period=OCTOBER, units=report_units_default(scope=scope), scope=scope
    )
    finished = sum(appendix.total.values[c] for c in ("resolved_l2", "resolved_l3", "resolved_l4"))
    assert finished == 1158 + 657 + 53
    assert by_key["2.1"].denominator == finished + appendix.total.values["unresolved"]
    assert by_key["4.2"].rate_pct == 0
    assert overall.score is not None
    board = cards[2]
    assert board.unit_code == "111-BQLDA"
    assert {i.key: i.points for i in board.indicators}["2.1"] is None

    # The 18-point evaluation of units and the officers' scorecards of the month.

    evaluations = units_evaluate(
        period=OCTOBER, units=report_units_default(scope=scope), scope=scope
    )
    than_thuoc = evaluations[10]
    assert than_thuoc.dossiers == 466 + 113
    assert all(0 <= than_thuoc.averages[key] <= 2 for key, _label in CRITERIA)  # all nine
    assert 0 < than_thuoc.score <= 18
    assert evaluations[2].score is None  # the board finished nothing
    cards = officer_scorecards(month=dt.date(2020, 10, 1), scope=scope)
    assert sum(c.resolved for c in cards) == 1158 + 657 + 53
    assert all(c.on_time_rate_pct is None or 0 <= c.on_time_rate_pct <= 100 for c in cards)


def test_every_linked_figure_lists_exactly_its_dossiers(demo):
    scope = set(Unit.objects.values_list("pk", flat=True))
    units = report_units_default(scope=scope)
    appendix = appendix_compute(period=OCTOBER, units=units, scope=scope)
    ii06a = ii06a_compute(period=OCTOBER, units=units, scope=scope)
    checked = 0
    for unit, row, ii_row in zip(units, appendix.rows, ii06a.rows, strict=True):
        if unit.code not in ("111-TNTKQ", "03605", "03622", "03604"):
            continue
        for table, values in ((APPENDIX_LINKS, row.values), (II06A_LINKS, ii_row.values)):
            for column, (metric, filters) in table.items():
                listed = drilldown_dossiers(
                    metric=metric, period=OCTOBER, unit_ids={unit.pk}, **filters
                ).count()
                assert listed == values[column], (unit.code, column)
                checked += 1
    assert checked == 4 * (len(APPENDIX_LINKS) + len(II06A_LINKS))


def test_a_departments_appendix_counts_the_dossiers_it_handled(demo):
    scope = set(Unit.objects.values_list("pk", flat=True))
    office = Unit.objects.get(code="111-TP")  # Phòng Tư pháp
    by_receiving = appendix_compute(period=OCTOBER, units=[office], scope=scope)
    assert by_receiving.rows[0].values["received_total"] == 0  # it receives nothing itself
    handled = Dossier.objects.filter(
        handling_unit=office, received_at__gte=OCTOBER.start_at, received_at__lt=OCTOBER.end_at
    )
    assert handled.count() > 0
    row = appendix_compute(period=OCTOBER, units=[office], scope=scope, role=HANDLING).rows[0]
    assert row.values["received_total"] == handled.count()
    # Every dossier has one handling unit: by handling unit, the district adds up the same.
    units = report_units_default(scope=scope)
    receiving_total = appendix_compute(period=OCTOBER, units=units, scope=scope).total
    handling_units = report_units_default(scope=scope, role=HANDLING)
    handling_total = appendix_compute(
        period=OCTOBER, units=handling_units, scope=scope, role=HANDLING
    ).total
    for column in ("received_total", "backlog", "unresolved"):
        assert handling_total.values[column] == receiving_total.values[column], column
