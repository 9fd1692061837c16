"""Health checks: liveness without the database, readiness of every dependency."""

from django.http import JsonResponse

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
    return JsonResponse({"status": status, "checks": checks}, status=200 if healthy else 503)
