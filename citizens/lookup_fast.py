"""The keyed look-up's fast path: one Redis round trip, no database.

A citizen waiting for a result refreshes the look-up again and again. `citizens.lookup`
already answers that from a cache checked against a stamp read from PostgreSQL; this path
answers it from Redis alone, with the throttle counted in the same round trip. It is safe
because PostgreSQL itself says when a document changes: a trigger on every table the
document shows (citizens/migrations/0002_status_notify.py) notifies the dossier's code at
commit, and the status listener (citizens/status_listener.py, its own process) moves that
dossier's *generation* on. An entry is kept under the generation that was current before the
database was read, so an entry built from older data is never read again.

The fast path is used only while a listener is alive: it refreshes a heartbeat key every
second that lives HEARTBEAT_SECONDS; without it (SQLite, the listener stopped or cut off
from PostgreSQL or Redis) every look-up takes the checked path. A listener that (re)starts
moves the *epoch* on first, which drops every entry it may have missed. An entry is read only
with the right update key, before the dossier turns overdue, and only when it was built with
no failed key attempts counted (an attempt that fails goes through the checked path, which
counts it; counting writes the row, which moves the generation on).

What this costs: after a change commits, the old document may still be served until the
listener has moved the generation on (it is woken by the commit itself: bench/listener_lag.py
measures how long), or for at most HEARTBEAT_SECONDS if the listener dies between the two.
The citizen's own changes through the API (supplement, withdrawal, rating) move the
generation on themselves before answering, so their next look-up never waits for that.
"""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from django.http import HttpRequest, HttpResponse
from django.utils.translation import get_language
from rest_framework.renderers import JSONRenderer

from dossiers.services.keys import update_key_hash_matches
from portal.throttling import (
    rate_limit_key,
    rate_limited,
    rate_of,
    rate_parse,
    throttle_counted,
    throttle_ident,
    throttled_response,
)

logger = logging.getLogger(__name__)

SCOPE = "lookup"
HEARTBEAT_SECONDS = 3  # the listener refreshes its heartbeat every second
ENTRY_SECONDS = 600  # an entry nobody reads again leaves Redis after this
GENERATION_SECONDS = 3600  # > ENTRY_SECONDS: an entry never outlives its dossier's generation

HEARTBEAT_KEY = "status:listening"
EPOCH_KEY = "status:epoch"
SEQUENCE_KEY = "status:sequence"

# KEYS: the throttle counter, the heartbeat, the epoch, the dossier's generation.
# ARGV: the throttle window (seconds), the entry key's prefix.
# Returns {hits} without a listener, else {hits, generation, entry or nil}.
_PROBE = """
local hits = redis.call('INCR', KEYS[1])
if hits == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
if redis.call('EXISTS', KEYS[2]) == 0 then return {hits} end
local generation = (redis.call('GET', KEYS[3]) or '0') .. '.' .. (redis.call('GET', KEYS[4]) or '0')
return {hits, generation, redis.call('GET', ARGV[2] .. generation)}
"""
# KEYS: the dossier's generation, the sequence. ARGV: the generation's lifetime (seconds).
# Generations never repeat (one sequence for all), so an expired one cannot come back.
_ADVANCE = "return redis.call('SET', KEYS[1], redis.call('INCR', KEYS[2]), 'EX', ARGV[1])"


def redis_client() -> tuple[RedisCache, Any] | None:
    """The default cache and its redis-py client, when the cache is Redis."""
    backend = caches["default"]
    if not isinstance(backend, RedisCache):
        return None
    return backend, backend._cache.get_client(write=True)


def _key(backend: RedisCache, name: str) -> str:
    # Redis takes any key: no need for Django's (costly) memcached-minded validation.
    return backend.make_key(name)


def generation_key(backend: RedisCache, code: str) -> str:
    return _key(backend, f"status:gen:{code}")


def _entry_prefix(backend: RedisCache, *, code: str, language: str) -> str:
    return _key(backend, f"status:doc:{language}:{code}:")


@functools.cache
def _scripts(client: Any) -> tuple[Any, Any]:
    return client.register_script(_PROBE), client.register_script(_ADVANCE)


def normalised_code(code: str) -> str:
    return (code or "").strip().upper()


# --- the listener's side -------------------------------------------------------------------
def generation_advance(code: str) -> None:
    """A change of `code` committed: entries built before it are never read again."""
    found = redis_client()
    if found is None:
        return
    backend, client = found
    _, advance = _scripts(client)
    advance(
        keys=[generation_key(backend, normalised_code(code)), _key(backend, SEQUENCE_KEY)],
        args=[GENERATION_SECONDS],
        client=client,
    )


