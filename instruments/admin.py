"""Admin for instruments, listings, FIGIs and transparency."""

import json

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from entities.models import LegalEntity
from marketdata.admin import COMMON_CURRENCIES, LargeTableAdmin, ReadOnlyInline, code_list_filter
from marketdata.cfi import CfiError, cfi_decode
from marketdata.identifiers import is_valid_isin, is_valid_lei, is_valid_mic

from .models import FigiLookup, FigiMapping, Instrument, Listing, Transparency

CurrencyFilter = code_list_filter("currency", "currency", COMMON_CURRENCIES)
FileTypeFilter = code_list_filter("file_type", "file type", ("FULECR", "FULNCR", "DLTECR", "DLTNCR"))
MarketSectorFilter = code_list_filter(
    "market_sector",
    "market sector",
    ("Comdty", "Corp", "Curncy", "Equity", "Govt", "Index", "M-Mkt", "Mtge", "Muni", "Pfd"),
)


def _venue_name(listing: Listing) -> str:
    """The venue's market name when the MIC is loaded (venue prefetched, so no query)."""
    venue = getattr(listing, "venue", None)  # a missing related row raises an AttributeError subclass
    return venue.market_name if venue else "(MIC not loaded)"


class ListingInline(ReadOnlyInline):
    """The instrument's listing versions, current first, with the venue's name."""

    model = Listing
    fields = (
        "mic",
        "venue_name",
        "full_name",
        "cfi_code",
        "currency",
        "maturity_date",
        "expiry_date",
        "valid_from",
        "valid_to",
        "is_current",
        "is_cancelled",
    )
    readonly_fields = fields
    ordering = ("-is_current", "venue_id", "-valid_from")

    def get_queryset(self, request):
        """Venues fetched in one query; prefetch keeps listings whose MIC is not loaded."""
        return super().get_queryset(request).prefetch_related("venue")

    @admin.display(description="MIC")
    def mic(self, obj):
        return obj.venue_id

    @admin.display(description="venue")
    def venue_name(self, obj):
        return _venue_name(obj)


@admin.register(Instrument)
class InstrumentAdmin(LargeTableAdmin):
    """Instruments: search by ISIN, issuer LEI or name, filter by CFI category and currency."""

    list_display = (
        "isin",
        "full_name",
        "cfi_code",
        "category",
        "currency",
        "issuer_id",
        "issuer_name",
        "maturity_date",
        "expiry_date",
    )
    list_select_related = ("issuer",)  # nullable: a LEFT JOIN keeps instruments whose issuer is not loaded
    list_filter = ("category", CurrencyFilter)
    search_fields = ("=isin", "full_name", "short_name")
    identifier_search = {"isin": is_valid_isin, "issuer_id": is_valid_lei}
    raw_id_fields = ("issuer",)
    readonly_fields = ("issuer_record", "cfi_decoded", "related_records")
    inlines = [ListingInline]

    def get_fieldsets(self, request, obj=None):
        """The issuer record, the decoded CFI and related links first, then the model's fields."""
        summary = ("issuer_record", "cfi_decoded", "related_records")
        fields = [field for field in self.get_fields(request, obj) if field not in summary]
        return [("Issuer, CFI and related records", {"fields": summary}), (None, {"fields": fields})]

    @admin.display(description="issuer name", ordering="issuer__legal_name")
    def issuer_name(self, obj):
        return obj.issuer.legal_name if obj.issuer else ""

    @admin.display(description="issuer")
    def issuer_record(self, obj):
        """The issuer's LEI record when it is loaded, else the LEI as FIRDS gives it."""
        if not obj.issuer_id:
            return "-"
        entity = LegalEntity.objects.filter(lei=obj.issuer_id).first()
        if entity is None:
            return f"{obj.issuer_id} (LEI not loaded)"
        url = reverse("admin:entities_legalentity_change", args=[entity.pk])
        return format_html('<a href="{}">{}</a> {}', url, entity.lei, entity.legal_name)

    @admin.display(description="related records")
    def related_records(self, obj):
        """Links to every listing version, FIGI and transparency record of this ISIN."""
        links = (
            ("instruments_listing", "instrument__exact", "listing versions"),
            ("instruments_figimapping", "isin", "FIGIs"),
            ("instruments_transparency", "identifier", "transparency records"),
        )
        return format_html_join(
            " · ",
            '<a href="{}?{}={}">{}</a>',
            ((reverse(f"admin:{name}_changelist"), param, obj.isin, label) for name, param, label in links),
        )

    @admin.display(description="CFI decoded")
    def cfi_decoded(self, obj):
        """Category, group and each attribute of the CFI code (ISO 10962)."""
        if not obj.cfi_code:
            return "-"
        try:
            decoded = cfi_decode(obj.cfi_code)
        except CfiError as error:
            return str(error)
        rows = [
            ("Category", f"{decoded.category} {decoded.category_name}"),
            ("Group", f"{decoded.group} {decoded.group_name}"),
        ]
        rows += [(a.name.split(" (")[0], f"{a.value} {a.meaning}") for a in decoded.attributes]
        return format_html("<dl class='cfi'>{}</dl>", format_html_join("", "<dt>{}</dt><dd>{}</dd>", rows))


@admin.register(Listing)
class ListingAdmin(LargeTableAdmin):
    """Listing versions per (ISIN, MIC), with the venue's name."""

    list_display = (
        "instrument_id",
        "venue_id",
        "venue_name",
        "full_name",
        "cfi_code",
        "valid_from",
        "valid_to",
        "is_current",
        "is_cancelled",
    )
    list_filter = ("is_current", "is_cancelled", "record_type", CurrencyFilter)
    search_fields = ("instrument_id__exact", "venue_id__exact", "full_name")
    identifier_search = {"instrument_id": is_valid_isin, "venue_id": is_valid_mic}
    raw_id_fields = ("instrument", "venue")
    readonly_fields = ("record_tree",)
    exclude = ("record",)

    @admin.display(description="record as FIRDS sent it")
    def record_tree(self, obj):
        """The whole record, indented."""
        return format_html("<pre>{}</pre>", json.dumps(obj.record, indent=2, ensure_ascii=False)) if obj.record else "-"

    def get_queryset(self, request):
        """Venues fetched in one query per page; prefetch keeps listings whose MIC is not loaded."""
        return super().get_queryset(request).prefetch_related("venue")

    @admin.display(description="venue")
    def venue_name(self, obj):
        return _venue_name(obj)


@admin.register(FigiMapping)
class FigiMappingAdmin(LargeTableAdmin):
    """FIGIs per (ISIN, MIC)."""

    list_display = ("isin", "mic", "figi", "composite_figi", "ticker", "exchange_code", "security_type", "mapped_at")
    list_filter = (MarketSectorFilter,)
    search_fields = ("=isin", "=figi", "=composite_figi", "ticker")
    identifier_search = {"isin": is_valid_isin}


@admin.register(FigiLookup)
class FigiLookupAdmin(LargeTableAdmin):
    """When OpenFIGI was last asked about an (ISIN, MIC), and what it answered."""

    list_display = ("isin", "mic", "status", "figi_count", "message", "looked_up_at")
    list_filter = ("status",)
    search_fields = ("=isin", "=mic")
    identifier_search = {"isin": is_valid_isin}


@admin.register(Transparency)
class TransparencyAdmin(LargeTableAdmin):
    """FITRS transparency records."""

    list_display = ("identifier", "file_type", "classification", "methodology", "liquid", "valid_from", "valid_to")
    list_filter = (FileTypeFilter, "liquid")
    search_fields = ("=identifier",)
