"""Legal entity API: filtered lists, the full LEI record, parents, children and issued instruments."""

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from instruments.api.serializers import InstrumentBriefSerializer
from instruments.selectors import instrument_list_for_issuer
from marketdata.api.base import LEI_PARAMETER, CodeLookupMixin
from marketdata.api.filtering import query_parameters_once
from marketdata.api.pagination import InstrumentPagination, LegalEntityPagination, RelationshipPagination
from marketdata.identifiers import lei_error

from ..filtersets import LegalEntityFilterSet
from ..selectors import entity_children, entity_known, entity_list, entity_parents, entity_resolve
from .serializers import (
    ChildSerializer,
    EntityParentsSerializer,
    EntityResolveQuerySerializer,
    EntityResolveSerializer,
    LegalEntityBriefSerializer,
    LegalEntitySerializer,
)


@extend_schema_view(retrieve=extend_schema(parameters=[LEI_PARAMETER]))
class LegalEntityViewSet(CodeLookupMixin, viewsets.ReadOnlyModelViewSet):
    """Legal entities by LEI: list (brief rows) and detail (full record)."""

    queryset = entity_list()
    serializer_class = LegalEntityBriefSerializer
    filterset_class = LegalEntityFilterSet
    pagination_class = LegalEntityPagination
    lookup_field = "lei"
    lookup_validator = staticmethod(lei_error)

    def get_serializer_class(self):
        """The full record for one entity, the brief shape in lists."""
        return LegalEntitySerializer if self.action == "retrieve" else LegalEntityBriefSerializer

    @extend_schema(filters=False, parameters=[EntityResolveQuerySerializer], responses=EntityResolveSerializer)
    @action(detail=False, pagination_class=None)
    def resolve(self, request, *args, **kwargs):
        """Entities whose legal or other names match `name`, ranked, with each score and why it matched."""
        query_parameters_once(request)
        params = EntityResolveQuerySerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        name, country = params.validated_data["name"], params.validated_data["country"].upper()
        results = entity_resolve(name, country, limit=params.validated_data["limit"])
        return Response(EntityResolveSerializer({"name": name, "country": country, "results": results}).data)

    @extend_schema(filters=False, parameters=[LEI_PARAMETER], responses=EntityParentsSerializer)
    @action(detail=True, pagination_class=None)
    def parents(self, request, *args, **kwargs):
        """Direct and ultimate parents, or the reporting exception and its reason for each."""
        return Response(EntityParentsSerializer(entity_parents(self.known_lei())).data)

    @extend_schema(filters=False, parameters=[LEI_PARAMETER], responses=ChildSerializer(many=True))
    @action(detail=True, pagination_class=RelationshipPagination)
    def children(self, request, *args, **kwargs):
        """Entities that name this LEI as their parent (any relationship type), paginated."""
        return self._page(entity_children(self.known_lei()), ChildSerializer)

    @extend_schema(filters=False, parameters=[LEI_PARAMETER], responses=InstrumentBriefSerializer(many=True))
    @action(detail=True, pagination_class=InstrumentPagination)
    def instruments(self, request, *args, **kwargs):
        """Instruments whose FIRDS issuer is this LEI, paginated."""
        return self._page(instrument_list_for_issuer(self.lookup_code()), InstrumentBriefSerializer)

    def known_lei(self) -> str:
        """The LEI in the URL when it is loaded or named in a relationship (400 if malformed, else 404)."""
        lei = self.lookup_code()
        if not entity_known(lei):
            raise NotFound(f"No legal entity or relationship names LEI {lei}.")
        return lei

    def _page(self, queryset, serializer_class):
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(serializer_class(page, many=True).data)
