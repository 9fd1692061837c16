"""The project's URLs plus a bare Django view returning a constant JSON body (the framework's ceiling)."""

from django.http import JsonResponse
from django.urls import path

from config.urls import handler400, handler403, handler404, handler500  # noqa: F401
from config.urls import urlpatterns as project_urlpatterns

BODY = {"isin": "DE0005140008", "full_name": "Deutsche Bank AG", "cfi_code": "ESVUFR", "currency": "EUR"}


def bare_view(request):
    """A constant JSON body: no authentication, no database, no DRF."""
    return JsonResponse(BODY)


urlpatterns = [path("bench/bare/", bare_view), *project_urlpatterns]
