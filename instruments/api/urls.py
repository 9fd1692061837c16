"""API routes of this app (under /api/v1/)."""

from rest_framework.routers import SimpleRouter

from .views import InstrumentViewSet, TransparencySubclassViewSet, TransparencyViewSet

router = SimpleRouter(trailing_slash=True)
router.register("instruments", InstrumentViewSet, basename="instrument")
router.register("transparency/subclasses", TransparencySubclassViewSet, basename="transparency-subclass")
router.register("transparency", TransparencyViewSet, basename="transparency")

urlpatterns = router.urls
