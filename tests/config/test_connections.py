"""Connection reuse: persistent connections with health checks, or psycopg's pool, against the local PostgreSQL."""

import environ
import psycopg
import pytest
from django.db import OperationalError
from django.db.utils import ConnectionHandler

from config.databases import database_from_env
from tests.config.test_databases import AZURE_REQUIRED, DATABASE_VARIABLES

REUSE_VARIABLES = ("DB_CONN_HEALTH_CHECKS", "DB_POOL", "DB_POOL_MIN_SIZE", "DB_POOL_MAX_SIZE", "DB_POOL_TIMEOUT")
LOCAL_PG = {"DATABASE_TYPE": "postgresql", "POSTGRES_DB": "postgres", "POSTGRES_USER": "postgres"}


@pytest.fixture
def build(monkeypatch, tmp_path):
    """database_from_env with exactly the given variables set."""

    def _build(**variables):
        for name in DATABASE_VARIABLES + REUSE_VARIABLES:
            monkeypatch.delenv(name, raising=False)
        for name, value in variables.items():
            monkeypatch.setenv(name, value)
        return database_from_env(environ.Env(), tmp_path)

    return _build


@pytest.fixture
def unblocked(django_db_blocker):
    """Database access for connections outside the test database (these tests open their own)."""
    with django_db_blocker.unblock():
        yield


def _wrapper(config: dict):
    """A connection for the DATABASES entry, outside the project's own connections."""
    return ConnectionHandler({"default": config})["default"]


def _terminate(pid: int) -> None:
    """Drop a server connection the way a restart or failover does."""
    with psycopg.connect(host="127.0.0.1", user="postgres", dbname="postgres", autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", [pid])


@pytest.mark.parametrize(
    "variables",
    [
        LOCAL_PG,
        {"DATABASE_TYPE": "postgresql", "DATABASE_URL": "postgres://u@db/md"},
        {"DATABASE_TYPE": "azure_sql", **AZURE_REQUIRED},
    ],
)
def test_server_databases_keep_connections_and_check_them(build, variables):
    config = build(**variables)
    assert (config["CONN_MAX_AGE"], config["CONN_HEALTH_CHECKS"]) == (60, True)
    assert "pool" not in config["OPTIONS"]


def test_reuse_variables_are_read(build):
    config = build(**LOCAL_PG, DB_CONN_MAX_AGE="0", DB_CONN_HEALTH_CHECKS="false")
    assert (config["CONN_MAX_AGE"], config["CONN_HEALTH_CHECKS"]) == (0, False)


def test_a_dropped_connection_is_replaced_at_the_next_request(build, unblocked):
    """With health checks, a persistent connection the server dropped is reopened; without them the request fails."""
    for checks, survives in (("true", True), ("false", False)):
        connection = _wrapper(build(**LOCAL_PG, DB_CONN_HEALTH_CHECKS=checks))
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                pid = cursor.fetchone()[0]
            _terminate(pid)
            connection.close_if_unusable_or_obsolete()  # what Django does when a request starts
            if survives:
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_backend_pid()")
                    assert cursor.fetchone()[0] != pid
            else:
                with pytest.raises(OperationalError), connection.cursor() as cursor:
                    cursor.execute("SELECT 1")
        finally:
            connection.close()


def test_pool_serves_connections_from_psycopg_pool(build, unblocked):
    config = build(**LOCAL_PG, DB_POOL="true", DB_POOL_MAX_SIZE="3")
    assert config["CONN_MAX_AGE"] == 0
    assert {key: config["OPTIONS"]["pool"][key] for key in ("min_size", "max_size", "timeout")} == {
        "min_size": 2,
        "max_size": 3,
        "timeout": 10.0,
    }
    connection = _wrapper(config)
    try:
        for _ in range(3):  # each use takes a connection from the pool and gives it back on close
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1")
                assert cursor.fetchone() == (1,)
            connection.close()
        assert connection.pool is not None and connection.pool.get_stats()["pool_max"] == 3
    finally:
        connection.close_pool()
