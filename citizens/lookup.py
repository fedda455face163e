"""The keyed status look-up, answered from a cache that can never serve a stale document.

A look-up with the update key is the citizens' most frequent request (they refresh it while
waiting). Building the status document reads five tables; instead, one small query reads the
dossier's key state and a *stamp* of everything the document shows (the row's `updated_at`,
its seal of the newest event, the newest access, file and the rating), and the cache keeps,
per dossier and language, the last document rendered with the digest of its stamp. A
document is served only when its digest is the current stamp's: any change to the dossier
that the citizen sees changes the stamp, so a cached document is either current or rendered
again. "Overdue" turns with the clock, not with a write: it is part of the stamp too. Only
the names of the unit and of the procedure, read through the dossier, may show an edit of
the catalogue up to CACHE_SECONDS late.

The view reads the cached document in the same Redis round trip that counts the client's
request (portal.throttling.rate_limit_hit_reading), before the stamp is known; it is checked
against the stamp here.

Only the happy path is cached: a right key, no lock, no failures to reset. Everything else
(wrong key counting, the lock, an unknown code) goes through `dossier_get_for_citizen`, the
one place that judges keys.
"""

from __future__ import annotations

import functools
import hashlib
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.utils import timezone

from citizens.models import Rating
from dossiers.deadlines import dossier_is_late
from dossiers.models import Dossier, DossierAccess, DossierFile
from dossiers.services.citizen import dossier_get_for_citizen
from dossiers.services.keys import update_key_is_locked, update_key_matches
from portal.redis_client import cache_redis

logger = logging.getLogger(__name__)

CACHE_SECONDS = 600  # a document nobody reads again leaves the cache after this


@dataclass(frozen=True)
class StatusStamp:
    """What one query tells about a dossier: its key state and the version of its document."""

    dossier: Dossier  # unsaved copy holding only the columns read below
    version: tuple[Any, ...]

    def digest(self) -> bytes:
        """DIGEST_SIZE bytes naming the version: they lead the cached document."""
        return (
            hashlib.blake2b(repr(self.version).encode(), digest_size=DIGEST_SIZE // 2)
            .hexdigest()
            .encode()
        )


DIGEST_SIZE = 24


def status_cache_key(*, code: str, language: str) -> str:
    """Where the cache keeps the dossier's last keyed document in `language`."""
    return f"citizens:status:v3:{language}:{_normalised(code)}"


def _normalised(code: str) -> str:
    return (code or "").strip().upper()


@functools.cache
def _stamp_sql() -> str:
    # Plain SQL: this query runs on every look-up, and building it through the ORM (with
    # three correlated subqueries) costs more CPU than the database spends answering it.
    # Table names come from our models; the code is a parameter.
    columns = ", ".join(f"d.{name}" for name in _stamp_fields())
    return f"""
        SELECT {columns}, d.updated_at,
               (SELECT max(a.id) FROM {DossierAccess._meta.db_table} a
                 WHERE a.dossier_id = d.id),
               (SELECT max(f.id) FROM {DossierFile._meta.db_table} f
                 WHERE f.dossier_id = d.id),
               (SELECT max(r.id) FROM {Rating._meta.db_table} r WHERE r.dossier_id = d.id)
          FROM {Dossier._meta.db_table} d
         WHERE d.code = %s
    """  # noqa: S608


# What the checks read of the dossier: the key state, and what "overdue" depends on.
STAMP_FIELDS = frozenset(
    {
        "id",
        "code",
        "update_key_hash",
        "key_locked_until",
        "key_failures",
        "status",
        "due_at",
        "resolved_at",
        "paused_at",
        # Sealed anew with every event appended (dossiers.services.events): the newest event.
        "event_seal",
    }
)


@functools.cache
def _stamp_fields() -> list[str]:
    # In the model's order: Model.from_db takes the values so, with no defaults to compute.
    return [f.attname for f in Dossier._meta.concrete_fields if f.attname in STAMP_FIELDS]


@contextmanager
def _prepared() -> Iterator[None]:
    """Prepare the queries run inside (psycopg 3), where the project prepares none on its own
    (portal/settings.py): the look-up's three subqueries are then planned once per connection,
    not per look-up; a generic plan is right here (one dossier by its unique code)."""
    raw = connection.connection if connection.vendor == "postgresql" else None
    if raw is None or not settings.DB_PREPARE_LOOKUP:
        yield
        return
    raw.prepare_threshold = 0
    try:
        yield
    finally:
        raw.prepare_threshold = None


def status_stamp_get(*, code: str) -> StatusStamp | None:
    code = _normalised(code)
    if not code or "\x00" in code:
        return None
    with connection.cursor() as cursor, _prepared():
        cursor.execute(_stamp_sql(), [code])
        row = cursor.fetchone()
    if row is None:
        return None
    fields = _stamp_fields()
    values = [_aware(v) if isinstance(v, datetime) else v for v in row[: len(fields)]]
    updated_at, last_access, last_file, rating = row[len(fields) :]
    dossier = Dossier.from_db(connection.alias, fields, values)
    version = (
        updated_at,
        dossier.event_seal,
        last_access,
        last_file,
        rating,
        dossier_is_late(dossier),
    )
    return StatusStamp(dossier=dossier, version=version)


def _aware(value: datetime | None) -> datetime | None:
    # SQLite hands back naive UTC datetimes through a raw cursor; PostgreSQL aware ones.
    if value is not None and timezone.is_naive(value):
        return timezone.make_aware(value, UTC)
    return value


def status_with_key(
    *,
    code: str,
    key: str,
    client: str,
    render: Callable[[Dossier], bytes],
    cached: tuple[str, bytes | None],
) -> bytes:
    """The keyed status document of `code` as `render` makes it (the JSON the API sends).
    `cached`: the status_cache_key the view read and what the cache held there, served when
    current; else the document is rendered and cached there.

    Raises what dossier_get_for_citizen raises for `client` (unknown code, wrong key, locked
    dossier, no wrong key left).
    """
    stamp = status_stamp_get(code=code)
    fast = (
        stamp is not None
        and not update_key_is_locked(dossier=stamp.dossier)
        and not stamp.dossier.key_failures
        and update_key_matches(dossier=stamp.dossier, key=key)
    )
    if not fast:
        return render(dossier_get_for_citizen(code=code, key=key, client=client))
    assert stamp is not None
    digest = stamp.digest()
    cache_key, held = cached
    if isinstance(held, bytes) and held[:DIGEST_SIZE] == digest:
        return held[DIGEST_SIZE:]
    document = render(dossier_get_for_citizen(code=code, key=key, client=client))
    try:
        client_redis = cache_redis()
        if client_redis is None:
            cache.set(cache_key, digest + document, CACHE_SECONDS)
        else:
            client_redis.set(cache.make_key(cache_key), digest + document, ex=CACHE_SECONDS)
    except Exception:  # the cache being down only costs speed
        logger.warning("status cache unavailable", exc_info=True)
    return document
