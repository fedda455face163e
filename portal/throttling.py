"""Per-client limits: who the client is, counting in the cache, and the translated 429.

The API's views name a `throttle_scope` and use `ScopedRateThrottle` below; pages use
`rate_limit`. Both count with `rate_limit_hit` (settings.REST_FRAMEWORK's
DEFAULT_THROTTLE_RATES, a fixed window counted in the cache: one Redis round trip a request),
so a client has one budget per scope whether it uses the pages or the API. DRF's own message
is English only, so portal.exceptions.api_exception_handler answers a throttled request with
`throttled_message()`; pages answer 429 with the same text.

The client is REMOTE_ADDR, or, behind N trusted proxies (settings.REST_FRAMEWORK NUM_PROXIES,
e.g. 1 behind nginx), the address the nearest proxy saw: the N-th from the right of
X-Forwarded-For. Never the leftmost value, which the client writes itself.
"""

from __future__ import annotations

import contextlib
import functools
import logging
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from rest_framework.throttling import BaseThrottle

from portal.redis_client import cache_redis

logger = logging.getLogger(__name__)

_PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def client_ip(request: Any) -> str:
    """The client's address as the nearest trusted proxy saw it (see the module docstring)."""
    meta = request.META
    remote = str(meta.get("REMOTE_ADDR", "") or "")
    proxies = settings.REST_FRAMEWORK.get("NUM_PROXIES")
    xff = meta.get("HTTP_X_FORWARDED_FOR")
    if not proxies or not xff:
        return remote
    addrs = [a.strip() for a in str(xff).split(",") if a.strip()]
    if not addrs:
        return remote
    return addrs[-min(int(proxies), len(addrs))]


def client_key(request: Any) -> str:
    """A keyed hash of the client's address: cache keys never hold addresses in clear.
    Computed once per request."""
    found = getattr(request, "_motcua_client_key", None)
    if found is None:
        digest = salted_hmac("motcua.throttle", client_ip(request)).hexdigest()[:32]
        found = request._motcua_client_key = digest
    return found


def rate_parse(rate: str) -> tuple[int, int]:
    """'20/min' → (20, 60). DRF's format: a count and the first letter of the period."""
    count, period = rate.split("/")
    return int(count), _PERIODS[period.strip()[0].lower()]


