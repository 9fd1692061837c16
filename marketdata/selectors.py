"""Reads of the shared core: dependency health, API keys, roles."""

import hashlib
import hmac
import logging
import os
import threading
import time
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.core.files.storage import storages
from django.db import connection, connections

logger = logging.getLogger(__name__)


def _timed(name: str, check) -> dict:
    """Run one check and report its state only ("ok" or "error"); the error itself goes to the log, since a
    dependency's error names its host and port, which /health/ready/ shows to anyone."""
    try:
        check()
    except Exception:  # noqa: BLE001 - a health check reports any failure
        logger.warning("health check %s failed", name, exc_info=True)
        return {"status": "error"}
    return {"status": "ok"}


def _database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def _cache():
    cache.set("health:probe", "1", 10)
    if cache.get("health:probe") != "1":
        raise RuntimeError("cache did not return the value just written")


def _broker():
    from config.celery import app

    with app.connection_for_write(settings.CELERY_BROKER_URL) as conn:
        conn.ensure_connection(max_retries=1, timeout=2)


def _storage():
    """Read the storage itself: the first page of each container's blobs (a missing container fails), or the folder."""
    storage = storages["default"]
    if hasattr(storage, "containers"):  # a container per source (ingestion/blob_storage.py)
        for folder in storage.containers:
            next(iter(storage.container_storage(folder).client.list_blobs(results_per_page=1)), None)
    elif hasattr(storage, "azure_container"):
        next(iter(storage.client.list_blobs(results_per_page=1)), None)
    else:
        Path(storage.location).mkdir(parents=True, exist_ok=True)  # as FileSystemStorage does on its first save
        os.listdir(storage.location)


# Checks of what the service runs without (Redis is an accelerator): a failure there is "degraded", not "error".
OPTIONAL_CHECKS = frozenset({"cache"})


def _run_check(name: str, check, results: dict) -> None:
    """One check in its own thread, closing the database connections the thread opened."""
    try:
        result = _timed(name, check)
        if result["status"] == "error" and name in OPTIONAL_CHECKS:
            result = {"status": "degraded"}
        results[name] = result
    finally:
        connections.close_all()


def dependencies_check(timeout: float | None = None) -> dict:
    """Status of the database, cache, broker (unless tasks run eagerly) and file storage, each checked in its own
    thread: one that has not answered within `timeout` seconds (settings.HEALTH_READY_TIMEOUT_SECONDS) is "timeout"."""
    checks = {"database": _database, "cache": _cache, "storage": _storage}
    if not settings.CELERY_TASK_ALWAYS_EAGER:
        checks["broker"] = _broker
    results: dict = {}
    threads = [
        threading.Thread(target=_run_check, args=(name, check, results), name=f"health-{name}", daemon=True)
        for name, check in checks.items()
    ]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + (settings.HEALTH_READY_TIMEOUT_SECONDS if timeout is None else timeout)
    for thread in threads:
        thread.join(max(deadline - time.monotonic(), 0))
    for name in checks:
        if name not in results:
            logger.warning("health check %s did not answer in time", name)
    return {name: dict(results.get(name) or {"status": "timeout"}) for name in checks}


def api_key_hash(raw_key: str) -> str:
    """The stored form of an API key: SHA-256 hex of the whole key."""
    return hashlib.sha256(raw_key.encode()).hexdigest()


def api_key_authenticate(raw_key: str):
    """The active ApiKey (with its user) that this clear key belongs to, or None."""
    from .models import ApiKey

    prefix, dot, secret = raw_key.partition(".")
    if not dot or not prefix or not secret or len(prefix) > 12:
        return None
    api_key = ApiKey.objects.select_related("user").filter(prefix=prefix).first()
    if api_key is None or not hmac.compare_digest(api_key.hashed_key, api_key_hash(raw_key)):
        return None
    return api_key if api_key.is_active and api_key.user.is_active else None


def user_is_curator_or_admin(user) -> bool:
    """True for superusers and members of the Curators group (may change data or start work)."""
    from .roles import CURATORS

    if not user or not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    return user.groups.filter(name=CURATORS).exists()


DATA_VERSION_KEY = "marketdata:data-version"


def data_version() -> int:
    """The reference data's version in the default cache: a response cached under it is current (see
    marketdata.services.data_version_bump); a new one, larger than any before, when the cache lost it; a fresh one
    (which no cached response carries) when the cache does not answer, so that the reader goes to the database."""
    try:
        version = cache.get(DATA_VERSION_KEY)
        if version is None:
            cache.add(DATA_VERSION_KEY, time.time_ns(), timeout=None)
            version = cache.get(DATA_VERSION_KEY)
    except Exception:  # noqa: BLE001 - a cache outage must not fail the read
        version = None
    return version if version is not None else time.time_ns()


def database_size_bytes() -> int | None:
    """The default database's size on disk (SQLite pages, PostgreSQL's pg_database_size, SQL Server's files)."""
    queries = {
        "sqlite": "SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()",
        "postgresql": "SELECT pg_database_size(current_database())",
        "microsoft": "SELECT SUM(CAST(size AS bigint)) * 8192 FROM sys.database_files",
    }
    sql = queries.get(connection.vendor)
    if sql is None:
        return None
    with connection.cursor() as cursor:
        cursor.execute(sql)
        row = cursor.fetchone()
    return int(row[0]) if row and row[0] is not None else None
