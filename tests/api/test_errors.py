"""One error shape everywhere: DRF errors, Django 404/500 under /api/, HTML elsewhere, documented in the schema."""

import pytest
from django.test import Client

from .access import bearer, role_user

JSON = "application/json"
pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.api.probe_urls")]


def assert_error_shape(response, status: int, code: str) -> dict:
    """The response is JSON {"error": {"code", "message", "details"}} with this status and code."""
    assert response.status_code == status
    assert response.headers["Content-Type"].startswith("application/json")
    error = response.json()["error"]
    assert set(error) == {"code", "message", "details"} and error["code"] == code
    assert isinstance(error["message"], str) and error["message"]
    assert isinstance(error["details"], dict)
    return error


def test_unknown_api_path_is_a_json_404_and_other_paths_keep_html(client):
    assert_error_shape(client.get("/api/v1/no-such-endpoint/"), 404, "not_found")
    page = client.get("/no-such-page/")
    assert page.status_code == 404 and page.headers["Content-Type"].startswith("text/html")


def test_a_crash_in_an_api_view_is_a_json_500_and_other_paths_keep_html():
    client = Client(raise_request_exception=False)
    headers = {"Authorization": bearer(role_user("analyst"))}
    error = assert_error_shape(client.get("/api/v1/probe/boom/", headers=headers), 500, "server_error")
    assert "probe failure" not in error["message"]  # no internals leak
    page = client.get("/plain/boom/")
    assert page.status_code == 500 and page.headers["Content-Type"].startswith("text/html")


def test_drf_errors_share_the_shape(client):
    assert_error_shape(client.get("/api/v1/probe/"), 401, "not_authenticated")
    analyst = {"Authorization": bearer(role_user("analyst"))}
    assert_error_shape(client.post("/api/v1/probe/", {}, content_type=JSON, headers=analyst), 403, "permission_denied")
    curator = {"Authorization": bearer(role_user("curator"))}
    assert_error_shape(client.delete("/api/v1/probe/", headers=curator), 405, "method_not_allowed")
    error = assert_error_shape(
        client.post("/api/v1/auth/token/", {"username": "someone"}, content_type=JSON), 400, "invalid"
    )
    assert error["message"].startswith("password:") and "password" in error["details"]


def test_malformed_json_is_a_400_in_the_shape(client):
    headers = {"Authorization": bearer(role_user("curator"))}
    response = client.post("/api/v1/probe/", "{not json", content_type="application/json", headers=headers)
    assert_error_shape(response, 400, "parse_error")


def test_the_api_takes_json_bodies_only(client):
    headers = {"Authorization": bearer(role_user("curator"))}
    assert_error_shape(client.post("/api/v1/probe/", {"a": "1"}, headers=headers), 415, "unsupported_media_type")
    assert client.post("/api/v1/probe/", {"a": "1"}, content_type=JSON, headers=headers).json()["fields"] == 1
