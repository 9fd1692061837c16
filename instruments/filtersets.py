"""Instrument filters for the API and list screens."""

import django_filters
from django.db.models import Exists, OuterRef, Q

from marketdata.filters import ApiFilterSet, IsoDateFilter, any_or

from .choices import CfiCategory, InstrumentType
from .models import Instrument, Listing


class InstrumentFilterSet(ApiFilterSet):
    """Filter instruments by classification, currency, venue, issuer, dates and free text."""

    q = django_filters.CharFilter(method="filter_q", label="ISIN (prefix), full name or FISN contains")
    cfi = django_filters.CharFilter(method="filter_cfi", label="CFI code prefix, e.g. E or ESV")
    category = django_filters.ChoiceFilter(choices=any_or(CfiCategory.choices), label="CFI category letter")
    type = django_filters.ChoiceFilter(field_name="instrument_type", choices=any_or(InstrumentType.choices))
    currency = django_filters.CharFilter(method="filter_upper", field_name="currency")
    mic = django_filters.CharFilter(method="filter_mic", label="has a current listing at this MIC")
    issuer = django_filters.CharFilter(method="filter_upper", field_name="issuer_id", label="issuer LEI")
    maturity_after = IsoDateFilter(field_name="maturity_date", lookup_expr="gte", label="matures on/after")
    maturity_before = IsoDateFilter(field_name="maturity_date", lookup_expr="lte", label="matures on/before")
    expiry_after = IsoDateFilter(field_name="expiry_date", lookup_expr="gte", label="expires on/after")
    expiry_before = IsoDateFilter(field_name="expiry_date", lookup_expr="lte", label="expires on/before")

    class Meta:
        model = Instrument
        fields = []

    def filter_q(self, queryset, name, value):
        """ISIN prefix, or full name or FISN containing the text."""
        text = value.strip()
        if not text:
            return queryset
        return queryset.filter(
            Q(isin__startswith=text.upper()) | Q(full_name__icontains=text) | Q(short_name__icontains=text)
        )

    def filter_cfi(self, queryset, name, value):
        """CFI codes starting with the given letters."""
        return queryset.filter(cfi_code__startswith=value.strip().upper()) if value.strip() else queryset

    def filter_upper(self, queryset, name, value):
        """Exact match on an upper-case code."""
        return queryset.filter(**{name: value.strip().upper()})

    def filter_mic(self, queryset, name, value):
        """Instruments with a current listing at the MIC."""
        current = Listing.objects.filter(
            instrument_id=OuterRef("isin"), venue_id=value.strip().upper(), is_current=True
        )
        return queryset.filter(Exists(current))
