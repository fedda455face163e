"""Test helpers that act on the database server from outside Django's connection."""

from __future__ import annotations

import psycopg
from django.db import connection


def backend_terminate(pid: int) -> None:
    """Ask the server, from another connection, to drop the backend `pid` (as a restart
    would)."""
    db = connection.settings_dict
    with psycopg.connect(
        host=db["HOST"] or "127.0.0.1",
        port=db["PORT"] or 5432,
        user=db["USER"],
        password=db["PASSWORD"] or None,
        dbname=db["NAME"],
        autocommit=True,
    ) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [pid])
