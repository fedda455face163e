"""An API error is JSON even when the request asked for a file format (?format=csv|xlsx)."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_bad_report_request_in_a_file_format_answers_json(client, leader, fmt):
    client.force_login(leader)
    response = client.get("/api/v1/reports/appendix/", {"format": fmt, "from": "2026-13-45"})
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["detail"]
    anonymous = client.logout() or client.get("/api/v1/reports/ii06a/", {"format": fmt})
    assert anonymous.status_code in (401, 403)
    assert anonymous["Content-Type"].startswith("application/json")
