"""Admin for instruments, listings, FIGIs and transparency."""

import datetime as dt
import json

from django.contrib import admin, messages
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from entities.models import LegalEntity
from marketdata.admin import (
    COMMON_CURRENCIES,
    JobActionsMixin,
    LargeTableAdmin,
    LimitedExportMixin,
    ReadOnlyInline,
    code_list_filter,
)
from marketdata.admin_display import json_tree
from marketdata.admin_pages import instrument_page_context
from marketdata.cfi import CfiError, cfi_decode
from marketdata.identifiers import is_valid_isin, is_valid_lei, is_valid_mic
from marketdata.models import AdminJob

from .models import FigiLookup, FigiMapping, Instrument, Listing, Transparency

CurrencyFilter = code_list_filter("currency", "currency", COMMON_CURRENCIES)
FileTypeFilter = code_list_filter("file_type", "file type", ("FULECR", "FULNCR", "DLTECR", "DLTNCR"))
MarketSectorFilter = code_list_filter(
    "market_sector",
    "market sector",
    ("Comdty", "Corp", "Curncy", "Equity", "Govt", "Index", "M-Mkt", "Mtge", "Muni", "Pfd"),
)


class VenueFilter(admin.SimpleListFilter):
    """Instruments with a current listing at a MIC: the largest venues offered (from the dashboard's snapshot, so no
    DISTINCT over the listings), any MIC through the URL (?mic=XPAR)."""

    title = "venue (MIC)"
    parameter_name = "mic"

    def lookups(self, request, model_admin):
        from marketdata.dashboard import dashboard_snapshot

        snapshot = dashboard_snapshot()
        venues = [venue for venue in (snapshot.data.get("venues", []) if snapshot else []) if venue["mic"]]
        offered = [(venue["mic"], f"{venue['mic']} {venue['name']}") for venue in venues]
        value = (self.value() or "").upper()
        if value and value not in {mic for mic, _ in offered}:
            offered.append((value, value))
        return offered

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        listed = Listing.objects.filter(instrument_id=OuterRef("isin"), venue_id=self.value().upper(), is_current=True)
        return queryset.filter(Exists(listed))


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
class InstrumentAdmin(JobActionsMixin, LimitedExportMixin, LargeTableAdmin):
    """Instruments: search by ISIN, issuer LEI or name, filter by CFI category, currency and venue; enrich, map FIGIs,
    export; the page shows the listings' timeline, the issuer's parents, FIGIs per venue and transparency."""

    list_display = (
        "isin",
        "full_name",
        "cfi_code",
        "category",
        "currency",
        "issuer_link",
        "maturity_date",
        "expiry_date",
    )
    list_select_related = ("issuer",)  # nullable: a LEFT JOIN keeps instruments whose issuer is not loaded
    list_filter = ("category", CurrencyFilter, VenueFilter)
    sortable_by = ("isin", "maturity_date", "expiry_date")  # indexed orderings only
    actions = ["enrich_selected", "map_figi_selected"]
    change_form_template = "admin/instruments/instrument/change_form.html"
    search_fields = ("=isin", "full_name", "short_name")
    identifier_search = {"isin": is_valid_isin, "issuer_id": is_valid_lei}
    # Type-ahead on the issuer: names (and LEIs, by index) through LegalEntityAdmin's search.
    autocomplete_fields = ("issuer",)
    readonly_fields = ("issuer_record", "cfi_decoded", "related_records")
    inlines = [ListingInline]

    @admin.action(description="Enrich selected instruments (issuers from GLEIF)", permissions=["start_jobs"])
    def enrich_selected(self, request, queryset):
        """A job fetching the selected instruments' missing issuers, their parents and reporting exceptions."""
        return self.job_start_for_selection(
            request, AdminJob.Kind.ENRICH_INSTRUMENTS, queryset.values_list("isin", flat=True), "isins"
        )

    @admin.action(description="Map selected instruments to FIGIs (OpenFIGI)", permissions=["start_jobs"])
    def map_figi_selected(self, request, queryset):
        """A job mapping the selected instruments' current listings to FIGIs."""
        return self.job_start_for_selection(
            request, AdminJob.Kind.MAP_FIGI, queryset.values_list("isin", flat=True), "isins"
        )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        """The page with its timeline as of ?as_of=YYYY-MM-DD (today by default)."""
        extra_context = dict(extra_context or {})
        instrument = self.get_object(request, object_id)
        if instrument is not None:
            as_of = None
            if request.GET.get("as_of"):
                try:
                    as_of = dt.date.fromisoformat(request.GET["as_of"])
                except ValueError:
                    self.message_user(
                        request, f"as_of: {request.GET['as_of']!r} is not a date (YYYY-MM-DD).", messages.ERROR
                    )
            extra_context.update(instrument_page_context(instrument, as_of))
        return super().change_view(request, object_id, form_url, extra_context)

    def get_fieldsets(self, request, obj=None):
        """The issuer record, the decoded CFI and related links first, then the model's fields."""
        summary = ("issuer_record", "cfi_decoded", "related_records")
        fields = [field for field in self.get_fields(request, obj) if field not in summary]
        return [("Issuer, CFI and related records", {"fields": summary}), (None, {"fields": fields})]

    @admin.display(description="issuer")
    def issuer_link(self, obj):
        """The issuer's LEI and, when loaded, its name (one column: the changelist fits 1,400 px)."""
        if not obj.issuer_id:
            return ""
        name = obj.issuer.legal_name if obj.issuer else "(LEI not loaded)"
        return format_html('{}<br><span class="quiet">{}</span>', obj.issuer_id, name)

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
class ListingAdmin(LimitedExportMixin, LargeTableAdmin):
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
    # ISIN or MIC, by index; names are searched on the instruments' changelist (one row per ISIN, not per version).
    search_fields = ("instrument_id__exact", "venue_id__exact")
    search_help_text = "An ISIN or a MIC."
    sortable_by = ("instrument_id", "venue_id", "valid_from")
    identifier_search = {"instrument_id": is_valid_isin, "venue_id": is_valid_mic}
    raw_id_fields = ("instrument", "venue")
    readonly_fields = ("record_tree",)
    exclude = ("record",)

    @admin.display(description="record as FIRDS sent it")
    def record_tree(self, obj):
        """The whole record as a collapsible tree."""
        return json_tree(obj.record, "record")

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


