"""Instrument filters for the API and list screens."""

import django_filters
from django.db.models import Exists, OuterRef, Q

from entities.models import IsinLeiMapping
from marketdata.filters import ApiFilterSet, IsoDateFilter, any_or

from .choices import CfiCategory, InstrumentType
from .models import FigiMapping, Instrument, Listing


def _current_listing_exists(**lookups) -> Exists:
    """True for an instrument with a current listing whose own record matches the lookups."""
    return Exists(Listing.objects.filter(instrument_id=OuterRef("isin"), is_current=True, **lookups))


def _any_current_listing(queryset, **lookups):
    """The instruments with a current listing whose own record matches the lookups (venues disagree in real data)."""
    return queryset.filter(_current_listing_exists(**lookups))


class InstrumentFilterSet(ApiFilterSet):
    """Filter instruments by classification, currency, venue, issuer, dates and free text.

    CFI, currency, issuer, MIC, maturity and expiry match any current listing's own record, not only the one the
    instrument is derived from; issuer also matches the LEI GLEIF's ISIN-LEI mapping gives the ISIN.
    """

    q = django_filters.CharFilter(method="filter_q", label="ISIN (prefix), full name or FISN contains")
    cfi = django_filters.CharFilter(
        method="filter_cfi", label="a current listing's CFI code starts with, e.g. E or ESV"
    )
    category = django_filters.ChoiceFilter(choices=any_or(CfiCategory.choices), label="CFI category letter")
    type = django_filters.ChoiceFilter(field_name="instrument_type", choices=any_or(InstrumentType.choices))
    currency = django_filters.CharFilter(method="filter_listing_code", field_name="currency")
    mic = django_filters.CharFilter(
        method="filter_listing_code", field_name="venue_id", label="a current listing's MIC"
    )
    issuer = django_filters.CharFilter(
        method="filter_issuer", label="issuer LEI: a current listing's (FIRDS) or GLEIF's ISIN-LEI mapping's"
    )
    figi = django_filters.CharFilter(
        method="filter_figi", label="a FIGI OpenFIGI gave one of its listings (venue, composite or share class)"
    )
    maturity_after = IsoDateFilter(
        method="filter_listing_date", field_name="maturity_date__gte", label="matures on/after"
    )
    maturity_before = IsoDateFilter(
        method="filter_listing_date", field_name="maturity_date__lte", label="matures on/before"
    )
    expiry_after = IsoDateFilter(method="filter_listing_date", field_name="expiry_date__gte", label="expires on/after")
    expiry_before = IsoDateFilter(
        method="filter_listing_date", field_name="expiry_date__lte", label="expires on/before"
    )

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
        """Instruments with a current listing whose CFI code starts with the given letters."""
        code = value.strip().upper()
        return _any_current_listing(queryset, cfi_code__startswith=code) if code else queryset

    def filter_listing_code(self, queryset, name, value):
        """Instruments with a current listing holding this code (upper case) in the field."""
        return _any_current_listing(queryset, **{name: value.strip().upper()})

    def filter_issuer(self, queryset, name, value):
        """Instruments a current listing names this issuer for, or whose ISIN GLEIF's ISIN-LEI mapping links to it."""
        lei = value.strip().upper()
        if not lei:
            return queryset
        named = _current_listing_exists(issuer_lei=lei)
        mapped = Exists(IsinLeiMapping.objects.filter(isin=OuterRef("isin"), lei=lei))
        return queryset.filter(named | mapped)

    def filter_figi(self, queryset, name, value):
        """Instruments OpenFIGI mapped to this FIGI, at any level (each FIGI column is indexed)."""
        figi = value.strip().upper()
        if not figi:
            return queryset
        mapped = FigiMapping.objects.filter(Q(figi=figi) | Q(composite_figi=figi) | Q(share_class_figi=figi))
        return queryset.filter(isin__in=mapped.values("isin"))

    def filter_listing_date(self, queryset, name, value):
        """Instruments with a current listing whose date term is within the bound."""
        return _any_current_listing(queryset, **{name: value})
