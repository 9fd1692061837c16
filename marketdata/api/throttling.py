"""Rate limits for every API view with django-ratelimit on the shared cache (Redis when REDIS_URL is set)."""

import logging

from django.conf import settings
from django_ratelimit.core import get_usage
from rest_framework.throttling import BaseThrottle

logger = logging.getLogger(__name__)


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


class RateLimitThrottle(BaseThrottle):
    """Counts each request against every rate of settings.API_RATE_LIMITS for the view's scopes; 429 past one."""

    def allow_request(self, request, view):
        """False (and a wait in seconds) once any of the view's limits is exceeded in its current window."""
        self.wait_seconds = None
        limits = settings.API_RATE_LIMITS
        for scope in rate_limit_scopes(view):
            for rate in limits.get(scope, ()):
                try:
                    usage = get_usage(
                        request._request, group=f"api:{scope}", key=rate_limit_key, rate=rate, increment=True
                    )
                except Exception:  # noqa: BLE001 - a cache outage must not take the API down with it
                    logger.warning("rate limit cache unavailable; request allowed", exc_info=True)
                    return True
                if usage and usage["should_limit"]:
                    self.wait_seconds = max(self.wait_seconds or 0, usage["time_left"], 1)
        return self.wait_seconds is None

    def wait(self):
        """Seconds until the exceeded window ends (sent as Retry-After)."""
        return self.wait_seconds
