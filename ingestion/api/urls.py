"""API routes of this app (under /api/v1/)."""

from rest_framework.routers import SimpleRouter

from .views import IngestionRunViewSet

router = SimpleRouter(trailing_slash=True)
router.register("ingestion/runs", IngestionRunViewSet, basename="ingestion-run")

urlpatterns = router.urls
