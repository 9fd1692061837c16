"""Reads of the shared core: dependency health, API keys, roles."""

import hashlib
import hmac
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

    with app.connection_for_write(settings.CELERY_BROKER_URL) as conn:
        conn.ensure_connection(max_retries=1, timeout=2)


def _storage():
    default_storage.exists("health-probe")


def dependencies_check() -> dict:
    """Status of the database, cache, broker (unless tasks run eagerly) and file storage."""
    checks = {"database": _timed(_database), "cache": _timed(_cache), "storage": _timed(_storage)}
    if not settings.CELERY_TASK_ALWAYS_EAGER:
        checks["broker"] = _timed(_broker)
    return checks


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
    marketdata.services.data_version_bump); a new one, larger than any before, when the cache lost it."""
    version = cache.get(DATA_VERSION_KEY)
    if version is None:
        cache.add(DATA_VERSION_KEY, time.time_ns(), timeout=None)
        version = cache.get(DATA_VERSION_KEY)
    return version
