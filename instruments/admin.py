"""Admin for instruments, listings, FIGIs and transparency."""

from django.contrib import admin

from marketdata.admin import LargeTableAdmin, ReadOnlyInline

from .models import FigiMapping, Instrument, Listing, Transparency


class ListingInline(ReadOnlyInline):
    """The instrument's listing versions, current first."""

    model = Listing
    fields = ("venue", "full_name", "valid_from", "valid_to", "is_current", "is_cancelled", "record_type")
    readonly_fields = fields
    ordering = ("-is_current", "venue_id", "-valid_from")


@admin.register(Instrument)
class InstrumentAdmin(LargeTableAdmin):
    """Instruments: search by ISIN or name, filter by CFI category, type and currency."""

    list_display = ("isin", "full_name", "cfi_code", "category", "currency", "issuer_id", "maturity_date", "expiry_date")
    list_filter = ("category", "instrument_type", "currency")
    search_fields = ("=isin", "full_name", "short_name", "=issuer__lei")
    raw_id_fields = ("issuer",)
    inlines = [ListingInline]


@admin.register(Listing)
class ListingAdmin(LargeTableAdmin):
    """Listing versions per (ISIN, MIC)."""

    list_display = ("instrument_id", "venue_id", "full_name", "valid_from", "valid_to", "is_current", "is_cancelled")
    list_filter = ("is_current", "is_cancelled", "record_type")
    search_fields = ("=instrument__isin", "=venue__mic")
    raw_id_fields = ("instrument", "venue")


@admin.register(FigiMapping)
class FigiMappingAdmin(LargeTableAdmin):
    """FIGIs per (ISIN, MIC)."""

    list_display = ("isin", "mic", "figi", "composite_figi", "ticker", "exchange_code", "security_type", "mapped_at")
    list_filter = ("market_sector",)
    search_fields = ("=isin", "=figi", "=composite_figi", "ticker")


@admin.register(Transparency)
class TransparencyAdmin(LargeTableAdmin):
    """FITRS transparency records."""

    list_display = ("identifier", "file_type", "classification", "methodology", "liquid", "valid_from", "valid_to")
    list_filter = ("file_type", "liquid", "classification")
    search_fields = ("=identifier",)
