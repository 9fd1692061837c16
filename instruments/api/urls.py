"""API routes of this app (under /api/v1/)."""

from rest_framework.routers import SimpleRouter

from .views import InstrumentViewSet

router = SimpleRouter(trailing_slash=True)
router.register("instruments", InstrumentViewSet, basename="instrument")

urlpatterns = router.urls
