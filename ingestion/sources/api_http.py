"""JSON-over-HTTP calls within a shared request budget: Retry-After on 429, backoff on 5xx, timeouts, bad bodies."""

import json
import logging
import threading
import time
from dataclasses import dataclass

import httpx

from .http import SourceError, SourceResponseError, SourceUnavailable
from .ratelimit import RateBudget
from .retry import SERVER_ERRORS, TOO_MANY_REQUESTS, RetryPolicy

logger = logging.getLogger(__name__)


__all__ = ["ApiResponse", "BudgetedJsonApi", "SourceError", "SourceRateLimited", "SourceResponseError"]


class SourceRateLimited(SourceUnavailable):
    """A source kept answering 429 through every retry."""


@dataclass
class ApiResponse:
    """A status code with its decoded JSON body (None when there is none)."""

    status: int
    data: object
    url: str


class BudgetedJsonApi:
    """A JSON API reached through one httpx client and a request budget shared across processes."""

    def __init__(
        self,
        *,
        label: str,
        base_url: str,
        budget: RateBudget,
        timeout: float,
        retry: RetryPolicy,
        headers: dict | None = None,
        max_rate_limited: int = 20,
    ):
        self.label = label
        self.base_url = base_url.rstrip("/")
        self.budget = budget
        self.retry = retry
        self.max_rate_limited = max_rate_limited
        self.requests_sent = 0
        self._count_lock = threading.Lock()
        self._http = httpx.Client(timeout=httpx.Timeout(timeout), headers=headers or {})

    def close(self) -> None:
        """Close the connection pool."""
        self._http.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()

    def url(self, path_or_url: str) -> str:
        """An absolute URL for a path under the base URL (absolute URLs pass through)."""
        if path_or_url.startswith(("http://", "https://")):
            return path_or_url
        return f"{self.base_url}/{path_or_url.lstrip('/')}"

    def request(self, method: str, path_or_url: str, *, params=None, json_body=None, passthrough=(404,)):
        """Send one request within the budget, retrying 429/5xx/timeouts; statuses in `passthrough` are answered."""
        url = self.url(path_or_url)
        failures = 0
        rate_limited = 0
        last_error = ""
        while True:
            slot = self.budget.acquire()
            with self._count_lock:
                self.requests_sent += 1
            try:
                try:
                    response = self._http.request(method, url, params=params, json=json_body)
                finally:
                    self.budget.done(slot)
                status = response.status_code
                if status == TOO_MANY_REQUESTS:
                    rate_limited += 1
                    wait = self.retry.retry_after(response.headers.get("Retry-After"), self.budget.window)
                    if rate_limited > self.max_rate_limited:
                        raise SourceRateLimited(f"{self.label}: {url} answered 429 {rate_limited} times in a row")
                    logger.info("%s: 429 on %s, pausing %.2fs", self.label, url, wait)
                    self.budget.pause(wait)
                    continue
                if status in SERVER_ERRORS:
                    last_error = f"HTTP {status}"
                elif status in passthrough:
                    return ApiResponse(status, _decode(response, strict=False), url)
                elif status >= 400:
                    detail = response.text[:500]
                    raise SourceResponseError(f"{self.label}: {method} {url} answered HTTP {status}: {detail}")
                else:
                    return ApiResponse(status, _decode(response, strict=True), url)
            except (httpx.TimeoutException, httpx.TransportError) as error:
                last_error = f"{type(error).__name__}: {error}"
            except _BadBody as error:
                last_error = str(error)
            failures += 1
            if failures > self.retry.retries:
                raise SourceUnavailable(
                    f"{self.label} is unavailable: {method} {url} failed {failures} times, last: {last_error}"
                )
            delay = self.retry.delay(failures - 1)
            logger.warning("%s: %s on %s, retry %d in %.2fs", self.label, last_error, url, failures, delay)
            time.sleep(delay)


class _BadBody(Exception):
    """A body that is not the JSON it claims to be (truncated, wrong type)."""


def _decode(response: httpx.Response, strict: bool):
    """The JSON body, or None when empty; raise _BadBody for a broken one when `strict`."""
    if not response.content:
        if strict:
            raise _BadBody(f"empty body from {response.request.url}")
        return None
    try:
        return json.loads(response.content)
    except ValueError as error:
        if strict:
            raise _BadBody(f"unreadable JSON from {response.request.url}: {error}") from error
        return None
