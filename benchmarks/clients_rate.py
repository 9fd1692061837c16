"""Achieved request rate of the OpenFIGI and GLEIF clients against their fakes, as a fraction of the allowed rate.

The fakes enforce each API's quota with the window scaled down (--window seconds stand for OpenFIGI's 60 s
keyless and 6 s keyed windows and GLEIF's minute); the clients get the same limits through settings. For R
requests at N per window W the rate limit allows no faster finish than (ceil(R/N) - 1) * W after the first
request; the fraction printed is that minimum over the time taken (1.0 = as fast as the limit allows; target
at least 0.9). A sequential client spends the last window sending its last requests one after another, so short
runs understate the rate: each run asks for --windows windows' worth of requests (the 429 run: 1,000 pairs).
Run: .venv/bin/python -m benchmarks.clients_rate [--window 1.0] [--windows 10] [--redis redis://127.0.0.1:6379/0]
"""

import argparse
import math
import os
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402

from ingestion.sources.gleif import DIRECT, GleifClient  # noqa: E402
from ingestion.sources.openfigi import OpenFigiClient  # noqa: E402
from marketdata.identifiers import isin_check_digit  # noqa: E402
from tests.fakes.gleif import FakeGleif  # noqa: E402
from tests.fakes.openfigi import FakeOpenFigi  # noqa: E402
from tests.fakes.ratelimited import Fault  # noqa: E402


def _pairs(count: int) -> list[tuple[str, str]]:
    pairs = []
    for number in range(count):
        body = f"DE{number:09d}"
        pairs.append((body + str(isin_check_digit(body)), ("XETR", "XFRA")[number % 2]))
    return pairs


def _report(label: str, fake, started: float, finished: float, limit: int, window: float) -> float:
    requests = len(fake.log)
    elapsed = finished - started
    first_to_last = fake.log[-1].at - fake.log[0].at
    minimum = (math.ceil(requests / limit) - 1) * window
    fraction = minimum / first_to_last if first_to_last else 1.0
    refused = fake.statuses().count(429)
    print(
        f"{label:<44} requests {requests:>4} (429 {refused}), elapsed {elapsed:6.2f}s, "
        f"first-to-last {first_to_last:6.2f}s, minimum {minimum:6.2f}s, "
        f"rate {requests / elapsed:6.1f}/s of {limit / window:5.1f}/s allowed, fraction {fraction:.3f}"
    )
    return fraction


def openfigi_run(window: float, key: str, pairs: int, inject_429: bool) -> float:
    """Map `pairs` pairs with or without a key; answers the fraction of the allowed rate achieved."""
    limit = 25
    with FakeOpenFigi(limit=limit, window_with_key=window, window_without_key=window) as fake:
        settings.OPENFIGI_API_URL = fake.api_url
        settings.OPENFIGI_API_KEY = key
        settings.OPENFIGI_RATE_LIMIT = limit
        settings.OPENFIGI_RATE_WINDOW_SECONDS = window
        settings.OPENFIGI_RATE_WINDOW_SECONDS_WITH_KEY = window
        if inject_429:
            fake.fail_on({9: Fault("status", 429, seconds=window / 20), 51: Fault("status", 429, seconds=window / 20)})
        started = time.monotonic()
        with OpenFigiClient() as client:
            results = list(client.map_pairs(_pairs(pairs)))
        finished = time.monotonic()
        assert len(results) == pairs
        label = f"OpenFIGI {'key' if key else 'no key'}, {pairs} pairs{', 2 429s injected' if inject_429 else ''}"
        return _report(label, fake, started, finished, limit, window)


def gleif_run(window: float, lookups: int) -> float:
    """Look up `lookups` LEI records and Shell's children page by page; answers the fraction achieved."""
    limit = 60
    with FakeGleif(limit=limit, window=window) as fake:
        settings.GLEIF_API_URL = fake.api_url
        settings.GLEIF_RATE_LIMIT = limit
        settings.GLEIF_RATE_WINDOW_SECONDS = window
        settings.GLEIF_PAGE_SIZE = 15
        leis = sorted(fake.records)
        started = time.monotonic()
        with GleifClient() as client:
            for number in range(lookups):
                assert client.lei_record(leis[number % len(leis)]) is not None
            assert len(list(client.children("21380068P1DRHMJ8KU70", DIRECT))) == 106
        finished = time.monotonic()
        return _report(f"GLEIF, {lookups} lookups + 8 pages of children", fake, started, finished, limit, window)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--window", type=float, default=1.0, help="seconds standing for each API's window")
    parser.add_argument("--windows", type=int, default=10, help="windows' worth of requests per run (edge effects)")
    parser.add_argument("--redis", default="", help="share budgets through this Redis (default: per process)")
    args = parser.parse_args()
    settings.RATE_LIMIT_REDIS_URL = args.redis
    settings.RATE_LIMIT_KEY_PREFIX = f"benchmark:{uuid.uuid4().hex}"
    settings.HTTP_RETRY_BACKOFF_SECONDS = 0.01
    print(f"window {args.window}s, margin {settings.RATE_LIMIT_MARGIN}, budget {'Redis' if args.redis else 'local'}")
    windows = args.windows
    fractions = [
        openfigi_run(args.window, "", 250 * windows, inject_429=False),
        openfigi_run(args.window, "", 1000, inject_429=True),
        openfigi_run(args.window, "test-key", 2500 * windows, inject_429=False),
        gleif_run(args.window, 60 * windows - 8),
    ]
    print(f"lowest fraction {min(fractions):.3f} (target >= 0.9)")


if __name__ == "__main__":
    main()
