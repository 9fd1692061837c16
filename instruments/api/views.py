"""Instrument API: filtered lists, the full record, listing history, bulk lookup and CSV export."""

import csv
import json

from django.conf import settings
from django.core.cache import cache
from django.http import StreamingHttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response

from marketdata.api.base import ISIN_PARAMETER, CodeLookupMixin
from marketdata.api.pagination import InstrumentPagination
from marketdata.api.parsers import DepthLimitedJSONParser
from marketdata.api.renderers import rendered_response
from marketdata.identifiers import isin_error
from marketdata.selectors import data_version

from ..filtersets import InstrumentFilterSet
from ..selectors import (
    ExportFieldsError,
    instrument_detail,
    instrument_export_columns,
    instrument_export_rows,
    instrument_history,
    instrument_list,
    instrument_lookup,
)
from ..transparency_filtersets import TransparencyFilterSet, TransparencyPagination, TransparencySubclassFilterSet
from ..transparency_selectors import transparency_for_isin, transparency_list
from .serializers import (
    AsOfQuerySerializer,
    InstrumentBriefSerializer,
    InstrumentExportQuerySerializer,
    InstrumentLookupQuerySerializer,
    InstrumentLookupSerializer,
    InstrumentSerializer,
    InstrumentTransparencySerializer,
    ListingSerializer,
    TransparencyBriefSerializer,
    instrument_detail_data,
    instrument_transparency_data,
    listing_versions_data,
)


