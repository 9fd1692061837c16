"""Rate limits: per user (per IP when anonymous), stricter scopes, 429 with Retry-After and a JSON body."""

import time

import pytest
from django.test import RequestFactory, override_settings
from django_ratelimit.core import get_usage

from marketdata.api.throttling import rate_limit_key

from .access import bearer, role_user

JSON = "application/json"
pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.api.probe_urls")]
PROBE = "/api/v1/probe/"


def wait_for_fresh_window(group: str, rate: str, user=None, needed_seconds: int = 6, **meta) -> None:
    """Sleep past the end of the current fixed window when fewer than `needed_seconds` remain in it."""
    from django.contrib.auth.models import AnonymousUser

    request = RequestFactory().get("/", **meta)
    request.user = user or AnonymousUser()
    time_left = get_usage(request, group=group, key=rate_limit_key, rate=rate)["time_left"]
    if time_left < needed_seconds:
        time.sleep(time_left + 1)


def test_the_101st_request_in_a_minute_gets_429_with_retry_after(client):
    user, other = role_user("analyst"), role_user("curator")
    wait_for_fresh_window("api:default", "100/m", user)
    headers = {"Authorization": bearer(user)}
    statuses = [client.get(PROBE, headers=headers).status_code for _ in range(100)]
    assert statuses == [200] * 100
    limited = client.get(PROBE, headers=headers)
    assert limited.status_code == 429
    assert 1 <= int(limited.headers["Retry-After"]) <= 60
    error = limited.json()["error"]
    assert error["code"] == "throttled" and error["details"]["retry_after"] == int(limited.headers["Retry-After"])
    # Counted per user: another user (same IP) is not limited.
    assert client.get(PROBE, headers={"Authorization": bearer(other)}).status_code == 200


def test_token_endpoint_allows_10_attempts_a_minute_per_ip(client):
    wait_for_fresh_window("api:token", "10/m")
    attempts = [
        client.post("/api/v1/auth/token/", {"username": "x", "password": "y"}, content_type=JSON).status_code
        for _ in range(10)
    ]
    assert attempts == [401] * 10  # wrong credentials, but counted
    response = client.post("/api/v1/auth/token/", {"username": "x", "password": "y"}, content_type=JSON)
    assert response.status_code == 429 and "Retry-After" in response.headers
    other_ip = client.post(
        "/api/v1/auth/token/", {"username": "x", "password": "y"}, content_type=JSON, REMOTE_ADDR="10.1.2.3"
    )
    assert other_ip.status_code == 401


def test_expensive_views_have_their_own_stricter_limit(client):
    user = role_user("analyst")
    wait_for_fresh_window("api:expensive", "10/m", user)
    headers = {"Authorization": bearer(user)}
    assert [client.get("/api/v1/probe/expensive/", headers=headers).status_code for _ in range(10)] == [200] * 10
    assert client.get("/api/v1/probe/expensive/", headers=headers).status_code == 429
    assert client.get(PROBE, headers=headers).status_code == 200  # ordinary reads go on


@override_settings(API_RATE_LIMITS={"default": ["5/m", "3/h"]})
def test_limits_come_from_settings_and_the_hourly_one_counts_too(client):
    user = role_user("analyst")
    wait_for_fresh_window("api:default", "3/h", user)
    headers = {"Authorization": bearer(user)}
    statuses = [client.get(PROBE, headers=headers) for _ in range(4)]
    assert [response.status_code for response in statuses] == [200, 200, 200, 429]
    # Four requests stay under 5/m: the 429 comes from the hour's window, and Retry-After is what is left of it
    # (django-ratelimit offsets each key's window, so that can be anything from 1 s to an hour).
    request = RequestFactory().get("/")
    request.user = user
    hour_left = get_usage(request, group="api:default", key=rate_limit_key, rate="3/h")["time_left"]
    assert abs(int(statuses[-1].headers["Retry-After"]) - hour_left) <= 2


@override_settings(API_RATE_LIMITS={"default": []})
def test_an_empty_list_switches_a_scope_off(client):
    headers = {"Authorization": bearer(role_user("analyst"))}
    assert {client.get(PROBE, headers=headers).status_code for _ in range(120)} == {200}


@override_settings(API_RATE_LIMITS={"default": [], "token": ["2/m"]}, API_CLIENT_IP_HEADER="HTTP_X_FORWARDED_FOR")
def test_behind_a_proxy_anonymous_clients_are_counted_by_the_forwarded_address(client):
    def attempt(forwarded):
        body = {"username": "x", "password": "y"}
        return client.post("/api/v1/auth/token/", body, content_type=JSON, HTTP_X_FORWARDED_FOR=forwarded).status_code

    wait_for_fresh_window("api:token", "2/m", needed_seconds=3, HTTP_X_FORWARDED_FOR="203.0.113.7")
    assert [attempt("203.0.113.7, 10.0.0.1") for _ in range(3)] == [401, 401, 429]
    assert attempt("198.51.100.9, 10.0.0.1") == 401  # another client behind the same proxy
