"""The keyed look-up answers from a cached document, and never from a stale one."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from citizens.lookup import status_stamp_get
from dossiers.files import dossier_access_record
from dossiers.models import Dossier, DossierAccess
from dossiers.services import actions
from portal.redis_client import REDIS_CACHE
from procedures import clock
from procedures.calendar import unit_office_hours, work_calendar

pytestmark = pytest.mark.django_db


def look_up(client, dossier, key, **extra):
    return client.get(f"/api/v1/dossiers/{dossier.code}/status/", {"key": key}, **extra)


def queries_of(client, dossier, key) -> tuple[int, dict]:
    with CaptureQueriesContext(connection) as captured:
        response = look_up(client, dossier, key)
    assert response.status_code == 200, response.content
    return len(captured.captured_queries), response.json()


def test_a_repeated_look_up_reads_one_row_and_answers_the_same(client, dossier_and_key):
    dossier, key = dossier_and_key
    first_queries, first = queries_of(client, dossier, key)
    again_queries, again = queries_of(client, dossier, key)
    assert again == first
    assert first_queries > 1
    assert again_queries == 1  # the stamp; the document came from the cache


def test_every_change_the_citizen_sees_shows_at_once(client, dossier_and_key, officer):
    dossier, key = dossier_and_key
    assert look_up(client, dossier, key).json()["status"] == "submitted"
    dossier = actions.dossier_receive(dossier=dossier, actor=officer)
    body = look_up(client, dossier, key).json()
    assert body["status"] == "received"
    assert [h["status"] for h in body["history"]][-1] == "received"
    assert body["accesses"] == []
    dossier_access_record(dossier=dossier, user=officer, action=DossierAccess.Action.VIEW)
    assert len(look_up(client, dossier, key).json()["accesses"]) == 1
    doc = dossier.procedure.documents.first()
    actions.dossier_request_supplement(
        dossier=dossier, actor=officer, document_ids=[doc.pk], reason="Bản chụp bị mờ"
    )
    body = look_up(client, dossier, key).json()
    assert body["status"] == "supplement_requested"
    assert body["supplement_request"]["reason"] == "Bản chụp bị mờ"


def test_overdue_turns_with_the_clock_without_any_write(client, dossier_and_key, officer):
    dossier, key = dossier_and_key
    dossier = actions.dossier_receive(dossier=dossier, actor=officer)
    assert look_up(client, dossier, key).json()["overdue"] is False
    # A queryset update touches neither updated_at nor any event: only time moved on.
    Dossier.objects.filter(pk=dossier.pk).update(due_at=timezone.now() - timedelta(hours=1))
    assert look_up(client, dossier, key).json()["overdue"] is True


def test_a_cached_document_never_lets_a_wrong_or_locked_key_in(client, dossier_and_key):
    dossier, key = dossier_and_key
    assert look_up(client, dossier, key).status_code == 200  # now cached
    wrong = "A" * len(key) if key != "A" * len(key) else "B" * len(key)
    assert look_up(client, dossier, wrong).status_code == 403
    assert Dossier.objects.get(pk=dossier.pk).key_failures == 1
    # The right key again resets the count (the slow path), then serves the cache.
    assert look_up(client, dossier, key).status_code == 200
    assert Dossier.objects.get(pk=dossier.pk).key_failures == 0
    Dossier.objects.filter(pk=dossier.pk).update(
        key_locked_until=timezone.now() + timedelta(hours=1)
    )
    assert look_up(client, dossier, key).status_code == 403  # locked: as a wrong key


def test_each_language_has_its_own_document(client, dossier_and_key):
    dossier, key = dossier_and_key
    vi = look_up(client, dossier, key, HTTP_ACCEPT_LANGUAGE="vi").json()
    en = look_up(client, dossier, key, HTTP_ACCEPT_LANGUAGE="en").json()
    assert vi["status_label"] != en["status_label"]
    assert look_up(client, dossier, key, HTTP_ACCEPT_LANGUAGE="vi").json() == vi


def test_the_stamp_refuses_codes_that_cannot_exist(db):
    assert status_stamp_get(code="") is None
    assert status_stamp_get(code="X\x00Y") is None
    assert status_stamp_get(code="NOPE-260101-0001") is None


def _prepared_statements() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [row[0] for row in cursor.fetchall()]


def test_only_the_look_up_query_is_prepared(client, dossier_and_key):
    """A query PostgreSQL keeps prepared may run on a generic plan that ignores its
    parameters (a search's LIKE pattern among them): only the look-up's is prepared."""
    if connection.vendor != "postgresql":
        pytest.skip("prepared statements are PostgreSQL's")
    dossier, key = dossier_and_key
    for _ in range(7):
        assert look_up(client, dossier, key).status_code == 200
        assert Dossier.objects.filter(code__icontains=dossier.code[-6:]).exists()
    prepared = _prepared_statements()
    assert len(prepared) == 1
    assert "FROM dossiers_dossier d" in prepared[0]


def test_an_event_that_leaves_the_state_as_it_is_shows_at_once(
    client, dossier_and_key, officer, supervisor
):
    dossier, key = dossier_and_key
    dossier = actions.dossier_receive(dossier=dossier, actor=officer)
    assert look_up(client, dossier, key).json()["apology"] is None  # now cached
    before = Dossier.objects.values_list("updated_at", flat=True).get(pk=dossier.pk)
    hours, calendar = unit_office_hours(dossier.unit), work_calendar(dossier.unit)
    later = (dossier.due_at + timedelta(hours=h) for h in range(1, 24 * 14))
    new_due_at = next(t for t in later if clock.is_working_time(t, hours=hours, calendar=calendar))
    actions.dossier_apologize(
        dossier=dossier, actor=supervisor, reason="Chờ xác minh", new_due_at=new_due_at
    )
    # The apology writes its own row and an event; the dossier's row is not saved.
    assert Dossier.objects.values_list("updated_at", flat=True).get(pk=dossier.pk) == before
    body = look_up(client, dossier, key).json()
    assert body["apology"]["reason"] == "Chờ xác minh"
    assert body["history"][-1]["status"] == "received"


def test_the_look_up_answers_while_redis_is_down(client, dossier_and_key):
    """The throttle and the cache let the look-up through when Redis is unreachable (logged):
    they protect the service and speed it up, they must not take it down. Keys are still
    judged, in the database."""
    dossier, key = dossier_and_key
    wrong = "A" * len(key) if key != "A" * len(key) else "B" * len(key)
    refused = {"default": {"BACKEND": REDIS_CACHE, "LOCATION": "redis://127.0.0.1:1/0"}}
    with override_settings(CACHES=refused):
        for _ in range(2):
            response = look_up(client, dossier, key)
            assert response.status_code == 200, response.content
            assert response.json()["code"] == dossier.code
        assert look_up(client, dossier, wrong).status_code == 403
    assert Dossier.objects.get(pk=dossier.pk).key_failures == 1
