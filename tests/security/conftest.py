"""Fixtures of the security tests: a clean cache (throttles and lock-outs live there)."""

from __future__ import annotations

import contextlib

import pytest
from django.core.cache import cache

# The submission pages driven like a browser: the upload quota tests use it.
from tests.citizens.conftest import wizard  # noqa: F401


@pytest.fixture(autouse=True)
def _clean_cache():
    cache.clear()
    yield
    with contextlib.suppress(Exception):  # a test may have pointed the cache at nothing
        cache.clear()
