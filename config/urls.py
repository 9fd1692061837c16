"""Top-level URLs: admin, API v1, schema and docs, health checks."""

from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from entities.api import urls as entities_api
from ingestion.api import urls as ingestion_api
from instruments.api import urls as instruments_api
from marketdata.api import auth_views as auth
from marketdata.api.cfi import CfiView
from marketdata.views import health_live, health_ready
from venues.api import urls as venues_api

# The apps' routes joined into one list rather than each included under an empty prefix: every include is one more
# level the resolver walks and builds a match for, on every request.
api_v1 = [
    *instruments_api.urlpatterns,
    *entities_api.urlpatterns,
    *venues_api.urlpatterns,
    *ingestion_api.urlpatterns,
    path("cfi/<str:code>/", CfiView.as_view(), name="cfi-detail"),
    path("auth/token/", auth.TokenObtainPairView.as_view(), name="token-obtain"),
    path("auth/token/refresh/", auth.TokenRefreshView.as_view(), name="token-refresh"),
    path("auth/token/verify/", auth.TokenVerifyView.as_view(), name="token-verify"),
]

urlpatterns = [
    path("", RedirectView.as_view(url="/admin/", permanent=False), name="home"),
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves Swagger UI's init script as a file: the Content-Security-Policy allows no inline script.
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="swagger-ui"),
    path("health/", health_live, name="health"),
    path("health/ready/", health_ready, name="health-ready"),
]

# JSON errors under /api/, Django's pages elsewhere.
handler400 = "marketdata.api.exceptions.json_bad_request"
handler403 = "marketdata.api.exceptions.json_permission_denied"
handler404 = "marketdata.api.exceptions.json_page_not_found"
handler500 = "marketdata.api.exceptions.json_server_error"

admin.site.site_header = "marketdata"
admin.site.site_title = "marketdata admin"
admin.site.index_title = "European instrument reference data"
