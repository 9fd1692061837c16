"""Per-IP limits on /api/ that run before authentication: a caller without credentials, or one whose credentials keep
failing, is refused (429 with Retry-After) before any token, API key or session is looked up.

DRF's throttles run after authentication and permissions, so they never see a request that fails either: an
anonymous request or a guessed API key was a 401 every time, each guess costing a query. Here:

- a request with no credentials (no Authorization header, no session cookie) counts against
  settings.API_RATE_LIMITS["anonymous"] per client IP;
- a 401 to a request that did present something (a header, a session cookie, a POST such as a password to
  auth/token/) counts against settings.API_RATE_LIMITS["failed_credentials"] per client IP; past it, this process
  refuses that IP at once (no cache read, no query) until the window ends, and every other process does from its
  own next failure from that IP, since the counter is shared.
"""

import time

from django.conf import settings
from django.core.cache import caches
from django.http import JsonResponse

from .exceptions import API_PREFIX, error_body
from .throttling import _get_window, _rate_split, _window_key, client_ip, logger, rate_counts_increment

_BLOCKED: dict[str, float] = {}  # client IP -> when its failed-credentials block ends (this process's memory)
_BLOCKED_MAX = 10_000  # distinct IPs remembered before the expired ones are dropped


def rate_limit_exceeded(scope: str, value: str) -> int | None:
    """Count one request of `value` against every rate of settings.API_RATE_LIMITS[scope]; the seconds to wait when
    one is exceeded, else None (also when the cache fails: limits fail open, as everywhere)."""
    rates = settings.API_RATE_LIMITS.get(scope, ())
    if not rates or not getattr(settings, "RATELIMIT_ENABLE", True):
        return None
    windows = []
    for rate in rates:
        limit, period = _rate_split(rate)
        window = _get_window(value, period)
        windows.append((_window_key(scope, rate, value, window), limit, period, window))
    try:
        counts = rate_counts_increment(
            caches[settings.RATELIMIT_USE_CACHE], [(key, period + 1) for key, _, period, _ in windows]
        )
    except Exception:  # noqa: BLE001 - a cache outage must not take the API down with it
        logger.warning("rate limit cache unavailable; request allowed", exc_info=True)
        return None
    now = int(time.time())
    waits = [
        max(window - now, 1)
        for (_, limit, _, window), count in zip(windows, counts, strict=True)
        if count and count > limit
    ]
    return max(waits) if waits else None


def throttled_response(wait: int) -> JsonResponse:
    """The API's 429: the shared error body and Retry-After."""
    body = error_body(
        "throttled", f"Request was throttled. Expected available in {wait} seconds.", {"retry_after": wait}
    )
    response = JsonResponse(body, status=429)
    response["Retry-After"] = str(wait)
    return response


class PreAuthenticationThrottleMiddleware:
    """Per-IP limits on anonymous requests and failed credentials under /api/, ahead of authentication."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        """Refuse a blocked or over-limit IP; count a 401 to presented credentials as a failure."""
        if not request.path_info.startswith(API_PREFIX):
            return self.get_response(request)
        ip, now = client_ip(request), time.time()
        blocked_until = _BLOCKED.get(ip)
        if blocked_until is not None:
            if blocked_until > now:
                return throttled_response(max(int(blocked_until - now), 1))
            del _BLOCKED[ip]
        presented = bool(request.META.get("HTTP_AUTHORIZATION")) or settings.SESSION_COOKIE_NAME in request.COOKIES
        if not presented:
            wait = rate_limit_exceeded("anonymous", f"ip:{ip}")
            if wait:
                return throttled_response(wait)
        response = self.get_response(request)
        if response.status_code == 401 and (presented or request.method == "POST"):
            wait = rate_limit_exceeded("failed_credentials", f"ip:{ip}")
            if wait:
                if len(_BLOCKED) >= _BLOCKED_MAX:
                    for stale in [key for key, until in _BLOCKED.items() if until <= now] or list(_BLOCKED):
                        _BLOCKED.pop(stale, None)
                _BLOCKED[ip] = now + wait
        return response