class CsvRenderer(BaseRenderer):
    """Lets clients ask for text/csv (the export streams its own body)."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        """Error bodies as text; successful exports never pass through here."""
        return str(data).encode()


class _Echo:
    """A file-like object whose write returns the line, for csv.writer in a streaming response."""

    def write(self, value):
        return value


_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")  # OWASP CSV injection: what a spreadsheet may run as a formula


def _csv_cell(value):
    """A text cell a spreadsheet would read as a formula, prefixed with a quote (OWASP); other cells as they are."""
    if isinstance(value, list | dict):  # JSON columns (underlying ISINs) as JSON text
        value = json.dumps(value)
    return f"'{value}" if isinstance(value, str) and value.startswith(_FORMULA_STARTS) else value


def _csv_lines(columns, rows):
    writer = csv.writer(_Echo())
    yield writer.writerow(columns)
    for row in rows:
        yield writer.writerow([_csv_cell(value) for value in row])


def _instrument_detail_cached(isin: str, as_of) -> dict | None:
    """The full record's response data (None when unknown), cached for settings.API_DETAIL_CACHE_SECONDS under the
    data version, which every finished load and every instrument, listing, entity or venue edit bumps."""
    seconds = settings.API_DETAIL_CACHE_SECONDS
    key = f"api:instrument:{data_version()}:{isin}:{as_of or ''}" if seconds else None
    data = cache.get(key) if key else None
    if data is None:
        instrument = instrument_detail(isin, as_of=as_of)
        if instrument is None:
            return None
        data = instrument_detail_data(instrument)
        if key:
            cache.set(key, data, seconds)
    return data


class InstrumentViewSet(CodeLookupMixin, viewsets.ReadOnlyModelViewSet):
    """Instruments by ISIN: list (brief rows) and detail (full record with listings)."""

    queryset = instrument_list()
    serializer_class = InstrumentBriefSerializer
    filterset_class = InstrumentFilterSet
    pagination_class = InstrumentPagination
    lookup_field = "isin"
    lookup_validator = staticmethod(isin_error)
    throttle_scope = None  # "expensive" on lookup and export (10 per minute)
    filtered_actions = ("list", "export")  # where the filters apply and unknown query parameters are refused
    extra_query_parameters = {"export": ("fields", "rows")}
    read_only_post = False  # lookup is a POST that only reads

    @extend_schema(parameters=[ISIN_PARAMETER, AsOfQuerySerializer], responses=InstrumentSerializer)
    def retrieve(self, request, *args, **kwargs):
        """The full instrument; `?as_of=YYYY-MM-DD` gives the listings valid on that date."""
        isin = self.lookup_code()
        as_of = None
        if request.META.get("QUERY_STRING") and "as_of" in request.query_params:  # (no query string: no QueryDict)
            params = AsOfQuerySerializer(data=request.query_params)
            params.is_valid(raise_exception=True)
            as_of = params.validated_data["as_of"]
        data = _instrument_detail_cached(isin, as_of)
        if data is None:
            raise NotFound(
                f"No record of ISIN {isin} valid on {as_of}." if as_of else f"No instrument with ISIN {isin}."
            )
        return rendered_response(request, data)

    @extend_schema(filters=False, parameters=[ISIN_PARAMETER], responses=ListingSerializer(many=True))
    @action(detail=True, pagination_class=None)
    def history(self, request, *args, **kwargs):
        """Every version of every listing of the ISIN, per venue, oldest first."""
        return rendered_response(request, listing_versions_data(instrument_history(self.lookup_code())))

    @extend_schema(
        filters=False, parameters=[ISIN_PARAMETER, AsOfQuerySerializer], responses=InstrumentTransparencySerializer
    )
    @action(detail=True, pagination_class=None)
    def transparency(self, request, *args, **kwargs):
        """The ISIN's FITRS calculations, current (or valid on `?as_of=`) and history, whether FIRDS has it or not."""
        isin = self.lookup_code()
        params = AsOfQuerySerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        data = transparency_for_isin(isin, params.validated_data.get("as_of"))
        if data is None:
            raise NotFound(f"No FITRS calculation for ISIN {isin}.")
        return rendered_response(request, instrument_transparency_data(data))

    @extend_schema(request=InstrumentLookupQuerySerializer, responses=InstrumentLookupSerializer)
    @action(
        detail=False,
        methods=["post"],
        pagination_class=None,
        throttle_scope="expensive",
        read_only_post=True,
        parser_classes=[DepthLimitedJSONParser],
    )
    def lookup(self, request):
        """Up to 1,000 ISINs at once: the instruments found, the ISINs not found and the invalid values."""
        params = InstrumentLookupQuerySerializer(data=request.data)
        params.is_valid(raise_exception=True)
        return Response(InstrumentLookupSerializer(instrument_lookup(params.validated_data["isins"])).data)

    @extend_schema(
        filters=True,
        parameters=[OpenApiParameter("format", exclude=True), InstrumentExportQuerySerializer],
        responses={
            (200, "text/csv"): OpenApiResponse(
                OpenApiTypes.STR, "CSV: a header line, then a row per instrument or listing"
            )
        },
    )
    @action(
        detail=False, pagination_class=None, throttle_scope="expensive", renderer_classes=[JSONRenderer, CsvRenderer]
    )
    def export(self, request):
        """CSV of every instrument the filters select, or of their current listings, streamed in ISIN order."""
        params = InstrumentExportQuerySerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        try:
            columns, per_listing = instrument_export_columns(
                params.validated_data["fields"], params.validated_data["rows"] == "listings"
            )
        except ExportFieldsError as error:
            raise ValidationError({"fields": [str(error)]}) from error
        rows = instrument_export_rows(self.filter_queryset(self.get_queryset()), columns, per_listing)
        response = StreamingHttpResponse(_csv_lines(columns, rows), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="instruments.csv"'
        return response


class TransparencyViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """FITRS calculations per ISIN (open versions unless `as_of` or `history`), served whether FIRDS has the ISIN."""

    queryset = transparency_list()
    serializer_class = TransparencyBriefSerializer
    filterset_class = TransparencyFilterSet
    pagination_class = TransparencyPagination


class TransparencySubclassViewSet(TransparencyViewSet):
    """FITRS calculations per non-equity sub-class (no ISIN): thresholds and liquidity of the class."""

    queryset = transparency_list(subclasses=True)
    filterset_class = TransparencySubclassFilterSet
