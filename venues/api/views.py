"""Venue API: filtered lists of MICs, one MIC, and an operating MIC's segments."""

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import viewsets
from rest_framework.decorators import action

from marketdata.api.base import MIC_PARAMETER, CodeLookupMixin
from marketdata.api.pagination import VenuePagination
from marketdata.identifiers import mic_error

from ..filtersets import VenueFilterSet
from ..models import Venue
from ..selectors import venue_segments
from .serializers import VenueBriefSerializer, VenueSerializer


@extend_schema_view(retrieve=extend_schema(parameters=[MIC_PARAMETER]))
class VenueViewSet(CodeLookupMixin, viewsets.ReadOnlyModelViewSet):
    """Venues by MIC: list (brief rows) and detail (every registry column)."""

    queryset = Venue.objects.all()
    serializer_class = VenueBriefSerializer
    filterset_class = VenueFilterSet
    pagination_class = VenuePagination
    lookup_field = "mic"
    lookup_validator = staticmethod(mic_error)

    def get_serializer_class(self):
        """The full record for one venue, the brief shape in lists."""
        return VenueSerializer if self.action == "retrieve" else VenueBriefSerializer

    @extend_schema(filters=False, parameters=[MIC_PARAMETER], responses=VenueBriefSerializer(many=True))
    @action(detail=True)
    def segments(self, request, *args, **kwargs):
        """The segment MICs of an operating MIC, paginated."""
        page = self.paginate_queryset(venue_segments(self.get_object().mic))
        return self.get_paginated_response(VenueBriefSerializer(page, many=True).data)
