"""Issue 11's findings, each as an attack that used to give a 500 (or succeed) and now gets a 4xx or is stopped."""

import csv
import importlib
import io
import os
import socket
import subprocess
import sys

import environ
import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from config.caches import cache_from_env
from config.settings.base import LOCAL_SECRET_KEY
from instruments.models import Instrument
from marketdata.api import authentication
from marketdata.api.parsers import json_depth
from marketdata.selectors import data_version
from marketdata.services import api_key_issue
from tests.conftest import ROOT
from tests.factories import InstrumentFactory

from .access import PASSWORD, api_key_header, bearer, role_user

JSON = "application/json"
pytestmark = pytest.mark.django_db


def deep_array(depth: int) -> str:
    """A JSON text of `depth` nested arrays."""
    return "[" * depth + "]" * depth


# 2. Deeply nested JSON


def test_json_depth_counts_nesting_and_ignores_brackets_in_strings():
    assert json_depth(b"1") == 0
    assert json_depth(b'{"a": [1, {"b": []}]}') == 4
    assert json_depth(b'["[[[[", "\\"[[[", {"k": "]]]}"}]') == 2


def test_deeply_nested_json_to_the_token_endpoint_is_a_400_not_a_500(client):
    response = client.post("/api/v1/auth/token/", deep_array(5000), content_type=JSON)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "parse_error" and "levels deep" in response.json()["error"]["message"]


def test_deeply_nested_json_to_lookup_is_a_400_and_normal_bodies_still_work(client):
    headers = {"Authorization": bearer(role_user("analyst"))}
    response = client.post("/api/v1/instruments/lookup/", deep_array(5000), content_type=JSON, headers=headers)
    assert response.status_code == 400 and response.json()["error"]["code"] == "parse_error"
    response = client.post(
        "/api/v1/instruments/lookup/", {"isins": ["XS0000000009"]}, content_type=JSON, headers=headers
    )
    assert response.status_code == 200


# 8. CSV formula injection


def test_export_escapes_cells_that_a_spreadsheet_would_run_as_formulas(client):
    names = ['=HYPERLINK("http://x")', "+1+1", "-2+3", "@SUM(A1)", "\tTAB", "\rCR", "Plain name", "a=b"]
    Instrument.objects.bulk_create([InstrumentFactory.build(full_name=name) for name in names])
    headers = {"Authorization": bearer(role_user("analyst"))}
    response = client.get("/api/v1/instruments/export/", headers=headers)
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    exported = {row["full_name"] for row in rows}
    assert exported == {"'" + name for name in names[:6]} | {"Plain name", "a=b"}


# 4. Redis unreachable


