"""The reports API: JSON, CSV and XLSX, scope, errors, reconciliation, export jobs."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook
from rest_framework.test import APIClient

from tests.reports.conftest import at, receive, resolve
from tests.reports.test_views import OCT

BASE = "/api/v1/reports/"


@pytest.fixture
def api(reporter):
    client = APIClient()
    client.force_authenticate(reporter)
    return client


@pytest.fixture
def history(commune, other_commune, birth_registration, certified_contract, officer):
    first = receive(birth_registration, commune, at("2020-10-05"), actor=officer)
    receive(birth_registration, commune, at("2020-10-06"), channel="online")
    resolve(first, at("2020-10-05", 10))


def test_the_appendix_as_json_has_the_letters_column_names(api, history):
    response = api.get(BASE + "appendix/", OCT)
    assert response.status_code == 200
    body = response.json()
    assert (body["from"], body["to"]) == ("2020-10-01", "2020-10-31")
    first = body["rows"][0]
    assert first["unit_code"] == "03601"
    assert first["received_total"] == 2
    assert first["l3_received_online"] == 1
    assert first["resolution_rate_pct"] == 50.0
    assert body["rows"][1]["resolution_rate_pct"] is None
    assert body["total"]["received_total"] == 2


def test_the_appendix_as_csv_and_xlsx(api, history):
    csv_response = api.get(BASE + "appendix/", {**OCT, "format": "csv"})
    assert csv_response.status_code == 200
    assert csv_response["Content-Type"].startswith("text/csv")
    text = csv_response.content.decode("utf-8-sig")
    assert text.splitlines()[0].startswith("stt,unit_name,received_total,procedures_total")
    xlsx = api.get(BASE + "appendix/", {**OCT, "format": "xlsx"})
    assert xlsx.status_code == 200
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    merged = {str(r) for r in sheet.merged_cells.ranges}
    # The letter's header: two blocks over the figures, levels under "received".
    assert {"C5:L5", "M5:T5", "E6:L6", "E7:F7", "G7:I7", "J7:L7", "P6:R7"} <= merged
    assert sheet["C5"].value == "TÌNH HÌNH TRIỂN KHAI"
    assert sheet["B9"].value == "UBND xã Mường Khoa"
    assert sheet["C9"].value == 2


def test_ii06a_and_indicators(api, history):
    body = api.get(BASE + "ii06a/", {**OCT, "unit": "03601"}).json()
    row = body["rows"][0]
    assert row["received_total"] == row["resolved_total"] + row["in_progress_total"] == 2
    assert set(row) >= {
        "received_online",
        "received_counter_post",
        "carried_over",
        "resolved_early",
        "resolved_on_time",
        "resolved_late",
        "in_progress_within",
        "in_progress_overdue",
    }
    assert api.get(BASE + "ii06a/", {**OCT, "by": "field", "format": "xlsx"}).status_code == 200
    indicators = api.get(BASE + "indicators/", OCT).json()
    first = indicators["overall"]["indicators"][0]
    assert set(first) >= {
        "numerator",
        "denominator",
        "rate_pct",
        "threshold_pct",
        "points",
        "max_points",
    }
    assert indicators["overall"]["grade"]


def test_other_report_endpoints_answer(api, history):
    assert api.get(BASE + "evaluation/", OCT).status_code == 200
    assert api.get(BASE + "officers/", {"month": "2020-10"}).json()["officers"]
    assert api.get(BASE + "officers/", {"month": "10/2020"}).status_code == 400
    dashboard = api.get(BASE + "dashboard/", {"month": "2020-10"}).json()
    assert dashboard["total"]["received"] == 2
    assert len(dashboard["trends"]) == 12


def test_it_answers_401_403_404_and_400(officer, api, history):
    assert APIClient().get(BASE + "appendix/").status_code in (401, 403)
    desk = APIClient()
    desk.force_authenticate(officer)
    assert desk.get(BASE + "appendix/").status_code == 403
    assert api.get(BASE + "appendix/", {"unit": "nope"}).status_code == 404
    bad = api.get(BASE + "appendix/", {"from": "2020-13-01"})
    assert bad.status_code == 400
    assert "from" in bad.json()


def test_reconcile_returns_every_difference(api, history):
    content = (
        "stt,unit_name,received_total,l2_received,l3_received_direct,"
        "l3_received_online\n2,UBND xã Mường Khoa,5,0,1,1\n"
    ).encode()
    response = api.post(
        BASE + "reconcile/",
        {"file": SimpleUploadedFile("x.csv", content), **OCT},
        format="multipart",
    )
    assert response.status_code == 200
    found = {(f["unit"], f["column"], f["problem"]) for f in response.json()}
    assert ("03601", "received_total", "differs_from_data") in found
    assert ("03601", "received_total", "breaks_own_sum") in found
    missing = api.post(BASE + "reconcile/", OCT, format="multipart")
    assert missing.status_code == 400


def test_an_export_job_through_the_api(api, history, django_capture_on_commit_callbacks):
    from reports.services import export_build

    with django_capture_on_commit_callbacks():
        response = api.post(
            BASE + "exports/", {"kind": "appendix", "format": "xlsx", **OCT}, format="json"
        )
    assert response.status_code == 202
    job = response.json()
    assert (job["status"], job["download_url"]) == ("queued", None)
    export_build(job_id=job["id"])
    done = api.get(job["status_url"]).json()
    assert done["status"] == "done"
    assert api.get(done["download_url"]).status_code == 200
