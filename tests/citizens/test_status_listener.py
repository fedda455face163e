"""The fast look-up (citizens/lookup_fast.py) and its listener (citizens/status_listener.py):
answered from Redis alone while a listener runs, and never stale once the listener has
heard of a commit. Real PostgreSQL triggers, a real LISTEN connection, real Redis; the
listener runs its own loop in a thread of this process."""

from __future__ import annotations

import io
import threading
from collections.abc import Iterator

import pytest
from django.apps import apps
from django.core.cache import caches
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from citizens import lookup_fast
from citizens.status_listener import APPLICATION_NAME, status_listener_run
from dossiers.files import dossier_access_record
from dossiers.models import Dossier, DossierAccess
from dossiers.services import actions
from portal.cache import RedisCache
from tests.citizens.conftest import NAME
from tests.notifications.conftest import wait_until

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs LISTEN/NOTIFY"),
    pytest.mark.skipif(
        not isinstance(caches["default"], RedisCache), reason="needs Redis (REDIS_URL)"
    ),
    pytest.mark.django_db(transaction=True),
]

# Models pointing at Dossier whose rows the citizen's status document does not show, so
# their writes need not move the generation on. Every other one must have the trigger.
NOT_SHOWN = {
    "dossiers.Handover",
    "dossiers.Shipment",
    "payments.Payment",
    "citizens.Draft",
    "citizens.KeyResend",
    "notifications.SmsMessage",
    "notifications.EmailMessage",
    "reports.DossierFact",
}


def epoch() -> int:
    backend, client = lookup_fast.redis_client()
    return int(client.get(backend.make_key(lookup_fast.EPOCH_KEY)) or 0)


@pytest.fixture
def listener() -> Iterator[threading.Thread]:
    stop = threading.Event()
    thread = threading.Thread(target=status_listener_run, kwargs={"stop": stop}, daemon=True)
    thread.start()
    wait_until(lookup_fast.heartbeat_alive, timeout=10, what="the listener's heartbeat")
    thread.stop = stop
    yield thread
    stop.set()
    thread.join(10)
    assert not thread.is_alive()


def look_up(client, dossier, key):
    return client.get(f"/api/v1/dossiers/{dossier.code}/status/", {"key": key})


def queries_of(client, dossier, key) -> tuple[int, dict]:
    with CaptureQueriesContext(connection) as captured:
        response = look_up(client, dossier, key)
    assert response.status_code == 200, response.content
    return len(captured.captured_queries), response.json()


def shows(client, dossier, key, predicate) -> dict:
    """The look-up's body once `predicate` holds of it (the listener runs beside)."""

    def shown() -> dict | None:
        body = look_up(client, dossier, key).json()
        return body if predicate(body) else None

    return wait_until(shown, timeout=10, what="the change to show")


def test_every_table_the_document_shows_notifies_its_changes():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid"
            " WHERE t.tgname = 'motcua_status_notify'"
        )
        notifying = {row[0] for row in cursor.fetchall()}
    assert Dossier._meta.db_table in notifying
    for model in apps.get_models():
        points_at_dossier = any(
            getattr(f, "related_model", None) is Dossier and f.concrete
            for f in model._meta.get_fields()
        )
        if points_at_dossier and model._meta.label not in NOT_SHOWN:
            assert model._meta.db_table in notifying, (
                f"{model._meta.label} points at Dossier: add its table to the triggers of "
                "citizens/migrations (the status document may show it) or to NOT_SHOWN here"
            )


def test_a_repeated_look_up_reads_no_table_while_the_listener_runs(
    client, dossier_and_key, listener
):
    dossier, key = dossier_and_key
    with CaptureQueriesContext(connection) as first_queries:
        first = look_up(client, dossier, key)
    with CaptureQueriesContext(connection) as again_queries:
        again = look_up(client, dossier, key)
    assert first_queries.captured_queries
    assert again_queries.captured_queries == []
    assert (first.status_code, again.status_code) == (200, 200)
    assert again.json() == first.json()
    assert first.json()["status"] == "submitted"
    assert first.json()["applicant"] == NAME  # the keyed document: unmasked
    # Both paths answer alike, headers included.
    for header in (
        "Content-Type",
        "Vary",
        "Allow",
        "Content-Language",
        "Content-Security-Policy",
        "X-Content-Type-Options",
        "Cache-Control",
    ):
        assert again.get(header) == first.get(header), header


