"""Rate limits for every API view, counted in django-ratelimit's windows on the shared cache (Redis when REDIS_URL
is set): every limit of a request in one cache round trip."""

import functools
import logging
import time

from django.conf import settings
from django.core.cache import caches
from django_ratelimit import ALL
from django_ratelimit.core import EXPIRATION_FUDGE, _get_window, _make_cache_key, _split_rate
from django_redis.cache import RedisCache
from rest_framework.throttling import BaseThrottle

logger = logging.getLogger(__name__)

# INCR each key, giving a new one its lifetime: every window of a request counted in one round trip.
REDIS_INCREMENT_SCRIPT = """
local counts = {}
for i, key in ipairs(KEYS) do
  counts[i] = redis.call('INCR', key)
  if counts[i] == 1 then redis.call('EXPIRE', key, ARGV[i]) end
end
return counts
"""


def rate_limit_key(group, request) -> str:
    """Whom a limit counts: the user when authenticated, else the client IP."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"user:{user.pk}"
    return f"ip:{client_ip(request)}"


def client_ip(request) -> str:
    """The client's address: the first one in settings.API_CLIENT_IP_HEADER when set (behind a proxy), else the peer."""
    header = settings.API_CLIENT_IP_HEADER
    forwarded = request.META.get(header, "") if header else ""
    return forwarded.split(",")[0].strip() or request.META.get("REMOTE_ADDR", "")


def rate_limit_scopes(view) -> list[str]:
    """The limit scopes of a view: "default", plus its `throttle_scope` (e.g. "token", "expensive") when set."""
    scope = getattr(view, "throttle_scope", None)
    return ["default", scope] if scope and scope != "default" else ["default"]


@functools.cache
def _rate_split(rate: str) -> tuple[int, int]:
    """(limit, period in seconds) of a rate such as "100/m", parsed once per process (as django-ratelimit parses it)."""
    return _split_rate(rate)


@functools.lru_cache(maxsize=4096)
def _window_key(scope: str, rate: str, value: str, window: int) -> str:
    """django-ratelimit's cache key of one client's counter in one window of a rate (hashed once per window)."""
    return _make_cache_key(f"api:{scope}", window, _rate_split(rate), value, ALL)


def rate_counts_increment(cache, keys_and_lifetimes: list[tuple[str, int]]) -> list[int | None]:
    """Add one to each counter (created with its lifetime in seconds when new); their new values, None where the cache
    failed. One round trip on Redis; on other caches an increment per key (and an add for a new one)."""
    if isinstance(cache, RedisCache):
        client = cache.client.get_client(write=True)
        keys = [cache.client.make_key(key) for key, _ in keys_and_lifetimes]
        return client.eval(REDIS_INCREMENT_SCRIPT, len(keys), *keys, *(lifetime for _, lifetime in keys_and_lifetimes))
    return [_count_increment(cache, key, lifetime) for key, lifetime in keys_and_lifetimes]


def _count_increment(cache, key: str, lifetime: int) -> int | None:
    """One counter of a cache without scripts: increment, or add it when it does not exist yet."""
    for _ in range(2):  # a counter that expires between incr and add is tried again once
        try:
            return cache.incr(key)
        except ValueError:
            if cache.add(key, 1, lifetime):
                return 1
    return None


class RateLimitThrottle(BaseThrottle):
    """Counts each request against every rate of settings.API_RATE_LIMITS for the view's scopes; 429 past one.

    The windows and cache keys are django-ratelimit's (django_ratelimit.core.get_usage reads the same counts).
    """

    def allow_request(self, request, view):
        """False (and a wait in seconds) once any of the view's limits is exceeded in its current window."""
        self.wait_seconds = None
        if not getattr(settings, "RATELIMIT_ENABLE", True):
            return True
        limits = settings.API_RATE_LIMITS
        rates = [(scope, rate) for scope in rate_limit_scopes(view) for rate in limits.get(scope, ())]
        if not rates:
            return True
        value = rate_limit_key(None, request._request)
        windows = []
        for scope, rate in rates:
            limit, period = _rate_split(rate)
            window = _get_window(value, period)
            windows.append((_window_key(scope, rate, value, window), limit, period, window))
        lifetimes = [(key, period + EXPIRATION_FUDGE) for key, _, period, _ in windows]
        try:
            counts = rate_counts_increment(caches[settings.RATELIMIT_USE_CACHE], lifetimes)
        except Exception:  # noqa: BLE001 - a cache outage must not take the API down with it
            logger.warning("rate limit cache unavailable; request allowed", exc_info=True)
            return True
        now = int(time.time())
        for (_, limit, _, window), count in zip(windows, counts, strict=True):
            if count is None:  # the cache lost the counter: as django-ratelimit, by RATELIMIT_FAIL_OPEN
                if getattr(settings, "RATELIMIT_FAIL_OPEN", False):
                    continue
                time_left = -1
            elif count > limit:
                time_left = window - now
            else:
                continue
            self.wait_seconds = max(self.wait_seconds or 0, time_left, 1)
        return self.wait_seconds is None

    def wait(self):
        """Seconds until the exceeded window ends (sent as Retry-After)."""
        return self.wait_seconds
