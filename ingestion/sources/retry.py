"""The one retry policy of the HTTP clients: what is retried, how many times, and how long to wait (no ORM).

``http`` (ESMA registry, downloads) and ``api_http`` (GLEIF and OpenFIGI APIs) both retry network errors,
timeouts and these statuses ``retries`` times, waiting ``backoff`` seconds doubled at each retry, and honour
a 429's Retry-After (seconds, fractional seconds, or an HTTP date). The number of retries and the backoff
come from settings (HTTP_MAX_RETRIES, HTTP_RETRY_BACKOFF_SECONDS).
"""

import email.utils
import math
import random
import time
from dataclasses import dataclass

TOO_MANY_REQUESTS = 429
SERVER_ERRORS = frozenset({500, 502, 503, 504})  # retried with backoff
RETRYABLE_STATUS = frozenset({TOO_MANY_REQUESTS, *SERVER_ERRORS})
MAX_DELAY_SECONDS = 300.0


def retry_after_seconds(value: str | None, default: float) -> float:
    """Seconds to wait from a Retry-After header (seconds, possibly fractional, or an HTTP date)."""
    if not value:
        return default
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return default
    return max(0.0, when.timestamp() - time.time())


@dataclass(frozen=True)
class RetryPolicy:
    """Retry `retries` times after a transient failure, waiting `backoff` seconds doubled each time (at most
    `max_delay`; with `jitter`, a random 50-100 % of it so that parallel callers spread out)."""

    retries: int
    backoff: float
    max_delay: float = MAX_DELAY_SECONDS
    jitter: bool = False

    @classmethod
    def from_settings(cls, **options) -> "RetryPolicy":
        """The configured policy (HTTP_MAX_RETRIES, HTTP_RETRY_BACKOFF_SECONDS), with `options` for the rest."""
        from django.conf import settings

        return cls(
            retries=int(settings.HTTP_MAX_RETRIES),
            backoff=float(getattr(settings, "HTTP_RETRY_BACKOFF_SECONDS", 2.0)),
            **options,
        )

    @classmethod
    def for_api(cls) -> "RetryPolicy":
        """The configured policy as the budgeted API clients use it: jittered, no cap (Retry-After rules there)."""
        return cls.from_settings(max_delay=math.inf, jitter=True)

    @property
    def attempts(self) -> int:
        """Tries in all: the first and the retries."""
        return self.retries + 1

    def delay(self, failure: int) -> float:
        """Seconds to wait after failure number `failure` (0 for the first)."""
        delay = min(self.backoff * (2**failure), self.max_delay)
        return delay * (0.5 + random.random() / 2) if self.jitter else delay

    def retry_after(self, value: str | None, default: float) -> float:
        """Seconds a Retry-After header asks for, at most `max_delay`; `default` when absent or unreadable."""
        return min(retry_after_seconds(value, default), self.max_delay)
