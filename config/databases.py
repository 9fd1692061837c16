"""Build Django's DATABASES entry from DATABASE_TYPE and its variables."""

from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

DATABASE_TYPES = ("sqlite", "postgresql", "azure_sql")
AZURE_AUTH_METHODS = ("sql", "entra")

SQLITE_INIT = "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA cache_size=-64000;"


def _required(env: environ.Env, name: str, database_type: str) -> str:
    """Return a variable that must be set, or stop start-up naming it."""
    value = env.str(name, default="")
    if not value:
        raise ImproperlyConfigured(f"{name} is required when DATABASE_TYPE={database_type}.")
    return value


def sqlite_database(env: environ.Env, base_dir: Path) -> dict:
    """The embedded default: one SQLite file in WAL mode."""
    path = env.str("SQLITE_DB_PATH", default=str(base_dir / "var" / "marketdata.sqlite3"))
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": path,
        # Kept open between requests: a new connection re-runs the PRAGMAs and starts with a cold page cache.
        "CONN_MAX_AGE": env.int("DB_CONN_MAX_AGE", default=60),
        "OPTIONS": {
            # Reads through a memory map of the file's first SQLITE_MMAP_SIZE bytes: no copy per page read.
            "init_command": f"{SQLITE_INIT} PRAGMA mmap_size={env.int('SQLITE_MMAP_SIZE', default=2**30)};",
            "transaction_mode": "IMMEDIATE",
            "timeout": 30,
        },
    }


def db_timeouts(env: environ.Env) -> tuple[int, int]:
    """(connect, statement) timeouts in seconds: DB_CONNECT_TIMEOUT_SECONDS (default 5) bounds the wait for a server
    that does not accept or answer the handshake; DB_STATEMENT_TIMEOUT_SECONDS (default 300, 0 for none) stops any one
    statement, a load's or a request's, that runs longer."""
    return env.int("DB_CONNECT_TIMEOUT_SECONDS", default=5), env.int("DB_STATEMENT_TIMEOUT_SECONDS", default=300)


def postgresql_options(env: environ.Env) -> dict:
    """libpq options: the connect timeout, and the statement timeout set for every session."""
    connect, statement = db_timeouts(env)
    return {"connect_timeout": connect, "options": f"-c statement_timeout={statement * 1000}"}


def connection_reuse(env: environ.Env, config: dict) -> dict:
    """Server databases: connections kept DB_CONN_MAX_AGE seconds (default 60) and checked before reuse
    (DB_CONN_HEALTH_CHECKS, default on: a connection the server or a failover dropped is replaced, not failed);
    or, PostgreSQL with DB_POOL=true, psycopg's pool (DB_POOL_MIN_SIZE 2, DB_POOL_MAX_SIZE 10, DB_POOL_TIMEOUT 10 s)."""
    config.setdefault("CONN_MAX_AGE", env.int("DB_CONN_MAX_AGE", default=60))
    config.setdefault("CONN_HEALTH_CHECKS", env.bool("DB_CONN_HEALTH_CHECKS", default=True))
    if config["ENGINE"] == "django.db.backends.postgresql" and env.bool("DB_POOL", default=False):
        config["CONN_MAX_AGE"] = 0  # the pool keeps the connections (Django refuses both)
        config["OPTIONS"]["pool"] = {
            "min_size": env.int("DB_POOL_MIN_SIZE", default=2),
            "max_size": env.int("DB_POOL_MAX_SIZE", default=10),
            "timeout": env.float("DB_POOL_TIMEOUT", default=10.0),
        }  # with CONN_HEALTH_CHECKS, Django has the pool check each connection before handing it out
    return config


def postgresql_database(env: environ.Env) -> dict:
    """PostgreSQL from DATABASE_URL, or from the POSTGRES_* variables."""
    if env.str("DATABASE_URL", default=""):
        config = env.db_url("DATABASE_URL")
        if config["ENGINE"] != "django.db.backends.postgresql":
            raise ImproperlyConfigured("DATABASE_URL must be a postgres:// URL when DATABASE_TYPE=postgresql.")
        config["OPTIONS"] = {**postgresql_options(env), **config.get("OPTIONS", {})}  # the URL's own options win
        return connection_reuse(env, config)
    config = {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": env.str("POSTGRES_DB", default="marketdata"),
        "USER": env.str("POSTGRES_USER", default=""),
        "PASSWORD": env.str("POSTGRES_PASSWORD", default=""),
        "HOST": env.str("POSTGRES_HOST", default="127.0.0.1"),
        "PORT": env.str("POSTGRES_PORT", default="5432"),
        "OPTIONS": postgresql_options(env),
    }
    return connection_reuse(env, config)


def azure_sql_database(env: environ.Env) -> dict:
    """SQL Server / Azure SQL through mssql-django, SQL or Entra ID authentication."""
    server = _required(env, "AZURE_SQL_SERVER", "azure_sql")
    database = _required(env, "AZURE_SQL_DATABASE", "azure_sql")
    auth_method = env.str("AZURE_SQL_AUTH_METHOD", default="sql").lower()
    if auth_method not in AZURE_AUTH_METHODS:
        raise ImproperlyConfigured(
            f"AZURE_SQL_AUTH_METHOD={auth_method!r} is not one of {', '.join(AZURE_AUTH_METHODS)}."
        )
    encrypt = "Encrypt=yes;TrustServerCertificate=" + (
        "yes" if env.bool("AZURE_SQL_TRUST_SERVER_CERTIFICATE", default=False) else "no"
    )
    config = {
        "ENGINE": "mssql",
        "NAME": database,
        "HOST": server,
        "PORT": env.str("AZURE_SQL_PORT", default="1433"),
        "OPTIONS": {
            "driver": env.str("AZURE_SQL_DRIVER", default="ODBC Driver 18 for SQL Server"),
            # mssql-django: the login timeout and each query's timeout, in seconds (see db_timeouts).
            "connection_timeout": db_timeouts(env)[0],
            "query_timeout": db_timeouts(env)[1],
        },
    }
    if auth_method == "sql":
        config["USER"] = _required(env, "AZURE_SQL_USERNAME", "azure_sql")
        config["PASSWORD"] = _required(env, "AZURE_SQL_PASSWORD", "azure_sql")
        config["OPTIONS"]["extra_params"] = encrypt
    else:
        # Entra ID: a managed identity (or AZURE_CLIENT_ID's user-assigned one); no password.
        config["USER"] = env.str("AZURE_CLIENT_ID", default="")
        config["PASSWORD"] = ""
        config["OPTIONS"]["extra_params"] = f"Authentication=ActiveDirectoryMsi;{encrypt}"
    return connection_reuse(env, config)


def database_from_env(env: environ.Env, base_dir: Path) -> dict:
    """The default database for DATABASE_TYPE (sqlite, postgresql or azure_sql)."""
    database_type = env.str("DATABASE_TYPE", default="sqlite").lower()
    if database_type == "sqlite":
        return sqlite_database(env, base_dir)
    if database_type == "postgresql":
        return postgresql_database(env)
    if database_type == "azure_sql":
        return azure_sql_database(env)
    raise ImproperlyConfigured(
        f"DATABASE_TYPE={database_type!r} is not supported; use one of {', '.join(DATABASE_TYPES)}."
    )
