"""Rate limits are shared between server processes through Redis (two gunicorn processes, one budget)."""

import os

import httpx
import pytest
import redis

from .access import bearer, role_user
from .servers import gunicorn_servers
from .test_ratelimit import wait_for_fresh_window

REDIS_HOST, REDIS_PORT = "127.0.0.1", 6379


def spare_redis_db() -> int:
    """A Redis database number of its own for each xdist worker (12, 13, ...)."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    return 12 + int(worker.removeprefix("gw") or 0) % 4


@pytest.fixture
def redis_url():
    """A flushed spare Redis database; the test is skipped when Redis is not running."""
    db = spare_redis_db()
    client = redis.Redis(host=REDIS_HOST, port=REDIS_PORT, db=db, socket_connect_timeout=2)
    try:
        client.flushdb()
    except redis.ConnectionError:
        pytest.skip(f"Redis is not running on {REDIS_HOST}:{REDIS_PORT}")
    yield f"redis://{REDIS_HOST}:{REDIS_PORT}/{db}"
    client.flushdb()
    client.close()


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_two_server_processes_share_one_budget_through_redis(redis_url):
    user = role_user("analyst")
    wait_for_fresh_window("api:default", "100/m", user)
    headers = {"Authorization": bearer(user)}
    with gunicorn_servers(2, "tests.api.probe_settings", {"REDIS_URL": redis_url}) as (first, second):
        with httpx.Client(headers=headers, timeout=30) as client:
            statuses = [client.get(f"{(first, second)[i % 2]}/api/v1/probe/").status_code for i in range(100)]
            assert statuses == [200] * 100  # 50 on each process
            for server in (first, second):  # each process has seen only 50, yet both refuse the 101st
                response = client.get(f"{server}/api/v1/probe/")
                assert response.status_code == 429
                assert int(response.headers["Retry-After"]) >= 1
                assert response.json()["error"]["code"] == "throttled"
