"""Across the 2025 reform a unit's figures can include its predecessors' (predecessors=1)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from dossiers.demo import province_2025_seed
from dossiers.models import Dossier
from portal.demo import officers_seed
from portal.models import Membership, Role
from procedures.models import Unit
from procedures.services import calendar_overrides_load, procedures_import, units_load
from reports.access import report_units_pick
from reports.demo import demo_history_seed
from reports.selectors.appendix import appendix_compute
from reports.selectors.dashboard import dashboard_compute
from reports.selectors.periods import Period, month_period
from reports.summary_rebuild import summaries_rebuild

DATA = Path(settings.BASE_DIR) / "procedures" / "data"
OCTOBER = Period(dt.date(2020, 10, 1), dt.date(2020, 10, 31))
OCT = {"from": "2020-10-01", "to": "2020-10-31"}
# Today's xã Mường Khoa was formed on 1 July 2025 from UBND xã Mường Khoa (03601) and UBND xã
# Phúc Khoa (03602), both closed into its public service centre. The letter's October 2020
# rows: Mường Khoa received 23 (18 resolved at level 2, 5 unresolved), Phúc Khoa 129 (27
# resolved at level 2, 97 at level 3, 5 unresolved); the new commune itself received nothing.
MUONG_KHOA = "12-03601"
WITH_PREDECESSORS = {
    "received_total": 23 + 129,
    "resolved_l2": 18 + 27,
    "resolved_l3": 0 + 97,
    "unresolved": 5 + 5,
}


@pytest.fixture
def reform(db):
    units_load(path=DATA / "demo_units.json")
    calendar_overrides_load(path=DATA / "calendar_overrides.json")
    assert procedures_import(path=DATA / "demo_procedures.json").ok
    officers_seed()
    demo_history_seed()
    province_2025_seed()


def _row(units):
    scope = set(Unit.objects.values_list("pk", flat=True))
    appendix = appendix_compute(period=OCTOBER, units=units, scope=scope)
    (row,) = appendix.rows
    return row


def test_a_commune_counts_its_two_closed_communes_only_with_predecessors(reform):
    scope = set(Unit.objects.values_list("pk", flat=True))
    widened = _row(report_units_pick(scope=scope, codes=[MUONG_KHOA], predecessors=True))
    for column, expected in WITH_PREDECESSORS.items():
        assert widened.values[column] == expected, column
    own = _row(report_units_pick(scope=scope, codes=[MUONG_KHOA]))
    assert [own.values[column] for column in WITH_PREDECESSORS] == [0, 0, 0, 0]


def test_the_communes_leader_sees_its_predecessors_only_through_it(reform):
    leader = get_user_model().objects.create_user(username="lanhdao.muongkhoa")
    Membership.objects.create(user=leader, unit=Unit.objects.get(code=MUONG_KHOA), role=Role.LEADER)
    api = APIClient()
    api.force_authenticate(leader)
    url = "/api/v1/reports/appendix/"
    widened = api.get(url, {**OCT, "unit": MUONG_KHOA, "predecessors": "1"})
    assert widened.status_code == 200
    assert widened.json()["rows"][0]["received_total"] == 152
    own = api.get(url, {**OCT, "unit": MUONG_KHOA})
    assert own.json()["rows"][0]["received_total"] == 0
    assert api.get(url, {**OCT, "unit": "03602"}).status_code == 404
    assert api.get(url, {**OCT, "predecessors": "maybe"}).status_code == 400


def test_the_appendix_page_has_the_checkbox_and_keeps_it_in_its_links(reform):
    leader = get_user_model().objects.create_user(username="lanhdao.muongkhoa")
    Membership.objects.create(user=leader, unit=Unit.objects.get(code=MUONG_KHOA), role=Role.LEADER)
    client = Client()
    client.force_login(leader)
    page = client.get(
        reverse("reports-appendix"), {**OCT, "unit": MUONG_KHOA, "predecessors": "on"}
    )
    assert page.status_code == 200
    html = page.content.decode()
    assert "Gồm đơn vị tiền nhiệm" in html
    assert 'name="predecessors"' in html
    assert page.context["appendix"].rows[0].values["received_total"] == 152
    assert "predecessors=1" in page.context["rows"][0]["links"]["received_total"]


DECEMBER_2026 = dt.date(2026, 12, 1)


def _province_board(*, month: dt.date, predecessors: bool = False):
    scope = set(Unit.objects.values_list("pk", flat=True))
    units = report_units_pick(
        scope=scope, codes=[], predecessors=predecessors, period=month_period(month)
    )
    return dashboard_compute(month=month, units=units, scope=scope, predecessors=predecessors)


def test_the_dashboard_of_a_month_after_the_reform_has_no_rows_of_units_closed_before_it(reform):
    board = _province_board(month=DECEMBER_2026)
    period = board.period
    for kpi in [*board.kpis, *board.handling]:
        unit = kpi.unit
        existed = unit.valid_to is None or unit.valid_to >= period.start
        assert existed or kpi.received or kpi.resolved or kpi.overdue, unit.code
    codes = {k.unit.code for k in board.kpis}
    assert "03601" not in codes  # UBND xã Mường Khoa, closed on 30/06/2025
    assert all(Unit.objects.get(code=code).is_open_on(period.end) for code in codes), codes
    assert len(codes) == 5, codes  # the province's and the four communes' service centres
    assert board.least_using
    assert all(item["unit"].is_open_on(period.end) for item in board.least_using)


def test_a_closed_unit_keeps_its_row_while_it_has_figures_and_the_total_keeps_them(reform):
    """The dossiers a closed unit received stay its own: a month in which they are resolved
    or overdue shows the unit's row, and the total counts them."""
    closed = Unit.objects.get(code="03602")
    assert closed.valid_to == dt.date(2025, 6, 30)
    dossier = Dossier.objects.filter(unit=closed).order_by("pk").first()
    Dossier.objects.filter(pk=dossier.pk).update(
        status=Dossier.Status.RETURNED,
        resolved_at=dt.datetime(2026, 12, 3, 9, tzinfo=dt.UTC),
    )
    summaries_rebuild()
    board = _province_board(month=DECEMBER_2026)
    row = next(k for k in board.kpis if k.unit.code == "03602")
    assert row.resolved == 1
    assert board.total.resolved == sum(k.resolved for k in board.kpis)


