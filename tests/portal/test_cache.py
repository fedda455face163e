"""portal.cache.RedisCache: Django's Redis cache with one redis-py client per pool."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.core.cache import caches

pytestmark = pytest.mark.skipif(not settings.REDIS_URL, reason="needs Redis: set REDIS_URL")


def test_the_configured_cache_is_ours_and_behaves_like_djangos():
    from portal.cache import RedisCache

    cache = caches["default"]
    assert isinstance(cache, RedisCache)
    cache.set("test:cache:doc", {"code": "X", "n": [1, 2]}, 30)
    assert cache.get("test:cache:doc") == {"code": "X", "n": [1, 2]}
    assert cache.add("test:cache:n", 1, 30) is True
    assert cache.incr("test:cache:n") == 2
    cache.delete_many(["test:cache:doc", "test:cache:n"])
    assert cache.get("test:cache:doc") is None


def test_one_client_serves_every_operation_on_a_pool():
    client = caches["default"]._cache
    assert client.get_client("a") is client.get_client("b", write=True)