@pytest.fixture
def redis_down(settings):
    """The settings' Redis cache (config/caches.py) pointed at a closed port, instruments/{isin}/ caching on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.CACHES = cache_from_env(environ.Env(), f"redis://127.0.0.1:{port}/0")
    settings.API_DETAIL_CACHE_SECONDS = 300
    authentication._HELD.clear()
    yield port
    authentication._HELD.clear()


def test_with_redis_down_api_keys_are_verified_against_the_database(client, redis_down):
    user = role_user("analyst")
    header = {"Authorization": api_key_header(user)}
    for _ in range(2):
        authentication._HELD.clear()  # no process memory: every request goes to the cache, then the database
        assert client.get("/api/v1/venues/", headers=header).status_code == 200
    assert client.get("/api/v1/venues/", headers={"Authorization": "Api-Key abcd1234.wrong"}).status_code == 401


def test_with_redis_down_the_instrument_detail_is_read_from_the_database(client, redis_down):
    isin = InstrumentFactory(full_name="First").isin
    headers = {"Authorization": bearer(role_user("analyst"))}
    assert client.get(f"/api/v1/instruments/{isin}/", headers=headers).json()["full_name"] == "First"
    Instrument.objects.filter(isin=isin).update(full_name="Second")
    assert client.get(f"/api/v1/instruments/{isin}/", headers=headers).json()["full_name"] == "Second"


def test_with_redis_down_the_admin_login_works(client, redis_down):
    root = get_user_model().objects.create_superuser("root", "root@example.com", PASSWORD)
    api_key_issue(user=root, name="root's key")  # a login saves the user, which drops the user's keys from the cache
    response = client.post("/admin/login/?next=/admin/", {"username": "root", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_with_redis_down_revoke_api_key_completes(redis_down):
    api_key, raw_key = api_key_issue(user=role_user("analyst"), name="ci")
    out = io.StringIO()
    call_command("revoke_api_key", api_key.prefix, stdout=out)
    api_key.refresh_from_db()
    assert api_key.revoked_at is not None


def test_with_redis_down_the_data_version_is_fresh_not_missing(redis_down):
    first, second = data_version(), data_version()
    assert isinstance(first, int) and second > first  # no response cached under it can be served


# 6. Throttling before authentication


@pytest.fixture
def strict_limits(settings):
    """Small per-IP limits before authentication (hourly windows: a test never straddles a window's end)."""
    settings.API_RATE_LIMITS = {**settings.API_RATE_LIMITS, "anonymous": ["5/h"], "failed_credentials": ["5/h"]}


def test_anonymous_requests_from_one_ip_get_429_with_retry_after(client, strict_limits):
    statuses = [client.get("/api/v1/venues/").status_code for _ in range(5)]
    assert statuses == [401] * 5
    limited = client.get("/api/v1/venues/")
    assert limited.status_code == 429 and 1 <= int(limited["Retry-After"]) <= 3600
    assert limited.json()["error"]["code"] == "throttled"
    other_ip = client.get("/api/v1/venues/", REMOTE_ADDR="10.0.0.9")
    assert other_ip.status_code == 401  # counted per IP


@pytest.mark.parametrize(
    "header", ["Api-Key deadbeef.guessed-secret-{n}", "Bearer not-a-jwt-{n}", "Token cafebabe.guess-{n}"]
)
def test_guessed_credentials_from_one_ip_are_refused_before_any_lookup(client, strict_limits, header):
    statuses = [
        client.get("/api/v1/venues/", headers={"Authorization": header.format(n=n)}).status_code for n in range(6)
    ]
    assert statuses == [401] * 6  # the sixth failure exceeds the limit and blocks the IP
    with CaptureQueriesContext(connection) as queries:
        blocked = client.get("/api/v1/venues/", headers={"Authorization": header.format(n=99)})
    assert blocked.status_code == 429 and int(blocked["Retry-After"]) >= 1
    assert len(queries) == 0  # no key, token or session looked up
    analyst = client.get(
        "/api/v1/venues/", headers={"Authorization": bearer(role_user("analyst"))}, REMOTE_ADDR="10.0.0.2"
    )
    assert analyst.status_code == 200  # another IP is not blocked


def test_wrong_passwords_to_the_token_endpoint_are_throttled(client, strict_limits):
    role_user("admin")
    body = {"username": "admin-user", "password": "wrong"}
    statuses = [client.post("/api/v1/auth/token/", body, content_type=JSON).status_code for _ in range(8)]
    assert 429 in statuses and statuses[0] == 401


def test_admin_login_locks_out_after_repeated_wrong_passwords(client):
    get_user_model().objects.create_superuser("root", "root@example.com", PASSWORD)
    for _ in range(settings_value("AXES_FAILURE_LIMIT")):
        response = client.post("/admin/login/", {"username": "root", "password": "guess"})
        assert response.status_code in (200, 429)
    locked = client.post("/admin/login/?next=/admin/", {"username": "root", "password": PASSWORD})
    assert locked.status_code == 429  # even the right password, until the cool-off ends
    assert client.get("/admin/").status_code == 302  # not logged in
    assert (
        client.post("/admin/login/", {"username": "root", "password": PASSWORD}, REMOTE_ADDR="10.0.0.3").status_code
        == 302
    )


def settings_value(name: str):
    """A setting's value."""
    from django.conf import settings

    return getattr(settings, name)


# 10. Headers and secrets


def test_every_response_has_a_content_security_policy(client):
    for url in ("/admin/login/", "/api/v1/venues/", "/api/docs/", "/health/"):
        policy = client.get(url)["Content-Security-Policy"]
        assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy, url
    page = client.get("/api/docs/").content.decode()
    assert "<script>" not in page  # Swagger UI's init script is a file, which the policy allows


def test_production_sends_hsts_for_a_year_with_subdomains_and_preload(monkeypatch):
    monkeypatch.setenv("DJANGO_SECRET_KEY", "a-key-for-this-import-only")
    production = importlib.import_module("config.settings.production")
    assert production.SECURE_HSTS_SECONDS >= 31_536_000
    assert production.SECURE_HSTS_INCLUDE_SUBDOMAINS and production.SECURE_HSTS_PRELOAD


STARTUP = "import django; django.setup(); from django.conf import settings; print(settings.DEBUG)"


def start(settings_module: str, **variables) -> subprocess.CompletedProcess:
    """django.setup() in a fresh process with these settings and variables, and no DJANGO_SECRET_KEY unless given."""
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SECRET_KEY", "DJANGO_DEBUG")}
    env.update(DJANGO_SETTINGS_MODULE=settings_module, **variables)
    return subprocess.run(
        [sys.executable, "-c", STARTUP], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )


def test_settings_without_debug_refuse_to_start_without_a_secret_key():
    for module in ("config.settings.local", "config.settings.base"):
        refused = start(module, DJANGO_DEBUG="False")
        assert refused.returncode != 0 and "SECRET_KEY" in refused.stderr.splitlines()[-1], module
    repository_key = start("config.settings.local", DJANGO_DEBUG="False", DJANGO_SECRET_KEY=LOCAL_SECRET_KEY)
    assert repository_key.returncode != 0 and "DJANGO_SECRET_KEY is required" in repository_key.stderr
    assert start("config.settings.local").stdout.strip() == "True"  # local development: DEBUG on, the local key
    assert start("config.settings.local", DJANGO_DEBUG="False", DJANGO_SECRET_KEY="k" * 50).returncode == 0


# 7. Run errors


def test_a_failed_run_stores_the_message_without_server_paths_and_logs_the_traceback(caplog):
    from ingestion.services import ingestion_run

    with pytest.raises(FileNotFoundError), ingestion_run("firds", "x.zip") as (run, _):
        open("/srv/marketdata/var/files/firds/missing.zip")  # noqa: SIM115 - the error is the point
    run.refresh_from_db()
    assert run.status == "failed"
    assert run.error == "FileNotFoundError: [Errno 2] No such file or directory: 'missing.zip'"
    assert "Traceback" in caplog.text and "/srv/marketdata/var/files/firds/missing.zip" in caplog.text


def test_run_error_messages_keep_urls_and_file_names_but_no_folders():
    from ingestion.services import run_error_message

    assert run_error_message(ValueError(r"bad C:\data\in\f.xml")) == "ValueError: bad f.xml"
    url = "https://registers.esma.europa.eu/solr/esma_registers_firds_files/select?q=1"
    assert run_error_message(RuntimeError(f"503 for {url}")) == f"RuntimeError: 503 for {url}"
    assert (
        run_error_message(ValueError("line 3 of /tmp/a/b.xml, ratio 1/2")) == "ValueError: line 3 of b.xml, ratio 1/2"
    )


def test_curators_see_the_run_error_as_a_message_and_analysts_do_not_see_runs(client):
    from tests.factories import IngestionRunFactory

    run = IngestionRunFactory(status="failed", error="ValueError: broken.zip is not a zip file")
    curator = {"Authorization": bearer(role_user("curator"))}
    assert client.get(f"/api/v1/ingestion/runs/{run.pk}/", headers=curator).json()["error"] == run.error
    analyst = {"Authorization": bearer(role_user("analyst"))}
    assert client.get(f"/api/v1/ingestion/runs/{run.pk}/", headers=analyst).status_code == 403
