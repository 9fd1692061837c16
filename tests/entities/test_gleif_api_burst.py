"""200 GLEIF lookups from two processes at once stay within the shared quota (scaled window) and all complete."""

import json
import math
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from tests.fakes.gleif import FakeGleif

ROOT = Path(__file__).resolve().parent.parent.parent
REDIS_URL = "redis://127.0.0.1:6379/0"
LIMIT, WINDOW = 30, 1.0  # GLEIF's 60 per minute, scaled to 30 per second
LEIS = [path.stem.rsplit("_", 1)[1] for path in (ROOT / "tests/fixtures/gleif_api/lei_records").glob("single_*.json")]

LOOKUPS_SCRIPT = """
import json, os, sys
sys.path.insert(0, sys.argv[1])
import django
django.setup()
from ingestion.sources.gleif import GleifClient
leis = sys.argv[2].split(",")
with GleifClient() as client:
    print("ready", flush=True)
    sys.stdin.readline()
    records = [client.lei_record(leis[n % len(leis)]) for n in range(int(sys.argv[3]))]
    complete = sum(1 for n, record in enumerate(records) if record and record.lei == leis[n % len(leis)])
    print(json.dumps({"complete": complete, "requests": client.requests_sent}), flush=True)
"""


@pytest.fixture
def redis_url():
    """The local Redis, or skip."""
    redis = pytest.importorskip("redis")
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    return REDIS_URL


def test_burst_of_200_lookups_from_two_processes_stays_within_quota(redis_url):
    with FakeGleif(limit=LIMIT, window=WINDOW) as fake:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.test",
            "GLEIF_API_URL": fake.api_url,
            "GLEIF_RATE_LIMIT": str(LIMIT),
            "GLEIF_RATE_WINDOW_SECONDS": str(WINDOW),
            "RATE_LIMIT_REDIS_URL": redis_url,
            "RATE_LIMIT_KEY_PREFIX": f"test:{uuid.uuid4().hex}",
            "HTTP_RETRY_BACKOFF_SECONDS": "0.05",
        }
        args = [sys.executable, "-c", LOOKUPS_SCRIPT, str(ROOT), ",".join(LEIS), "100"]
        processes = [
            subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env) for _ in range(2)
        ]
        for process in processes:
            assert process.stdout.readline().strip() == "ready"
        for process in processes:  # both start together
            process.stdin.write("go\n")
            process.stdin.flush()
        answers = [json.loads(process.communicate(timeout=120)[0]) for process in processes]

        assert [answer["complete"] for answer in answers] == [100, 100]
        statuses = fake.statuses()
        assert statuses.count(200) == 200
        assert 429 not in statuses  # the shared budget kept both processes under the quota together
        assert fake.max_in_window(WINDOW) <= LIMIT
        first, last = fake.log[0].at, fake.log[-1].at
        assert last - first >= (math.ceil(200 / LIMIT) - 1) * WINDOW
