"""API routes of this app (under /api/v1/)."""

from rest_framework.routers import SimpleRouter

from .views import LegalEntityViewSet

router = SimpleRouter(trailing_slash=True)
router.register("entities", LegalEntityViewSet, basename="entity")

urlpatterns = router.urls
