"""Venue filters for the API and list screens."""

import django_filters
from django.db.models import Q

from marketdata.filters import ApiFilterSet, any_or

from .choices import VenueKind, VenueStatus
from .models import Venue


class VenueFilterSet(ApiFilterSet):
    """Filter MICs by country, status, market category, operating MIC, kind and free text."""

    q = django_filters.CharFilter(method="filter_q", label="MIC, market name or acronym contains")
    country = django_filters.CharFilter(method="filter_upper")
    status = django_filters.ChoiceFilter(choices=any_or(VenueStatus.choices))
    category = django_filters.CharFilter(method="filter_upper", field_name="market_category")
    operating_mic = django_filters.CharFilter(method="filter_upper", field_name="operating_id")
    kind = django_filters.ChoiceFilter(choices=any_or(VenueKind.choices))

    class Meta:
        model = Venue
        fields = []

    def filter_q(self, queryset, name, value):
        """MIC, market name or acronym containing the text."""
        text = value.strip()
        if not text:
            return queryset
        return queryset.filter(Q(mic=text.upper()) | Q(market_name__icontains=text) | Q(acronym__icontains=text))

    def filter_upper(self, queryset, name, value):
        """Exact match on an upper-case code."""
        return queryset.filter(**{name: value.strip().upper()})
