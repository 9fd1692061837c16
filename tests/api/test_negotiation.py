"""Content negotiation answers as DRF's does, including the shortcut for requests without a preference."""

import pytest
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.renderers import BrowsableAPIRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from instruments.api.views import CsvRenderer
from marketdata.api.negotiation import ContentNegotiation
from marketdata.api.renderers import OrjsonRenderer

ACCEPT_HEADERS = [None, "*/*", "application/json", "text/html", "text/*", "application/json; indent=4", "image/png"]


@pytest.mark.parametrize("accept", ACCEPT_HEADERS)
@pytest.mark.parametrize("query", ["", "?format=json", "?format=api", "?cursor=abc"])
@pytest.mark.parametrize(
    "renderer_classes", [(OrjsonRenderer, BrowsableAPIRenderer), (JSONRenderer, CsvRenderer), (CsvRenderer,)]
)
def test_the_same_renderer_and_media_type_as_drf(accept, query, renderer_classes):
    headers = {"HTTP_ACCEPT": accept} if accept else {}
    request = Request(APIRequestFactory().get("/api/v1/instruments/" + query, **headers))
    renderers = [renderer_class() for renderer_class in renderer_classes]

    def answer(negotiation):
        try:
            renderer, media_type = negotiation.select_renderer(request, renderers)
        except Exception as error:  # noqa: BLE001 - both must fail alike (406, 404)
            return type(error)
        return type(renderer), media_type

    assert answer(ContentNegotiation()) == answer(DefaultContentNegotiation())