def test_every_committed_change_reaches_the_fast_path(client, dossier_and_key, officer, listener):
    dossier, key = dossier_and_key
    queries_of(client, dossier, key)
    assert queries_of(client, dossier, key)[0] == 0
    dossier = actions.dossier_receive(dossier=dossier, actor=officer)
    body = shows(client, dossier, key, lambda b: b["status"] == "received")
    assert [h["status"] for h in body["history"]][-1] == "received"
    assert queries_of(client, dossier, key)[0] == 0  # cached again
    dossier_access_record(dossier=dossier, user=officer, action=DossierAccess.Action.VIEW)
    shows(client, dossier, key, lambda b: len(b["accesses"]) == 1)
    document = dossier.procedure.documents.first()
    actions.dossier_request_supplement(
        dossier=dossier, actor=officer, document_ids=[document.pk], reason="Bản chụp bị mờ"
    )
    body = shows(client, dossier, key, lambda b: b["status"] == "supplement_requested")
    assert body["supplement_request"]["reason"] == "Bản chụp bị mờ"


def test_a_writer_outside_the_services_is_caught_too(client, dossier_and_key, listener):
    dossier, key = dossier_and_key
    queries_of(client, dossier, key)
    with connection.cursor() as cursor:  # e.g. a repair by hand, or a bulk update
        cursor.execute(
            "UPDATE dossiers_dossier SET applicant_name = %s WHERE id = %s",
            ["Nguyễn Văn Bình", dossier.pk],
        )
    shows(client, dossier, key, lambda b: b["applicant"] == "Nguyễn Văn Bình")


def test_a_wrong_key_is_judged_and_counted_by_the_checked_path(client, dossier_and_key, listener):
    dossier, key = dossier_and_key
    queries_of(client, dossier, key)
    assert look_up(client, dossier, "WRONG-KEY").status_code == 403
    assert Dossier.objects.get(pk=dossier.pk).key_failures == 1
    # The count changed the row: the right key goes through the checked path again.
    assert queries_of(client, dossier, key)[0] > 0


def test_the_fast_path_counts_the_look_up_budget_once(client, dossier_and_key, listener, settings):
    dossier, key = dossier_and_key
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
            "lookup": "3/min",
        },
    }
    assert [look_up(client, dossier, key).status_code for _ in range(3)] == [200] * 3
    refused = look_up(client, dossier, key)
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) == 60
    assert "quá nhiều" in refused.json()["detail"]


def test_an_entry_is_not_read_once_the_dossier_has_turned_overdue(
    client, dossier_and_key, officer, listener, monkeypatch
):
    dossier, key = dossier_and_key
    dossier = actions.dossier_receive(dossier=dossier, actor=officer)
    shows(client, dossier, key, lambda b: b["status"] == "received")
    assert queries_of(client, dossier, key)[0] == 0
    after_due = dossier.due_at.timestamp() + 1
    monkeypatch.setattr(lookup_fast.time, "time", lambda: after_due)
    assert queries_of(client, dossier, key)[0] > 0


def test_without_a_listener_every_look_up_reads_the_database(client, dossier_and_key, listener):
    dossier, key = dossier_and_key
    queries_of(client, dossier, key)
    assert queries_of(client, dossier, key)[0] == 0
    call_command("status_listener", "--check", stdout=io.StringIO())  # the health check
    listener.stop.set()
    listener.join(10)
    assert not lookup_fast.heartbeat_alive()  # a stopping listener drops its heartbeat at once
    with pytest.raises(CommandError):
        call_command("status_listener", "--check")
    assert queries_of(client, dossier, key)[0] > 0


def test_the_listener_starts_again_after_losing_postgresql(client, dossier_and_key, listener):
    dossier, key = dossier_and_key
    before = epoch()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = %s",
            [APPLICATION_NAME],
        )
        assert cursor.fetchall() == [(True,)]
    # Back: listening again, the epoch moved on (it may have missed a notification), beating.
    wait_until(
        lambda: epoch() > before and lookup_fast.heartbeat_alive(),
        timeout=15,
        what="the listener to come back",
    )
    assert look_up(client, dossier, key).status_code == 200


def test_a_citizens_own_change_shows_on_their_next_look_up_without_waiting(client, dossier_and_key):
    """The API's keyed writes move the generation on themselves: no listener runs here, only
    its heartbeat, so nothing else would retire the cached answer."""
    dossier, key = dossier_and_key
    lookup_fast.heartbeat(alive=True)
    try:
        queries_of(client, dossier, key)
        assert queries_of(client, dossier, key)[0] == 0
        response = client.post(
            f"/api/v1/dossiers/{dossier.code}/withdraw/", {"key": key, "reason": "Nộp nhầm thủ tục"}
        )
        assert response.status_code == 200, response.content
        assert response.json()["status"] != "submitted"
        assert look_up(client, dossier, key).json()["status"] == response.json()["status"]
    finally:
        lookup_fast.heartbeat(alive=False)
