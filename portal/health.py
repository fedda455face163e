"""Readiness: can this process serve requests? `/healthz` (portal/views.py) only says it is
alive; `/readyz` checks what a request needs: the database, Redis (when REDIS_URL is set) and
the storage of attachments.

The answer names each check ("ok" or "fail") and, on failure, the kind of error only; the
details go to the log, not to whoever can reach the URL.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import connections
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache

logger = logging.getLogger(__name__)

CHECK_TIMEOUT_SECONDS = 2


def readiness_check_database() -> None:
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def readiness_check_redis() -> None:
    import redis

    client = redis.Redis.from_url(
        settings.REDIS_URL,
        socket_connect_timeout=CHECK_TIMEOUT_SECONDS,
        socket_timeout=CHECK_TIMEOUT_SECONDS,
    )
    try:
        client.ping()
    finally:
        client.close()


def readiness_check_storage() -> None:
    """Local files: MEDIA_ROOT exists (made on first use, like FileSystemStorage does) and is
    writable. S3: the bucket answers a HEAD request with our credentials."""
    if settings.STORAGE_BACKEND == "s3":
        storage = default_storage
        client = storage.connection.meta.client
        client.head_bucket(Bucket=storage.bucket_name)
        return
    root = Path(settings.MEDIA_ROOT)
    root.mkdir(parents=True, exist_ok=True)
    if not os.access(root, os.W_OK | os.X_OK):
        raise PermissionError(f"{root} is not writable")


def readiness_checks() -> dict[str, Callable[[], None]]:
    checks: dict[str, Callable[[], None]] = {"database": readiness_check_database}
    if settings.REDIS_URL:
        checks["redis"] = readiness_check_redis
    checks["storage"] = readiness_check_storage
    return checks


def readiness_report() -> tuple[bool, dict[str, str]]:
    """Run every check; return whether all passed and each one's result."""
    results: dict[str, str] = {}
    for name, check in readiness_checks().items():
        try:
            check()
        except Exception as exc:
            logger.warning("readiness check %s failed: %r", name, exc)
            results[name] = f"fail: {type(exc).__name__}"
        else:
            results[name] = "ok"
    return all(value == "ok" for value in results.values()), results


@never_cache
def readyz(request: HttpRequest) -> JsonResponse:
    """200 with each check when ready; 503 naming the failing checks otherwise."""
    ready, results = readiness_report()
    body: dict[str, object] = {"status": "ok" if ready else "fail", "checks": results}
    if not ready:
        body["failing"] = [name for name, value in results.items() if value != "ok"]
    return JsonResponse(body, status=200 if ready else 503)
