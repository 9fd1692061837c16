"""Databases named by URL, added to Django's connections for the length of a copy, and SQLite backups."""

import sqlite3
from contextlib import closing, contextmanager
from datetime import UTC, datetime
from pathlib import Path

import environ
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.utils import load_backend


def database_config(url: str) -> dict:
    """The DATABASES entry for a django-environ URL (sqlite:///path, postgres://..., mssql://...)."""
    config = environ.Env.db_url_config(url)
    if not config.get("ENGINE"):
        raise ValueError(f"{url!r} is not a database URL django-environ knows (sqlite:///, postgres://, mssql://)")
    return config


@contextmanager
def database_alias(url: str | None, alias: str):
    """Yield an alias for the database at `url` (the configured database when `url` is None), removed at the end."""
    if url is None:
        yield DEFAULT_DB_ALIAS
        return
    config = connections.configure_settings({DEFAULT_DB_ALIAS: {}, alias: database_config(url)})[alias]
    # A connection of this thread only, not an entry of settings.DATABASES: nothing else sees it.
    connections[alias] = load_backend(config["ENGINE"]).DatabaseWrapper(config, alias)
    try:
        yield alias
    finally:
        connections[alias].close()
        del connections[alias]


def database_label(alias: str) -> str:
    """What a message calls the database behind `alias`: vendor and name, never the password."""
    settings = connections[alias].settings_dict
    host = f"{settings['HOST']}:{settings['PORT']}/" if settings.get("HOST") else ""
    return f"{connections[alias].vendor} {host}{settings['NAME']}"


def sqlite_backup(alias: str, directory: Path) -> Path | None:
    """Back up the SQLite database behind `alias` into `directory` with SQLite's online backup API.

    Returns the backup's path, or None when the database is not a SQLite file (or the file does not exist yet).
    """
    connection = connections[alias]
    name = str(connection.settings_dict["NAME"])
    if connection.vendor != "sqlite" or connection.is_in_memory_db() or not Path(name).is_file():
        return None
    directory.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    destination = directory / f"{Path(name).stem}-{stamp}.sqlite3"
    with closing(sqlite3.connect(name)) as source, closing(sqlite3.connect(destination)) as backup:
        source.backup(backup)  # a consistent snapshot, even while other processes write
    return destination
