"""Admin for venues."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from marketdata.admin import LargeTableAdmin, ReadOnlyInline

from .models import Venue


class SegmentInline(ReadOnlyInline):
    """Segment MICs under an operating MIC."""

    model = Venue
    fk_name = "operating"
    fields = ("mic", "market_name", "market_category", "status")
    readonly_fields = fields
    verbose_name = "segment"
    verbose_name_plural = "segments"


@admin.register(Venue)
class VenueAdmin(LargeTableAdmin):
    """MICs: search by code or name, filter by country, status, kind and category."""

    list_display = ("mic", "operating_id", "kind", "market_name", "country", "city", "market_category", "status")
    list_filter = ("kind", "status", "market_category", "country")
    search_fields = ("=mic", "=operating__mic", "market_name", "legal_entity_name", "acronym", "=lei")
    raw_id_fields = ("operating",)
    readonly_fields = ("listings_link",)
    inlines = [SegmentInline]

    @admin.display(description="listings")
    def listings_link(self, obj):
        """A link to the FIRDS listings at this MIC (not counted: a venue may have millions)."""
        url = reverse("admin:instruments_listing_changelist")
        return format_html(
            '<a href="{}?venue__exact={}&amp;is_current__exact=1">current listings at {}</a>', url, obj.mic, obj.mic
        )
