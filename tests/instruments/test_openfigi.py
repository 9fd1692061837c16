"""The OpenFIGI client against the fake OpenFIGI: batching, 413, 429, data/warning/error, the rate limit."""

import math
import time

import pytest

from ingestion.sources.api_http import SourceResponseError
from ingestion.sources.openfigi import DATA, ERROR, WARNING, OpenFigiClient
from marketdata.identifiers import isin_check_digit
from tests.fakes.openfigi import FakeOpenFigi
from tests.fakes.ratelimited import Fault

WINDOW = 1.0  # OpenFIGI's 60 s (no key) and 6 s (key) windows, scaled down
LIMIT = 25


def make_isin(number: int, country: str = "DE") -> str:
    """A valid ISIN with the given serial number."""
    body = f"{country}{number:09d}"
    return body + str(isin_check_digit(body))


def pairs(count: int) -> list[tuple[str, str]]:
    """`count` distinct valid (ISIN, MIC) pairs."""
    return [(make_isin(n), ("XETR", "XFRA", "TGAT")[n % 3]) for n in range(count)]


@pytest.fixture
def fake_figi():
    with FakeOpenFigi(limit=LIMIT, window_with_key=WINDOW, window_without_key=WINDOW) as fake:
        yield fake


@pytest.fixture
def figi_settings(fake_figi, settings):
    """Client settings matching the fake's scaled limits."""
    settings.OPENFIGI_API_URL = fake_figi.api_url
    settings.OPENFIGI_API_KEY = ""
    settings.OPENFIGI_RATE_LIMIT = LIMIT
    settings.OPENFIGI_RATE_WINDOW_SECONDS = WINDOW
    settings.OPENFIGI_RATE_WINDOW_SECONDS_WITH_KEY = WINDOW
    settings.RATE_LIMIT_REDIS_URL = ""
    settings.HTTP_TIMEOUT_SECONDS = 2.0
    settings.HTTP_RETRY_BACKOFF_SECONDS = 0.01
    return settings


def test_thousand_pairs_without_key_in_fewest_requests_and_minimum_time(figi_settings, fake_figi):
    injected = {7: Fault("status", 429, seconds=0.05), 40: Fault("status", 429, seconds=0.05)}
    fake_figi.fail_on(injected)
    started = time.monotonic()
    with OpenFigiClient() as client:
        results = list(client.map_pairs(pairs(1000)))
    elapsed = time.monotonic() - started

    assert [(r.isin, r.mic) for r in results] == pairs(1000)
    assert {r.status for r in results} == {DATA}
    statuses = fake_figi.statuses()
    assert statuses.count(200) == 100  # 1,000 jobs, 10 per request without a key: the fewest allowed
    assert statuses.count(429) == len(injected)  # the client itself never went past the quota
    assert fake_figi.max_in_window(WINDOW, statuses=(200, 429)) <= LIMIT
    minimum = (math.ceil(len(statuses) / LIMIT) - 1) * WINDOW  # requests the server counted, LIMIT per window
    assert minimum <= elapsed <= minimum * 1.1


def test_thousand_pairs_with_key_in_ten_requests(figi_settings, fake_figi):
    figi_settings.OPENFIGI_API_KEY = "test-key"
    with OpenFigiClient() as client:
        results = list(client.map_pairs(pairs(1000)))
    assert len(results) == 1000
    assert fake_figi.statuses() == [200] * 10
    assert {entry.api_key for entry in fake_figi.log} == {"test-key"}


def test_413_splits_the_batch(figi_settings, fake_figi):
    fake_figi.jobs_without_key = 4  # the server accepts fewer jobs than the client was told
    with OpenFigiClient() as client:
        results = list(client.map_pairs(pairs(20)))
        assert client.jobs_per_request == 2  # halved at 10 (413), then at 5 (413)
    assert len(results) == 20 and {r.status for r in results} == {DATA}
    assert fake_figi.jobs_answered == 20


def test_warning_and_error_are_told_apart(figi_settings, fake_figi):
    no_match = make_isin(424242)
    fake_figi.no_match.add(no_match)
    bad_check_digit = make_isin(1)[:-1] + str((int(make_isin(1)[-1]) + 1) % 10)
    asked = [("US0378331005", "XETR"), (no_match, "XETR"), (bad_check_digit, "XFRA"), ("US4592001014", "")]
    with OpenFigiClient() as client:
        apple, missing, invalid, ibm = client.map_pairs(asked)
    assert apple.status == DATA and [row["ticker"] for row in apple.rows] == ["APC"]
    assert (missing.status, missing.message) == (WARNING, "No identifier found.")
    assert (invalid.status, invalid.message) == (ERROR, "Invalid idValue format.")
    assert ibm.status == DATA and len(ibm.rows) == 198


def test_unknown_key_is_a_clear_error(figi_settings):
    figi_settings.OPENFIGI_API_KEY = "wrong-key"
    with OpenFigiClient() as client, pytest.raises(SourceResponseError, match="HTTP 401"):
        list(client.map_pairs(pairs(1)))