def test_the_october_2020_dashboard_keeps_the_districts_units(reform):
    board = _province_board(month=dt.date(2020, 10, 1))
    assert {"03601", "03602"} <= {k.unit.code for k in board.kpis}
    # Today's centres keep their rows (their predecessors may be counted in them), but
    # none of them, formed on 1/7/2025, is among the units that used the system least.
    assert "12-03601-TTPVHCC" in {k.unit.code for k in board.kpis}
    assert all(item["unit"].valid_to for item in board.least_using)


def test_a_report_of_a_period_after_the_reform_lists_the_units_of_that_period(reform):
    """The appendix and II.06a of December 2026 (pages, API, exports) number today's centres
    1 to 5 and leave out the 2020 district's units, closed with nothing left open."""
    leader = get_user_model().objects.create_user(username="lanhdao.tinh.moi")
    Membership.objects.create(user=leader, unit=Unit.objects.get(code="12"), role=Role.LEADER)
    api = APIClient()
    api.force_authenticate(leader)
    december = {"from": "2026-12-01", "to": "2026-12-31"}
    rows = api.get("/api/v1/reports/appendix/", december).json()["rows"]
    assert [r["stt"] for r in rows] == [1, 2, 3, 4, 5]
    assert all(r["unit_code"].endswith("TTPVHCC") for r in rows), rows
    ii06a = api.get("/api/v1/reports/ii06a/", december).json()["rows"]
    assert {r["unit_code"] for r in ii06a} == {r["unit_code"] for r in rows}
    october = api.get("/api/v1/reports/appendix/", OCT).json()["rows"]
    assert "111-TNTKQ" in {r["unit_code"] for r in october}


def test_the_unit_picker_lists_todays_units_first_and_the_closed_ones_as_history(reform):
    from reports.forms import PeriodForm

    scope = set(Unit.objects.values_list("pk", flat=True))
    choices = PeriodForm(scope=scope).fields["unit"].choices
    *today, (history, closed) = choices
    assert today
    assert all(Unit.objects.get(code=code).valid_to is None for code, _name in today)
    assert history == "Đơn vị đã thôi hoạt động"
    assert ("03601", "UBND xã Mường Khoa (đến 30/06/2025)") in closed
    assert all(Unit.objects.get(code=code).valid_to for code, _name in closed)
