"""Timeouts: a database that accepts connections but never answers costs a bounded wait, never a hung worker."""

import json
import os
import re
import socket
import subprocess
import sys
import threading
import time

import environ
import psycopg
import pytest
from django.db import OperationalError
from django.db.utils import ConnectionHandler

from config.databases import database_from_env
from tests.conftest import ROOT


@pytest.fixture
def silent_server():
    """A local TCP server that accepts every connection, reads what it is sent and never answers; its port."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    held, stop = [], threading.Event()

    def accept():
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(server.accept()[0])
            except TimeoutError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield server.getsockname()[1]
    stop.set()
    thread.join(2)
    for connection in held:
        connection.close()
    server.close()


def postgresql_entry(monkeypatch, tmp_path, **variables) -> dict:
    """database_from_env for PostgreSQL with these variables (DATABASE_URL unset)."""
    monkeypatch.delenv("DATABASE_URL", raising=False)
    for name, value in {"DATABASE_TYPE": "postgresql", **variables}.items():
        monkeypatch.setenv(name, value)
    return database_from_env(environ.Env(), tmp_path)


def test_postgresql_connect_gives_up_on_a_server_that_never_answers(
    monkeypatch, tmp_path, silent_server, django_db_blocker
):
    config = postgresql_entry(
        monkeypatch,
        tmp_path,
        POSTGRES_HOST="127.0.0.1",
        POSTGRES_PORT=str(silent_server),
        DB_CONNECT_TIMEOUT_SECONDS="1",
    )
    wrapper = ConnectionHandler({"default": config})["default"]
    outcome = {}

    def connect():
        started = time.monotonic()
        try:
            with django_db_blocker.unblock():
                wrapper.ensure_connection()
        except OperationalError as error:
            outcome["error"] = error
        outcome["seconds"] = time.monotonic() - started

    thread = threading.Thread(target=connect, daemon=True)
    thread.start()
    thread.join(15)
    assert not thread.is_alive(), "the connection attempt hung"
    assert "error" in outcome and outcome["seconds"] < 5, outcome


def test_postgresql_sessions_have_a_statement_timeout(monkeypatch, tmp_path):
    config = postgresql_entry(
        monkeypatch,
        tmp_path,
        POSTGRES_HOST="127.0.0.1",
        POSTGRES_PORT="5432",
        POSTGRES_USER="postgres",
        POSTGRES_DB="postgres",
        DB_STATEMENT_TIMEOUT_SECONDS="1",
    )
    assert config["OPTIONS"]["connect_timeout"] == 5  # the default
    try:
        connection = psycopg.connect(
            host="127.0.0.1", port=5432, user="postgres", dbname="postgres", **config["OPTIONS"]
        )
    except psycopg.OperationalError:
        pytest.skip("PostgreSQL is not running on 127.0.0.1:5432")
    with connection, pytest.raises(psycopg.errors.QueryCanceled):
        connection.execute("SELECT pg_sleep(5)")


def test_database_url_keeps_its_own_options_over_the_timeouts(monkeypatch, tmp_path):
    config = postgresql_entry(monkeypatch, tmp_path, DATABASE_URL="postgres://u:p@db:5432/md?connect_timeout=9")
    assert config["OPTIONS"]["connect_timeout"] == 9
    assert config["OPTIONS"]["options"] == "-c statement_timeout=300000"


def test_sql_server_gets_a_login_and_a_query_timeout(monkeypatch, tmp_path):
    variables = {
        "DATABASE_TYPE": "azure_sql",
        "AZURE_SQL_SERVER": "db.example",
        "AZURE_SQL_DATABASE": "md",
        "AZURE_SQL_USERNAME": "u",
        "AZURE_SQL_PASSWORD": "p",
        "DB_CONNECT_TIMEOUT_SECONDS": "7",
        "DB_STATEMENT_TIMEOUT_SECONDS": "60",
    }
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    options = database_from_env(environ.Env(), tmp_path)["OPTIONS"]
    assert (options["connection_timeout"], options["query_timeout"]) == (7, 60)


READY_PROBE = """
import json, time, django
django.setup()
from django.test import Client
started = time.monotonic()
response = Client().get("/health/ready/", HTTP_HOST="localhost")
print(json.dumps({"status": response.status_code, "type": response["Content-Type"], "body": response.json(),
                  "seconds": time.monotonic() - started}))
"""


def test_health_ready_answers_503_json_in_time_when_the_database_never_answers(silent_server):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_TYPE": "postgresql",
        "POSTGRES_HOST": "127.0.0.1",
        "POSTGRES_PORT": str(silent_server),
        "DB_CONNECT_TIMEOUT_SECONDS": "60",  # longer than the deadline: only the deadline bounds the answer
        "HEALTH_READY_TIMEOUT_SECONDS": "2",
    }
    env.pop("DATABASE_URL", None)
    result = subprocess.run(
        [sys.executable, "-c", READY_PROBE], cwd=ROOT, env=env, capture_output=True, text=True, timeout=30
    )
    assert result.returncode == 0, result.stderr[-2000:]
    answer = json.loads(result.stdout.strip().splitlines()[-1])
    assert answer["status"] == 503 and answer["type"].startswith("application/json")
    assert answer["body"]["checks"]["database"] == {"status": "timeout"}
    assert answer["seconds"] < 5, answer


def test_gunicorn_timeout_is_above_the_readiness_deadline():
    dockerfile = (ROOT / "Dockerfile").read_text()
    gunicorn_timeout = int(re.search(r"gunicorn .*--timeout (\d+)", dockerfile).group(1))
    assert gunicorn_timeout > 3 * environ.Env().float("HEALTH_READY_TIMEOUT_SECONDS", default=3.0)
