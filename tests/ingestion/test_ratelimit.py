"""Request budgets: never more than N grants in any window, per process and across processes through Redis."""

import json
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from ingestion.sources.ratelimit import LocalRateBudget, RedisRateBudget, rate_budget

ROOT = Path(__file__).resolve().parent.parent.parent
REDIS_URL = "redis://127.0.0.1:6379/0"


def max_in_window(times: list[float], window: float) -> int:
    """The most grants within any `window` seconds."""
    times = sorted(times)
    best, first = 0, 0
    for last, at in enumerate(times):
        while times[first] <= at - window:
            first += 1
        best = max(best, last - first + 1)
    return best


@pytest.fixture
def redis_url():
    """The local Redis, or skip."""
    redis = pytest.importorskip("redis")
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    return REDIS_URL


def test_local_budget_spaces_a_burst_into_windows():
    budget = LocalRateBudget("test", limit=10, window=0.2)
    started = time.monotonic()
    grants = []
    for _ in range(35):
        budget.acquire()
        grants.append(time.monotonic())
    assert max_in_window(grants, 0.2) == 10
    assert time.monotonic() - started >= 3 * 0.2  # 35 grants need 4 windows


def test_pause_holds_everyone_back():
    budget = LocalRateBudget("test", limit=100, window=1.0)
    budget.pause(0.2)
    started = time.monotonic()
    budget.acquire()
    assert time.monotonic() - started >= 0.19


def test_a_slot_counts_from_when_its_answer_came():
    budget = LocalRateBudget("test", limit=1, window=0.2)
    started = time.monotonic()
    slot = budget.acquire()
    time.sleep(0.1)  # a slow answer: the server may have counted the request this late
    budget.done(slot)
    budget.acquire()
    assert time.monotonic() - started >= 0.3


def test_without_redis_the_budget_is_per_process_and_shared_by_name(settings):
    settings.RATE_LIMIT_REDIS_URL = ""
    name = f"test-{uuid.uuid4().hex}"
    assert isinstance(rate_budget(name, 5, 1.0), LocalRateBudget)
    assert rate_budget(name, 5, 1.0) is rate_budget(name, 5, 1.0)


def test_redis_budget_pause_is_seen_by_another_budget_object(redis_url):
    prefix = f"test:{uuid.uuid4().hex}"
    first = RedisRateBudget("pause", 100, 1.0, redis_url=redis_url, prefix=prefix)
    second = RedisRateBudget("pause", 100, 1.0, redis_url=redis_url, prefix=prefix)
    first.pause(0.25)
    started = time.monotonic()
    second.acquire()
    assert time.monotonic() - started >= 0.2


def test_redis_slot_counts_from_when_its_answer_came(redis_url):
    budget = RedisRateBudget("done", 1, 0.2, redis_url=redis_url, prefix=f"test:{uuid.uuid4().hex}")
    started = time.monotonic()
    slot = budget.acquire()
    time.sleep(0.1)
    budget.done(slot)
    budget.acquire()
    assert time.monotonic() - started >= 0.3


GRANTS_SCRIPT = """
import json, sys, time
sys.path.insert(0, sys.argv[1])
from ingestion.sources.ratelimit import RedisRateBudget
budget = RedisRateBudget(
    "grants", int(sys.argv[4]), float(sys.argv[5]), margin=0.1, redis_url=sys.argv[2], prefix=sys.argv[3]
)
print("ready", flush=True)
sys.stdin.readline()
grants = []
for _ in range(int(sys.argv[6])):
    budget.done(budget.acquire(), skip_within_margin=False)
    grants.append(time.time())
print(json.dumps(grants), flush=True)
"""


def test_redis_budget_is_shared_by_two_processes(redis_url):
    limit, window, each = 8, 0.25, 30
    prefix = f"test:{uuid.uuid4().hex}"
    args = [sys.executable, "-c", GRANTS_SCRIPT, str(ROOT), redis_url, prefix, str(limit), str(window), str(each)]
    processes = [subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True) for _ in range(2)]
    for process in processes:
        assert process.stdout.readline().strip() == "ready"
    for process in processes:
        process.stdin.write("go\n")
        process.stdin.flush()
    grants = []
    for process in processes:
        out, _ = process.communicate(timeout=60)
        grants.extend(json.loads(out))
    assert len(grants) == 2 * each
    # Grants are 10% of a window further apart than the limit needs (the margin), so the time each process
    # reads after its grant may lag a little without the check below seeing one grant too many.
    assert max_in_window(grants, window) <= limit
    assert max(grants) - min(grants) >= (2 * each // limit - 1) * window  # throttled, not merely counted
