"""The default cache's Redis server, through one redis-py client per process.

Django's RedisCache builds a new `redis.Redis` for every operation (with redis-py 8 that
copies some 170 reply callbacks each time, more CPU than the round trip), and it has no
atomic "count and start a window". The two hot paths that need better, the per-client
counters (portal.throttling) and the look-up's cached documents (citizens.lookup), talk to
the same server through this client, under the cache's own keys (`cache.make_key`). A
`redis.Redis` is safe to share between threads: it borrows connections from its pool.
"""

from __future__ import annotations

import functools

import redis
from django.conf import settings

REDIS_CACHE = "django.core.cache.backends.redis.RedisCache"


@functools.cache
def _client(location: str) -> redis.Redis:
    return redis.Redis.from_url(location)


def cache_redis() -> redis.Redis | None:
    """The client of the default cache's server, or None when the cache is not Redis."""
    config = settings.CACHES["default"]
    if config["BACKEND"] != REDIS_CACHE:
        return None
    return _client(config["LOCATION"])
