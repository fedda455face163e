"""Officers' sign-in lock-out: the throttling of failed attempts, used by every way an officer
signs in (the workbench page, the API token exchange, the TOTP second step; portal.auth).

Rules:
- 5 failed attempts for one username from one client address within 15 minutes lock that
  username for that address for 15 minutes (`LOGIN_MAX_FAILURES`, `LOGIN_LOCK_SECONDS`);
  50 failures from one address, whatever the usernames, lock the address. While locked,
  even the right password is refused, with a translated message (429 in the API).
- Every failure and every lock is written to portal.AuditLog; a success clears the count.
- Counters live in the cache (Redis in production). If the cache is down the counting is
  skipped (logged): the password is still checked.
"""

from __future__ import annotations

import hashlib
import logging
import time
from typing import Any

from django.contrib.auth import authenticate, get_user_model
from django.core.cache import cache
from django.http import HttpRequest
from django.utils.translation import gettext as _

from portal.exceptions import Locked
from portal.models import AuditLog

logger = logging.getLogger(__name__)

LOGIN_MAX_FAILURES = 5
LOGIN_WINDOW_SECONDS = 15 * 60
LOGIN_LOCK_SECONDS = 15 * 60
LOGIN_MAX_FAILURES_PER_CLIENT = 50


def _username_key(username: str) -> str:
    return str(username or "").strip().lower()[:150]


def _keys(*, username: str, client: str) -> dict[str, str]:
    # Hashed: usernames and addresses may hold any character; cache keys must stay plain.
    name = hashlib.sha256(_username_key(username).encode()).hexdigest()[:32]
    client = hashlib.sha256(client.encode()).hexdigest()[:32]
    return {
        "fail_user": f"login:fail:{client}:{name}",
        "lock_user": f"login:lock:{client}:{name}",
        "fail_client": f"login:fail:{client}",
        "lock_client": f"login:lock:{client}",
    }


def _cache_safely(default: Any, fn: Any, *args: Any, **kwargs: Any) -> Any:
    try:
        return fn(*args, **kwargs)
    except Exception:
        logger.warning("login throttling skipped: cache unavailable", exc_info=True)
        return default


def login_locked_for(*, username: str, client: str) -> int:
    """Seconds left on a lock of this username from this client (or of the client), else 0."""
    keys = _keys(username=username, client=client)
    found = _cache_safely({}, cache.get_many, [keys["lock_user"], keys["lock_client"]])
    until = max((float(v) for v in found.values()), default=0.0)
    return max(0, int(until - time.time() + 0.999))


def login_assert_not_locked(*, username: str, client: str) -> None:
    """Raise Locked (429, translated) while this username or this client is locked."""
    left = login_locked_for(username=username, client=client)
    if left:
        minutes = max(1, (left + 59) // 60)
        raise Locked(
            _(
                "Tài khoản tạm bị khóa do đăng nhập sai nhiều lần. Vui lòng thử lại "
                "sau %(minutes)d phút."
            )
            % {"minutes": minutes},
            extra={"retry_after": left},
        )


def _incr(key: str) -> int:
    if cache.add(key, 1, LOGIN_WINDOW_SECONDS):
        return 1
    try:
        return int(cache.incr(key))
    except ValueError:
        cache.set(key, 1, LOGIN_WINDOW_SECONDS)
        return 1


def _lock(*, lock_key: str, fail_key: str) -> None:
    """Lock for LOGIN_LOCK_SECONDS; the failures are counted afresh afterwards."""
    until = time.time() + LOGIN_LOCK_SECONDS
    _cache_safely(None, cache.set, lock_key, until, LOGIN_LOCK_SECONDS)
    _cache_safely(None, cache.delete, fail_key)


def login_failure_record(*, username: str, client: str, reason: str = "password") -> bool:
    """Count a failed attempt and write it to the audit log; lock at the thresholds.
    Whether this failure locked the username (or the client)."""
    keys = _keys(username=username, client=client)
    user = get_user_model().objects.filter(username=str(username).strip()).first()
    user_id = user.pk if user else None
    AuditLog.objects.create(
        actor=None,
        action="officer_login_failed",
        target=_username_key(username),
        details={"client": client, "reason": reason, "user_id": user_id},
    )
    per_user = _cache_safely(0, _incr, keys["fail_user"])
    per_client = _cache_safely(0, _incr, keys["fail_client"])
    locked = False
    if per_user >= LOGIN_MAX_FAILURES:
        _lock(lock_key=keys["lock_user"], fail_key=keys["fail_user"])
        locked = True
        AuditLog.objects.create(
            actor=None,
            action="officer_login_locked",
            target=_username_key(username),
            details={
                "client": client,
                "failures": per_user,
                "seconds": LOGIN_LOCK_SECONDS,
                "user_id": user_id,
            },
        )
    if per_client >= LOGIN_MAX_FAILURES_PER_CLIENT:
        _lock(lock_key=keys["lock_client"], fail_key=keys["fail_client"])
        locked = True
        AuditLog.objects.create(
            actor=None,
            action="officer_login_client_locked",
            target=client,
            details={"failures": per_client, "seconds": LOGIN_LOCK_SECONDS},
        )
    return locked


def login_success_record(*, username: str, client: str) -> None:
    """A good sign-in clears this username's failures from this client."""
    _cache_safely(None, cache.delete, _keys(username=username, client=client)["fail_user"])


def officer_authenticate(
    *, request: HttpRequest | None, username: str, password: str, client: str
) -> Any:
    """Check the lock, then the password. The user, or None (failure counted). Raises Locked.

    The lock is checked first, so a locked account gives nothing away, not even whether the
    password was right.
    """
    login_assert_not_locked(username=username, client=client)
    user = authenticate(request, username=username, password=password)
    if user is None:
        login_failure_record(username=username, client=client)
        login_assert_not_locked(username=username, client=client)  # this failure locked it
        return None
    return user
