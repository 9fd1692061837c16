"""A URLconf for access tests: tiny probe views that use the settings' API policy, the auth routes, the admin.

Independent of the data endpoints, so the access policy is tested on its own; tests/api/test_auth_matrix.py
covers the real endpoints.
"""

from django.contrib import admin
from django.http import HttpResponse
from django.urls import path
from rest_framework.response import Response
from rest_framework.views import APIView

from marketdata.api import auth_views
from marketdata.api.permissions import IsCuratorOrAdmin
from marketdata.views import health_live, health_ready

# The same handlers as config.urls (Django reads them from the root URLconf).
handler400 = "marketdata.api.exceptions.json_bad_request"
handler403 = "marketdata.api.exceptions.json_permission_denied"
handler404 = "marketdata.api.exceptions.json_page_not_found"
handler500 = "marketdata.api.exceptions.json_server_error"


class ProbeView(APIView):
    """GET reads (who am I), POST "changes data"; policy (auth, permission, rate limits) from settings."""

    def get(self, request):
        return Response({"user": request.user.username, "auth": type(request.auth).__name__})

    def post(self, request):
        return Response({"done": True, "fields": len(request.data)}, status=201)


class ExpensiveProbeView(ProbeView):
    """Marked like lookup/export: the stricter "expensive" limit applies."""

    throttle_scope = "expensive"


class CuratorProbeView(ProbeView):
    """Like ingestion/runs/: curators and admins only, even to read."""

    permission_classes = [IsCuratorOrAdmin]


class FailingProbeView(APIView):
    """An API view with a bug."""

    def get(self, request):
        raise RuntimeError("probe failure")


def plain_failing_view(request):
    """A non-API view with a bug."""
    raise RuntimeError("probe failure")


def plain_view(request):
    """A non-API page."""
    return HttpResponse("plain")


urlpatterns = [
    path("api/v1/probe/", ProbeView.as_view()),
    path("api/v1/probe/expensive/", ExpensiveProbeView.as_view()),
    path("api/v1/probe/curator/", CuratorProbeView.as_view()),
    path("api/v1/probe/boom/", FailingProbeView.as_view()),
    path("plain/boom/", plain_failing_view),
    path("plain/", plain_view),
    path("api/v1/auth/token/", auth_views.TokenObtainPairView.as_view()),
    path("api/v1/auth/token/refresh/", auth_views.TokenRefreshView.as_view()),
    path("api/v1/auth/token/verify/", auth_views.TokenVerifyView.as_view()),
    path("health/", health_live),
    path("health/ready/", health_ready),
    path("admin/", admin.site.urls),
]
