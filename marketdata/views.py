"""Health checks: liveness without the database, readiness of every dependency."""

from django.http import JsonResponse

from .selectors import dependencies_check


def health_live(request):
    """The process answers (no database, cache or broker touched)."""
    return JsonResponse({"status": "ok"})


def health_ready(request):
    """Database, cache, broker and storage each with its status; 503 when one is down."""
    checks = dependencies_check()
    healthy = all(check["status"] == "ok" for check in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", "checks": checks}, status=200 if healthy else 503
    )
