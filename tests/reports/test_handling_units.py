"""Reports by handling unit: a department counts the dossiers it handles."""

from __future__ import annotations

import pytest
from django.urls import reverse

from dossiers.models import Dossier
from dossiers.services.core import dossier_transition
from reports.access import HANDLING, report_units_default
from reports.selectors.appendix import appendix_compute
from reports.selectors.dashboard import dashboard_compute
from reports.selectors.drilldown import drilldown_dossiers
from reports.selectors.ii06a import ii06a_compute
from reports.selectors.periods import Period
from reports.summary_rebuild import summaries_rebuild
from tests.reports.conftest import at, receive, resolve

OCT = Period(at("2020-10-01").date(), at("2020-10-31").date())
S = Dossier.Status


@pytest.fixture
def handed_over(desk, justice_office, certified_contract, district):
    """Two dossiers received at the district desk, one handed to Phòng Tư pháp, which
    resolves it late."""
    certified_contract.units.add(desk)
    kept = receive(certified_contract, desk, at("2020-10-05"))
    moved = receive(certified_contract, desk, at("2020-10-05", 10))
    moved = dossier_transition(
        dossier=moved,
        to=S.PROCESSING,
        actor=None,
        at=at("2020-10-05", 11),
        changes={"handling_unit": justice_office},
        notify=False,
    )
    resolve(moved, at("2020-10-20"))
    return kept, moved


def test_a_department_counts_the_dossiers_it_handles(desk, justice_office, district, handed_over):
    scope = {district.pk, desk.pk, justice_office.pk}
    by_desk = appendix_compute(period=OCT, units=[desk, justice_office], scope=scope)
    assert [r.values["received_total"] for r in by_desk.rows] == [2, 0]
    handling = appendix_compute(
        period=OCT, units=[desk, justice_office], scope=scope, role=HANDLING
    )
    assert [r.values["received_total"] for r in handling.rows] == [1, 1]
    assert [r.values["resolved_l2"] for r in handling.rows] == [0, 1]
    ii06a = ii06a_compute(period=OCT, units=[justice_office], scope=scope, role=HANDLING)
    assert ii06a.rows[0].values["resolved_late"] == 1
    assert summaries_rebuild().ok  # the rows kept event by event, handling unit included
    listed = drilldown_dossiers(
        metric="resolved", period=OCT, unit_ids={justice_office.pk}, role=HANDLING
    )
    assert [d.pk for d in listed] == [handed_over[1].pk]


def test_the_dashboard_shows_receiving_and_handling_units(
    desk, justice_office, district, handed_over, reporter, client
):
    scope = {district.pk, desk.pk, justice_office.pk}
    assert justice_office in report_units_default(scope=scope, role=HANDLING)
    board = dashboard_compute(month=OCT.start, units=[desk], scope=scope, now=at("2026-01-01"))
    assert board.kpis[0].received == 2
    handling = {k.code: k for k in board.handling}
    assert (handling[justice_office.code].received, handling[justice_office.code].resolved) == (
        1,
        1,
    )
    assert handling[desk.code].overdue == 1  # the one the desk kept, never resolved
    client.force_login(reporter)
    page = client.get(reverse("reports-dashboard"), {"thang": "2020-10"}).content.decode()
    assert "Theo đơn vị xử lý" in page
    assert justice_office.name in page
    response = client.get(reverse("reports-appendix"), {"from": "2020-10-01", "role": "handling"})
    assert response.status_code == 200
    rows = {r["row"].unit_code: r["row"].values for r in response.context["rows"]}
    assert rows[justice_office.code]["received_total"] == 1


def test_an_unknown_role_is_a_400(reporter, client, district):
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(reporter)
    response = api.get("/api/v1/reports/appendix/", {"role": "xu-ly"})
    assert response.status_code == 400
    assert "role" in response.json()
    client.force_login(reporter)
    assert client.get(reverse("reports-appendix"), {"role": "bogus"}).status_code == 400
