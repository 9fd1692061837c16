"""Health checks: liveness without the database, readiness of every dependency."""

from django.http import JsonResponse

from .health import external_status, version_info
from .selectors import dependencies_check


def health_live(request):
    """The process answers (no database, cache or broker touched)."""
    return JsonResponse({"status": "ok"})


def health_ready(request):
    """Database, cache, broker and storage each with its state (names and states only), within
    settings.HEALTH_READY_TIMEOUT_SECONDS; 503 when one is down or does not answer, 200 "degraded" when only the cache
    (an accelerator) is."""
    checks = dependencies_check()
    states = {check["status"] for check in checks.values()}
    healthy = states <= {"ok", "degraded"}
    status = "unavailable" if not healthy else "degraded" if "degraded" in states else "ok"
    # GLEIF, OpenFIGI and ESMA as last seen (marketdata/health.py): reported, never a reason for 503.
    body = {"status": status, **version_info(), "checks": checks, "sources": external_status()}
    return JsonResponse(body, status=200 if healthy else 503)
