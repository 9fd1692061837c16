"""DATABASE_TYPE switching: each backend's DATABASES entry, and start-up errors naming the variable."""

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import environ
import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db.utils import ConnectionHandler

from config.databases import database_from_env
from tests.conftest import ROOT

AZURE_REQUIRED = {
    "AZURE_SQL_SERVER": "marketdata.database.windows.net",
    "AZURE_SQL_DATABASE": "marketdata",
    "AZURE_SQL_USERNAME": "app",
    "AZURE_SQL_PASSWORD": "s3cret",
}
DATABASE_VARIABLES = (
    "DATABASE_TYPE",
    "DATABASE_URL",
    "SQLITE_DB_PATH",
    "SQLITE_MMAP_SIZE",
    "POSTGRES_DB",
    "POSTGRES_USER",
    "POSTGRES_PASSWORD",
    "POSTGRES_HOST",
    "POSTGRES_PORT",
    "DB_CONN_MAX_AGE",
    "AZURE_SQL_SERVER",
    "AZURE_SQL_DATABASE",
    "AZURE_SQL_USERNAME",
    "AZURE_SQL_PASSWORD",
    "AZURE_SQL_PORT",
    "AZURE_SQL_AUTH_METHOD",
    "AZURE_SQL_TRUST_SERVER_CERTIFICATE",
    "AZURE_SQL_DRIVER",
    "AZURE_CLIENT_ID",
)


@pytest.fixture
def build(monkeypatch, tmp_path):
    """database_from_env with exactly the given variables set (all others of its kind removed)."""

    def _build(**variables):
        for name in DATABASE_VARIABLES:
            monkeypatch.delenv(name, raising=False)
        for name, value in variables.items():
            monkeypatch.setenv(name, value)
        return database_from_env(environ.Env(), tmp_path)

    return _build


def _mssql_connection_string(config: dict) -> str:
    """The ODBC string mssql-django would hand the driver for this entry (built without connecting)."""
    wrapper = ConnectionHandler({"default": config})["default"]
    return wrapper._build_connection_string(wrapper.get_connection_params(), config["OPTIONS"]["driver"])


def test_sqlite_is_the_default_with_wal(build, tmp_path):
    config = build()
    assert config["ENGINE"] == "django.db.backends.sqlite3"
    assert config["NAME"] == str(tmp_path / "var" / "marketdata.sqlite3")
    assert "journal_mode=WAL" in config["OPTIONS"]["init_command"]


@pytest.mark.parametrize(("variables", "expected"), [({}, 2**30), ({"SQLITE_MMAP_SIZE": "0"}, 0)])
def test_sqlite_connections_read_through_a_memory_map_unless_turned_off(build, variables, expected):
    config = build(**variables)
    connection = sqlite3.connect(config["NAME"])
    try:
        connection.executescript(config["OPTIONS"]["init_command"])  # as Django runs it on each new connection
        assert connection.execute("PRAGMA mmap_size").fetchone()[0] == expected
    finally:
        connection.close()


def test_sqlite_path_comes_from_sqlite_db_path(build, tmp_path):
    path = tmp_path / "elsewhere" / "db.sqlite3"
    config = build(DATABASE_TYPE="SQLite", SQLITE_DB_PATH=str(path))
    assert config["NAME"] == str(path)
    assert path.parent.is_dir()


def test_sqlite_really_opens_in_wal_mode(build, django_db_blocker):
    wrapper = ConnectionHandler({"default": build()})["default"]
    try:
        with django_db_blocker.unblock(), wrapper.cursor() as cursor:
            cursor.execute("PRAGMA journal_mode")
            assert cursor.fetchone()[0] == "wal"
    finally:
        wrapper.close()


def test_postgresql_from_postgres_variables(build):
    config = build(
        DATABASE_TYPE="postgresql",
        POSTGRES_DB="md",
        POSTGRES_USER="u",
        POSTGRES_PASSWORD="p",
        POSTGRES_HOST="db.internal",
        POSTGRES_PORT="6432",
    )
    assert config["ENGINE"] == "django.db.backends.postgresql"
    assert (config["NAME"], config["USER"], config["PASSWORD"], config["HOST"], config["PORT"]) == (
        "md",
        "u",
        "p",
        "db.internal",
        "6432",
    )


def test_postgresql_from_database_url(build):
    config = build(DATABASE_TYPE="postgresql", DATABASE_URL="postgres://u:p@db.internal:6432/md")
    assert config["ENGINE"] == "django.db.backends.postgresql"
    assert (config["NAME"], config["USER"], config["HOST"], config["PORT"]) == ("md", "u", "db.internal", 6432)


def test_postgresql_rejects_a_database_url_of_another_kind(build):
    with pytest.raises(ImproperlyConfigured, match="DATABASE_URL must be a postgres:// URL"):
        build(DATABASE_TYPE="postgresql", DATABASE_URL="mysql://u:p@h/db")