def rate_of(scope: str) -> str:
    return str(settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"][scope])


def rate_limited(scope: str) -> bool:
    """Whether `scope` has a rate (without one it is not limited, as in DRF)."""
    return rate_of(scope) not in {"None", ""}


def rate_limit_key(*, scope: str, ident: str) -> str:
    """The cache key counting `ident`'s requests in `scope`."""
    return f"rl:{scope}:{ident}"


def counter_incr(key: str, *, timeout: int, amount: int = 1) -> int:
    """Add `amount` (one request, or bytes) to a cache counter living `timeout` seconds from
    its first hit; the new value. Atomic: concurrent hits each get their own value. On Redis
    one round trip (INCR, and EXPIRE NX to start the window once); on other caches `add`
    starts the window and `incr` counts."""
    client = cache_redis()
    if client is not None:
        pipe = _counter_pipeline(client, key, timeout=timeout, amount=amount)
        return int(pipe.execute()[0])
    if cache.add(key, amount, timeout):
        return amount
    try:
        return int(cache.incr(key, amount))
    except ValueError:  # expired between add and incr
        cache.set(key, amount, timeout)
        return amount


def _counter_pipeline(client: Any, key: str, *, timeout: int, amount: int = 1) -> Any:
    """A Redis pipeline adding `amount` to the counter `key`, its window started once."""
    full_key = cache.make_key(key)
    pipe = client.pipeline(transaction=False)
    pipe.incr(full_key, amount)
    pipe.expire(full_key, timeout, nx=True)
    return pipe


def budget_take(*, name: str, ident: str, limit: int, seconds: int) -> bool:
    """Take one place of `ident`'s budget `name` (`limit` places a window of `seconds`);
    False when none is left. Atomic: of concurrent takers, at most `limit` get a place. The
    cache being down lets it through (logged), like the rate limits."""
    try:
        return counter_incr(f"budget:{name}:{ident}", timeout=seconds) <= limit
    except Exception:
        logger.warning("budget %s not counted: cache unavailable", name, exc_info=True)
        return True


def budget_give_back(*, name: str, ident: str) -> None:
    """Give back the place budget_take took (a success that should not use the budget)."""
    try:
        with contextlib.suppress(ValueError):  # the window ended meanwhile
            cache.decr(f"budget:{name}:{ident}")
    except Exception:
        logger.warning("budget %s not given back: cache unavailable", name, exc_info=True)


def rate_limit_hit(*, scope: str, ident: str, rate: str | None = None) -> int | None:
    """Count one request of `ident` in `scope`. None while within the rate (or when the
    scope has none), else the seconds to wait (the window's length: a fixed window, the
    simple and cheap kind).

    The cache being down lets the request through (logged): the limits protect the service,
    they must not take it down.
    """
    if rate is None and not rate_limited(scope):
        return None
    count, period = rate_parse(rate or rate_of(scope))
    try:
        hits = counter_incr(rate_limit_key(scope=scope, ident=ident), timeout=period)
    except Exception:
        logger.warning("rate limit %s not counted: cache unavailable", scope, exc_info=True)
        return None
    return period if hits > count else None


def rate_limit_hit_reading(*, scope: str, ident: str, key: str) -> tuple[int | None, Any]:
    """`rate_limit_hit` for `scope` (not counted when it has no rate), and the value the cache
    holds under `key`, read in the same Redis round trip (raw bytes as stored by the Redis
    client of portal.redis_client; what `cache.get` gives on other caches). The cache being
    down counts nothing and reads nothing (logged)."""
    client = cache_redis()
    if client is None:
        return rate_limit_hit(scope=scope, ident=ident), cache.get(key)
    try:
        if not rate_limited(scope):
            return None, client.get(cache.make_key(key))
        count, period = rate_parse(rate_of(scope))
        counter = rate_limit_key(scope=scope, ident=ident)
        pipe = _counter_pipeline(client, counter, timeout=period)
        hits, _, value = pipe.get(cache.make_key(key)).execute()
    except Exception:
        logger.warning("rate limit %s not counted: cache unavailable", scope, exc_info=True)
        return None, None
    return (period if int(hits) > count else None), value


def throttled_message(wait: float | None) -> str:
    if wait is None:
        return _("Bạn đã gửi quá nhiều yêu cầu. Vui lòng thử lại sau.")
    seconds = max(1, round(wait))
    if seconds >= 120:
        minutes = (seconds + 59) // 60
        return ngettext(
            "Bạn đã gửi quá nhiều yêu cầu. Vui lòng thử lại sau %(n)d phút.",
            "Bạn đã gửi quá nhiều yêu cầu. Vui lòng thử lại sau %(n)d phút.",
            minutes,
        ) % {"n": minutes}
    return ngettext(
        "Bạn đã gửi quá nhiều yêu cầu. Vui lòng thử lại sau %(n)d giây.",
        "Bạn đã gửi quá nhiều yêu cầu. Vui lòng thử lại sau %(n)d giây.",
        seconds,
    ) % {"n": seconds}


def throttled_response(request: HttpRequest, *, wait: float | None) -> HttpResponse:
    message = throttled_message(wait)
    if request.path.startswith("/api/") or "application/json" in request.headers.get("Accept", ""):
        response: HttpResponse = JsonResponse({"detail": message}, status=429)
    else:
        response = HttpResponse(message, status=429, content_type="text/plain; charset=utf-8")
    if wait is not None:
        response["Retry-After"] = str(max(1, round(wait)))
    return response


def rate_limit(
    scope: str, *, methods: tuple[str, ...] = ("POST",), per_user: bool = False
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Limit a view per client with the API's rate for `scope` (only `methods`); with
    `per_user`, a signed-in user's budget is theirs, as in the API (`throttle_ident`)."""

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @functools.wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if request.method in methods and rate_limited(scope):
                ident = throttle_ident(request) if per_user else client_key(request)
                wait = rate_limit_hit(scope=scope, ident=ident)
                if wait is not None:
                    return throttled_response(request, wait=wait)
            return view(request, *args, **kwargs)

        return wrapped

    return decorate


def throttle_ident(request: Any) -> str:
    """Whom a scope's budget belongs to: the signed-in user, else `client_key`."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"user:{user.pk}"
    return client_key(request)


class ScopedRateThrottle(BaseThrottle):
    """The view's `throttle_scope` at the rate of settings, per client: the signed-in user,
    else `client_key` (trusted proxies only). Counted by `rate_limit_hit`, which lets requests
    through, logged, when the cache is down: a Redis outage must not turn every submission
    into a server error."""

    def allow_request(self, request: Any, view: Any) -> bool:
        scope = getattr(view, "throttle_scope", None)
        self._wait: int | None = None
        if not scope or not rate_limited(scope):
            return True
        self._wait = rate_limit_hit(scope=scope, ident=throttle_ident(request))
        return self._wait is None

    def wait(self) -> float | None:
        return self._wait


def captcha_urls_limited() -> list[Any]:
    """django-simple-captcha's URL patterns (picture, sound, refresh) behind the "captcha"
    rate: drawing a challenge costs CPU, and a client asking for thousands must be told 429."""
    from captcha import urls as captcha_urls
    from django.urls import URLPattern

    return [
        URLPattern(
            p.pattern,
            rate_limit("captcha", methods=("GET", "POST"))(p.callback),
            p.default_args,
            p.name,
        )
        for p in captcha_urls.urlpatterns
    ]
