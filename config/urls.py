"""Top-level URLs: admin, API v1, schema and docs, health checks."""

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from marketdata.views import health_live, health_ready

api_v1 = [
    path("", include("instruments.api.urls")),
    path("", include("entities.api.urls")),
    path("", include("venues.api.urls")),
    path("", include("ingestion.api.urls")),
]

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="swagger-ui"),
    path("health/", health_live, name="health"),
    path("health/ready/", health_ready, name="health-ready"),
]

admin.site.site_header = "marketdata"
admin.site.site_title = "marketdata admin"
admin.site.index_title = "European instrument reference data"