def test_azure_sql_with_sql_authentication(build):
    config = build(DATABASE_TYPE="azure_sql", **AZURE_REQUIRED)
    assert config["ENGINE"] == "mssql"
    assert (config["HOST"], config["NAME"], config["PORT"]) == ("marketdata.database.windows.net", "marketdata", "1433")
    assert (config["USER"], config["PASSWORD"]) == ("app", "s3cret")
    assert config["OPTIONS"]["driver"] == "ODBC Driver 18 for SQL Server"
    connection_string = _mssql_connection_string(config)
    assert "SERVER=marketdata.database.windows.net,1433" in connection_string
    assert "UID=app;PWD=s3cret" in connection_string
    assert "Encrypt=yes;TrustServerCertificate=no" in connection_string


def test_azure_sql_trusts_the_certificate_only_when_told(build):
    config = build(
        DATABASE_TYPE="azure_sql", AZURE_SQL_TRUST_SERVER_CERTIFICATE="true", AZURE_SQL_PORT="14333", **AZURE_REQUIRED
    )
    connection_string = _mssql_connection_string(config)
    assert "TrustServerCertificate=yes" in connection_string
    assert "SERVER=marketdata.database.windows.net,14333" in connection_string


@pytest.mark.parametrize("client_id", ["", "11111111-2222-3333-4444-555555555555"])
def test_azure_sql_with_entra_uses_managed_identity_and_no_password(build, client_id):
    variables = {k: v for k, v in AZURE_REQUIRED.items() if k in ("AZURE_SQL_SERVER", "AZURE_SQL_DATABASE")}
    config = build(DATABASE_TYPE="azure_sql", AZURE_SQL_AUTH_METHOD="entra", AZURE_CLIENT_ID=client_id, **variables)
    assert config["PASSWORD"] == ""
    assert config["USER"] == client_id
    assert "Authentication=ActiveDirectoryMsi" in config["OPTIONS"]["extra_params"]
    connection_string = _mssql_connection_string(config)
    assert "PWD" not in connection_string
    assert "Trusted_Connection" not in connection_string
    assert ("UID=" + client_id in connection_string) == bool(client_id)


def test_entra_ignores_a_password_left_in_the_environment(build):
    config = build(DATABASE_TYPE="azure_sql", AZURE_SQL_AUTH_METHOD="entra", **AZURE_REQUIRED)
    assert config["PASSWORD"] == ""
    assert "PWD" not in _mssql_connection_string(config)


def test_unknown_database_type_stops_start_up(build):
    with pytest.raises(
        ImproperlyConfigured, match=r"DATABASE_TYPE='oracle' is not supported.*sqlite, postgresql, azure_sql"
    ):
        build(DATABASE_TYPE="oracle")


def test_unknown_azure_auth_method_stops_start_up(build):
    with pytest.raises(ImproperlyConfigured, match="AZURE_SQL_AUTH_METHOD='kerberos' is not one of sql, entra"):
        build(DATABASE_TYPE="azure_sql", AZURE_SQL_AUTH_METHOD="kerberos", **AZURE_REQUIRED)


@pytest.mark.parametrize("missing", sorted(AZURE_REQUIRED))
def test_each_missing_azure_variable_is_named(build, missing):
    variables = {name: value for name, value in AZURE_REQUIRED.items() if name != missing}
    with pytest.raises(ImproperlyConfigured, match=f"^{missing} is required when DATABASE_TYPE=azure_sql"):
        build(DATABASE_TYPE="azure_sql", **variables)


def _manage_check(**variables) -> subprocess.CompletedProcess:
    """Run `manage.py check` in a fresh process with the given database variables."""
    env = {k: v for k, v in os.environ.items() if k not in DATABASE_VARIABLES}
    # Empty values count as missing, and override any value a developer's .env might hold.
    env.update({name: "" for name in AZURE_REQUIRED}, DJANGO_SETTINGS_MODULE="config.settings.test", **variables)
    return subprocess.run(
        [sys.executable, str(Path(ROOT) / "manage.py"), "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({"DATABASE_TYPE": "oracle"}, "DATABASE_TYPE='oracle' is not supported"),
        ({"DATABASE_TYPE": "azure_sql"}, "AZURE_SQL_SERVER is required when DATABASE_TYPE=azure_sql"),
        (
            {
                "DATABASE_TYPE": "azure_sql",
                "AZURE_SQL_SERVER": "s",
                "AZURE_SQL_DATABASE": "d",
                "AZURE_SQL_USERNAME": "u",
            },
            "AZURE_SQL_PASSWORD is required when DATABASE_TYPE=azure_sql",
        ),
    ],
    ids=["unknown-type", "no-server", "no-password"],
)
def test_manage_py_refuses_to_start_with_a_bad_environment(variables, message):
    result = _manage_check(**variables)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert message in result.stderr


def test_manage_py_starts_with_entra_settings_and_no_password():
    result = _manage_check(
        DATABASE_TYPE="azure_sql",
        AZURE_SQL_SERVER="marketdata.database.windows.net",
        AZURE_SQL_DATABASE="marketdata",
        AZURE_SQL_AUTH_METHOD="entra",
    )
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout
