"""API routes of this app (under /api/v1/)."""

from rest_framework.routers import SimpleRouter

from .views import VenueViewSet

router = SimpleRouter(trailing_slash=True)
router.register("venues", VenueViewSet, basename="venue")

urlpatterns = router.urls
