"""Health: /health/ answers without dependencies; /health/ready/ reports each dependency (names and states only) and
503s when one is down, 200 "degraded" when only the cache is."""

import socket

import environ
import pytest
import redis
from django.test import override_settings

from config.caches import cache_from_env

pytestmark = pytest.mark.django_db
CHECKS = {"database", "cache", "broker", "storage"}


def closed_port() -> int:
    """A local TCP port nothing listens on (the last one handed out is closed_port.last)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port.last = probe.getsockname()[1]
        return closed_port.last


@pytest.fixture
def redis_broker():
    """A Redis URL for the broker check; skipped when Redis is not running."""
    try:
        redis.Redis(host="127.0.0.1", port=6379, socket_connect_timeout=2).ping()
    except redis.ConnectionError:
        pytest.skip("Redis is not running on 127.0.0.1:6379")
    return "redis://127.0.0.1:6379/15"


def test_liveness_and_readiness_need_no_credentials(client):
    assert client.get("/health/").status_code == 200
    assert client.get("/health/ready/").status_code in (200, 503)  # never 401


def test_ready_reports_every_dependency_ok(client, redis_broker):
    with override_settings(CELERY_TASK_ALWAYS_EAGER=False, CELERY_BROKER_URL=redis_broker):
        response = client.get("/health/ready/")
    body = response.json()
    assert response.status_code == 200, body
    assert body["status"] == "ok" and set(body["checks"]) == CHECKS
    assert all(check["status"] == "ok" for check in body["checks"].values())


def test_ready_is_503_when_the_broker_is_down(client):
    broker = f"redis://127.0.0.1:{closed_port()}/0"
    with override_settings(CELERY_TASK_ALWAYS_EAGER=False, CELERY_BROKER_URL=broker):
        response = client.get("/health/ready/")
    body = response.json()
    assert response.status_code == 503 and body["status"] == "unavailable"
    assert body["checks"]["broker"] == {"status": "error"}  # names and states only: no host or port
    assert body["checks"]["database"]["status"] == "ok"
    assert str(closed_port.last) not in response.content.decode()


def test_ready_reports_the_cache_degraded_not_down_when_redis_is_unreachable(client):
    port = closed_port()
    with override_settings(CACHES=cache_from_env(environ.Env(), f"redis://127.0.0.1:{port}/0")):
        response = client.get("/health/ready/")
    body = response.json()
    assert response.status_code == 200 and body["status"] == "degraded"  # Redis is an accelerator
    assert body["checks"]["cache"] == {"status": "degraded"}
    assert body["checks"]["database"]["status"] == "ok" and body["checks"]["storage"]["status"] == "ok"
    assert str(port) not in response.content.decode()
