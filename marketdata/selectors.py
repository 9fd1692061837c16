"""Reads of the shared core: dependency health."""

import time

from django.conf import settings
from django.core.cache import cache
from django.core.files.storage import default_storage
from django.db import connection


def _timed(check) -> dict:
    """Run one check and report ok or the error, with its duration."""
    started = time.perf_counter()
    try:
        check()
    except Exception as error:  # noqa: BLE001 - a health check reports any failure
        return {"status": "error", "error": f"{type(error).__name__}: {error}"[:300]}
    return {"status": "ok", "ms": round((time.perf_counter() - started) * 1000, 1)}


def _database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def _cache():
    cache.set("health:probe", "1", 10)
    if cache.get("health:probe") != "1":
        raise RuntimeError("cache did not return the value just written")


def _broker():
    from config.celery import app

    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=2)


def _storage():
    default_storage.exists("health-probe")


def dependencies_check() -> dict:
    """Status of the database, cache, broker (unless tasks run eagerly) and file storage."""
    checks = {"database": _timed(_database), "cache": _timed(_cache), "storage": _timed(_storage)}
    if not settings.CELERY_TASK_ALWAYS_EAGER:
        checks["broker"] = _timed(_broker)
    return checks
