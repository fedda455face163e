"""The connection health check of portal/postgresql: no `SELECT 1` for a connection in use
whose socket is quiet, Django's check for one the server closed or one idle too long."""

from __future__ import annotations

import time

import pytest
from django.db import connection, connections

from tests.database import backend_terminate

pytestmark = pytest.mark.postgres


@pytest.fixture
def postgres(transactional_db):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL")
    assert connection.settings_dict["CONN_HEALTH_CHECKS"]


@pytest.fixture
def server_checks(monkeypatch):
    """Counts the `SELECT 1` checks Django's is_usable sends."""
    calls = []
    wrapper = type(connections["default"])
    original = wrapper.is_usable

    def counted(self):
        calls.append(1)
        return original(self)

    monkeypatch.setattr(wrapper, "is_usable", counted)
    return calls


def _next_request() -> None:
    # What Django does at a request's start and end: the next query may check again.
    connection.close_if_unusable_or_obsolete()


def _backend_pid() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def test_a_connection_in_use_is_not_asked_again(postgres, server_checks):
    pid = _backend_pid()
    for _ in range(5):
        _next_request()
        assert _backend_pid() == pid
    assert server_checks == []


def test_a_connection_idle_too_long_is_asked(postgres, server_checks, settings):
    pid = _backend_pid()
    _next_request()
    connection.used_at -= settings.DB_HEALTH_CHECK_IDLE_SECONDS + 1
    assert _backend_pid() == pid
    assert server_checks == [1]


def test_a_connection_the_server_closed_is_replaced_before_the_query(postgres, server_checks):
    pid = _backend_pid()
    backend_terminate(pid)
    deadline = time.monotonic() + 5
    while connection.socket_quiet_since_recent_use() and time.monotonic() < deadline:
        time.sleep(0.01)
    _next_request()
    # The request's first query runs on a new connection, without an error.
    assert _backend_pid() != pid
    assert server_checks == [1]