ClassificationFilter = code_list_filter(
    "classification",
    "classification",
    ("SHRS", "ETFS", "DPRS", "CRFT", "OTHR", "BOND", "DERV", "SDRV", "ETCS", "ETNS", "EMAL", "SFPS"),
)
MethodologyFilter = code_list_filter("methodology", "methodology", ("SINT", "YEAR", "ESTM", "FFWK"))


@admin.register(Transparency)
class TransparencyAdmin(LargeTableAdmin):
    """FITRS calculation versions: liquidity, thresholds and statistics per ISIN or sub-class, with history."""

    list_display = (
        "identifier",
        "file_type",
        "classification",
        "methodology",
        "period_from",
        "period_to",
        "liquid",
        "most_relevant_market",
        "valid_from",
        "valid_to",
    )
    list_filter = (FileTypeFilter, ClassificationFilter, MethodologyFilter, "liquid", "is_equity", "is_subclass")
    search_fields = ("=identifier", "subclass_description")
    identifier_search = {"identifier": is_valid_isin}
    readonly_fields = ("instrument_link", "record_tree")
    exclude = ("record",)

    @admin.display(description="instrument")
    def instrument_link(self, obj):
        """The instrument's page when FIRDS has loaded the ISIN."""
        if obj.is_subclass:
            return "(sub-class: no ISIN)"
        instrument = Instrument.objects.filter(isin=obj.identifier).only("pk", "isin").first()
        if instrument is None:
            return f"{obj.identifier} (not loaded from FIRDS)"
        url = reverse("admin:instruments_instrument_change", args=[instrument.pk])
        return format_html('<a href="{}">{}</a>', url, instrument.isin)

    @admin.display(description="record as FITRS sent it")
    def record_tree(self, obj):
        """The whole record, indented."""
        return format_html("<pre>{}</pre>", json.dumps(obj.record, indent=2, ensure_ascii=False)) if obj.record else "-"
