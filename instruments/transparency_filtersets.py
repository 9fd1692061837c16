"""Filters of FITRS transparency lists (ISIN calculations and sub-classes) for the API and list screens."""

import django_filters
from django.db.models import Q
from drf_spectacular.utils import extend_schema_field

from marketdata.api.pagination import KeysetPagination
from marketdata.filters import ApiFilterSet, IsoDateFilter, any_or

from .models import Transparency

BOOLEAN_CHOICES = any_or([("true", "true"), ("false", "false")])


@extend_schema_field({"type": "string", "enum": [value for value, _ in BOOLEAN_CHOICES]})
class StrictBooleanFilter(django_filters.ChoiceFilter):
    """A flag given as true or false ('' for no filter); anything else is a 400, not silently ignored."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, choices=BOOLEAN_CHOICES, **kwargs)

    def filter(self, queryset, value):
        """Rows whose flag is the value (or all rows for '')."""
        if value in ("", None):
            return queryset
        return queryset.filter(**{self.field_name: value == "true"})


class TransparencyFilterSet(ApiFilterSet):
    """Filter calculations by ISIN, liquidity, classification, methodology, most relevant market and period.

    Without `as_of` or `history` the open versions are listed (each calculation as last published).
    """

    isin = django_filters.CharFilter(method="filter_code", field_name="identifier", label="ISIN")
    liquid = StrictBooleanFilter(label="Lqdty: true or false")
    classification = django_filters.CharFilter(method="filter_code", label="FinInstrmClssfctn, e.g. SHRS or BOND")
    methodology = django_filters.CharFilter(method="filter_code", label="Mthdlgy: SINT, YEAR, ESTM or FFWK")
    mic = django_filters.CharFilter(method="filter_code", field_name="most_relevant_market", label="most relevant MIC")
    file_type = django_filters.CharFilter(method="filter_code", label="FULECR, FULNCR, DLTECR or DLTNCR")
    period = IsoDateFilter(method="filter_period", label="calculation periods that contain this date")
    as_of = IsoDateFilter(method="filter_as_of", label="the versions valid on this date (default: the open ones)")
    history = StrictBooleanFilter(method="filter_history", label="true: every version, closed ones too")

    class Meta:
        model = Transparency
        fields = []

    def filter_queryset(self, queryset):
        """The filters, on the open versions unless `as_of` or `history` asks for others."""
        data = self.form.cleaned_data if self.is_bound and self.form.is_valid() else {}
        if data.get("as_of") is None and data.get("history") != "true":
            queryset = queryset.filter(valid_to__isnull=True)
        return super().filter_queryset(queryset)

    def filter_code(self, queryset, name, value):
        """Rows holding this code (upper case) in the field."""
        return queryset.filter(**{name: value.strip().upper()})

    def filter_period(self, queryset, name, value):
        """Calculations whose period (RptgPrd) contains the date."""
        return queryset.filter(period_from__lte=value, period_to__gte=value)

    def filter_as_of(self, queryset, name, value):
        """Versions valid on the date (published on or before it and not yet replaced)."""
        return queryset.filter(Q(valid_to__isnull=True) | Q(valid_to__gte=value), valid_from__lte=value)

    def filter_history(self, queryset, name, value):
        """Nothing more to filter: filter_queryset leaves closed versions in."""
        return queryset


class TransparencySubclassFilterSet(TransparencyFilterSet):
    """Sub-class calculations: by asset class and description besides the calculation filters."""

    asset_class = django_filters.CharFilter(method="filter_code", label="AsstClss")
    q = django_filters.CharFilter(field_name="subclass_description", lookup_expr="icontains", label="description")

    class Meta:
        model = Transparency
        fields = []


class TransparencyPagination(KeysetPagination):
    """Calculations by ISIN or sub-class (default) or by id; the id breaks ties."""

    orderings = {"identifier": ("identifier", "id"), "id": ("id",), "-id": ("-id",)}
    default_ordering = "identifier"
