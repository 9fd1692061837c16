"""Readiness extras: the running version, and whether GLEIF, OpenFIGI and ESMA answer (cached, checked off the probe).

The sources are on the internet, so a readiness probe never waits for them: it reads the last result kept in
this process and, when that is older than HEALTH_EXTERNAL_CACHE_SECONDS, starts one background refresh. A
source that does not answer is "degraded" (loads from it would fail), never a reason to take the web app out
of rotation. Until the first refresh has finished a source is "unknown".
"""

import logging
import threading
import time
import tomllib
from functools import cache
from pathlib import Path

import httpx
from django.conf import settings

logger = logging.getLogger(__name__)
_lock = threading.Lock()
_results: dict[str, dict] = {}
_checked_at = 0.0
_refreshing: threading.Thread | None = None


@cache
def package_version() -> str:
    """The project's version from pyproject.toml ("unknown" when the file is not there)."""
    try:
        with open(Path(settings.BASE_DIR) / "pyproject.toml", "rb") as file:
            return tomllib.load(file)["project"]["version"]
    except (OSError, KeyError, tomllib.TOMLDecodeError):
        return "unknown"


def version_info() -> dict:
    """The running version: the package version and, when the deployment set it, the commit (GIT_SHA)."""
    info = {"version": package_version()}
    if settings.GIT_SHA:
        info["git_sha"] = settings.GIT_SHA
    return info


def _probes() -> dict[str, tuple[str, str, dict]]:
    """(method, URL, query) of one cheap request per source."""
    return {
        "gleif": ("GET", settings.GLEIF_API_URL.rstrip("/") + "/lei-records", {"page[size]": "1"}),
        "openfigi": ("GET", settings.OPENFIGI_API_URL.rstrip("/") + "/mapping/values/exchCode", {}),
        "esma": ("GET", settings.ESMA_FIRDS_REGISTRY_URL, {"q": "*", "rows": "0", "wt": "json"}),
    }


def _probe(method: str, url: str, query: dict, timeout: float) -> dict:
    """One request: "ok" when the source answers below 500 and not 429, else "degraded" with why (no host named)."""
    try:
        response = httpx.request(method, url, params=query, timeout=timeout)
    except httpx.TimeoutException:
        return {"status": "degraded", "reason": "timeout"}
    except httpx.HTTPError as error:
        return {"status": "degraded", "reason": type(error).__name__}
    if response.status_code >= 500 or response.status_code == 429:
        return {"status": "degraded", "reason": f"HTTP {response.status_code}"}
    return {"status": "ok"}


def external_refresh() -> dict:
    """Ask every source now (blocking, in the caller's thread) and keep the results; the results."""
    global _checked_at
    timeout = settings.HEALTH_EXTERNAL_TIMEOUT_SECONDS
    results = {name: _probe(*probe, timeout) for name, probe in _probes().items()}
    for name, result in results.items():
        if result["status"] != "ok":
            logger.warning("source %s unreachable: %s", name, result["reason"])
    with _lock:
        _results.clear()
        _results.update(results)
        _checked_at = time.monotonic()
    return results


def _refresh_in_background() -> threading.Thread | None:
    """Start a refresh unless one runs already; the thread started, or None."""
    global _refreshing
    with _lock:
        if _refreshing is not None and _refreshing.is_alive():
            return None
        _refreshing = threading.Thread(target=_refresh_quietly, name="health-external", daemon=True)
        _refreshing.start()
        return _refreshing


def _refresh_quietly() -> None:
    try:
        external_refresh()
    except Exception:  # noqa: BLE001 - a failed refresh leaves the old results, logged
        logger.exception("external source check failed")


def external_status() -> dict:
    """The last known state of each source (without waiting); starts a refresh in the background when stale."""
    with _lock:
        results = {name: dict(result) for name, result in _results.items()}
        stale = time.monotonic() - _checked_at > settings.HEALTH_EXTERNAL_CACHE_SECONDS or not results
    if stale:
        _refresh_in_background()
    return {name: results.get(name, {"status": "unknown"}) for name in _probes()}


def external_wait(timeout: float = 30.0) -> None:
    """Wait for a background refresh to finish (tests, and a start-up warm-up)."""
    thread = _refreshing
    if thread is not None:
        thread.join(timeout)


def external_forget() -> None:
    """Drop the kept results, so that the next status starts a refresh."""
    global _checked_at
    with _lock:
        _results.clear()
        _checked_at = 0.0