def generation_forget(code: str) -> None:
    """generation_advance for a writer that has just committed (not the listener): the cache
    being down only costs speed."""
    try:
        generation_advance(code)
    except Exception:
        logger.warning("fast look-up generation not moved on", exc_info=True)


def epoch_advance() -> None:
    """Drop every entry at once (a listener starting may have missed notifications)."""
    found = redis_client()
    if found is not None:
        backend, client = found
        client.incr(_key(backend, EPOCH_KEY))


def heartbeat(*, alive: bool) -> None:
    found = redis_client()
    if found is None:
        return
    backend, client = found
    if alive:
        client.set(_key(backend, HEARTBEAT_KEY), "1", ex=HEARTBEAT_SECONDS)
    else:
        client.delete(_key(backend, HEARTBEAT_KEY))


def heartbeat_alive() -> bool:
    found = redis_client()
    if found is None:
        return False
    backend, client = found
    return bool(client.exists(_key(backend, HEARTBEAT_KEY)))


# --- the web's side -----------------------------------------------------------------------
def fast_lookup(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Wrap the status API view: answer a keyed GET from Redis when an entry is current,
    else hand the request to `view` (with the throttle already counted and the generation
    to store the document it renders under)."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, code: str, **kwargs: Any) -> HttpResponse:
        response = _answer(request, code)
        if response is not None:
            return response
        return view(request, code=code, **kwargs)

    return wrapped


def _eligible(request: HttpRequest) -> str:
    """The key, when the request is one the fast path can answer exactly as the API would."""
    accept = request.META.get("HTTP_ACCEPT", "")
    if (
        request.method != "GET"
        or "format" in request.GET
        or "HTTP_AUTHORIZATION" in request.META
        or "text/html" in accept
        or "indent" in accept
    ):
        return ""
    return request.GET.get("key", "").strip()


def _answer(request: HttpRequest, code: str) -> HttpResponse | None:
    key = _eligible(request)
    code = normalised_code(code)
    found = redis_client()
    if not key or not code or "\x00" in code or found is None:
        return None
    backend, client = found
    limit, window = rate_parse(rate_of(SCOPE)) if rate_limited(SCOPE) else (None, 60)
    probe, _ = _scripts(client)
    try:
        answer = probe(
            keys=[
                _key(backend, rate_limit_key(scope=SCOPE, ident=throttle_ident(request))),
                _key(backend, HEARTBEAT_KEY),
                _key(backend, EPOCH_KEY),
                generation_key(backend, code),
            ],
            args=[window, _entry_prefix(backend, code=code, language=get_language() or "")],
            client=client,
        )
    except Exception:  # Redis down: the checked path copes (and logs)
        logger.warning("fast look-up unavailable", exc_info=True)
        return None
    if limit is not None and int(answer[0]) > limit:
        return throttled_response(request, wait=window)
    throttle_counted(request, SCOPE)
    if len(answer) < 2:
        return None
    request.status_generation = answer[1].decode()
    entry = answer[2] if len(answer) > 2 else None
    return _response(entry, code=code, key=key) if entry else None


def _response(entry: bytes, *, code: str, key: str) -> HttpResponse | None:
    key_hash, valid_until, body = entry.split(b"\n", 2)
    if not update_key_hash_matches(code=code, key_hash=key_hash.decode(), key=key):
        return None  # the checked path counts the failure
    if valid_until and float(valid_until) <= time.time():
        return None  # it has turned overdue since
    response = HttpResponse(body, content_type="application/json")
    # What DRF adds to the same answer, so both paths look alike to clients and caches.
    response["Vary"] = "Accept"
    response["Allow"] = "GET, HEAD, OPTIONS"
    return response


def entry_store(
    *,
    generation: str,
    code: str,
    key_hash: str,
    valid_until: datetime | None,
    document: dict[str, Any],
) -> None:
    """Keep `document` (the keyed status, as the API renders it) under `generation`, the one
    read before the database was. Only for a right key with no failures and no lock."""
    found = redis_client()
    if found is None or not key_hash:
        return
    backend, client = found
    until = b"" if valid_until is None else str(valid_until.timestamp()).encode()
    entry = key_hash.encode() + b"\n" + until + b"\n" + JSONRenderer().render(document)
    prefix = _entry_prefix(backend, code=normalised_code(code), language=get_language() or "")
    try:
        client.set(prefix + generation, entry, ex=ENTRY_SECONDS)
    except Exception:  # the cache being down only costs speed
        logger.warning("fast look-up entry not stored", exc_info=True)
