"""The one retry policy of the HTTP clients: backoff, cap, jitter, Retry-After, settings."""

import math
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from ingestion.sources.retry import RETRYABLE_STATUS, SERVER_ERRORS, RetryPolicy


def test_backoff_doubles_and_stops_at_the_cap():
    policy = RetryPolicy(retries=10, backoff=2.0, max_delay=300.0)
    assert [policy.delay(n) for n in range(9)] == [2, 4, 8, 16, 32, 64, 128, 256, 300]
    assert policy.attempts == 11


def test_jitter_waits_half_to_all_of_the_backoff():
    policy = RetryPolicy(retries=3, backoff=1.0, max_delay=math.inf, jitter=True)
    delays = [policy.delay(3) for _ in range(200)]
    assert all(4.0 <= delay <= 8.0 for delay in delays) and len(set(delays)) > 1


@pytest.mark.parametrize(
    ("header", "expected"),
    [("7", 7.0), ("0.25", 0.25), ("", 9.0), (None, 9.0), ("soon", 9.0), ("-3", 0.0), ("100000", 300.0)],
)
def test_retry_after_seconds_fractions_garbage_and_the_cap(header, expected):
    assert RetryPolicy(retries=1, backoff=1.0).retry_after(header, 9.0) == expected


def test_retry_after_as_an_http_date():
    when = format_datetime(datetime.now(UTC) + timedelta(seconds=30), usegmt=True)
    assert 25 <= RetryPolicy(retries=1, backoff=1.0).retry_after(when, 9.0) <= 30


def test_the_policy_comes_from_settings(settings):
    settings.HTTP_MAX_RETRIES, settings.HTTP_RETRY_BACKOFF_SECONDS = 4, 0.5
    assert RetryPolicy.from_settings() == RetryPolicy(retries=4, backoff=0.5, max_delay=300.0, jitter=False)
    assert RetryPolicy.for_api() == RetryPolicy(retries=4, backoff=0.5, max_delay=math.inf, jitter=True)


def test_retried_statuses():
    assert SERVER_ERRORS == {500, 502, 503, 504} and RETRYABLE_STATUS == SERVER_ERRORS | {429}
