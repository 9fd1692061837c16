"""Admin for legal entities, relationships and reporting exceptions."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from marketdata.admin import COMMON_COUNTRIES, LargeTableAdmin, ReadOnlyInline, code_list_filter
from marketdata.identifiers import is_valid_lei

from .models import EntityRelationship, LegalEntity, ReportingException

CountryFilter = code_list_filter("legal_address_country", "legal address country", COMMON_COUNTRIES)


def _name(obj, relation: str) -> str:
    """The related entity's legal name, or a note when its LEI is not loaded (entities prefetched, so no query)."""
    entity = getattr(obj, relation, None)  # a missing related row raises an AttributeError subclass
    return entity.legal_name if entity else "(LEI not loaded)"


class PrefetchedEntities:
    """Fetch the related entities of a page in one query each; prefetch keeps rows whose LEI is not loaded."""

    prefetch_entities: tuple[str, ...] = ()

    def get_queryset(self, request):
        """The admin's rows with their related entities prefetched."""
        return super().get_queryset(request).prefetch_related(*self.prefetch_entities)


class ParentRelationshipInline(PrefetchedEntities, ReadOnlyInline):
    """The entity's parents, with their names when loaded."""

    model = EntityRelationship
    fk_name = "child"
    prefetch_entities = ("parent",)
    fields = ("relationship_type", "parent_id", "parent_name", "relationship_status", "start_date", "end_date")
    readonly_fields = fields
    verbose_name_plural = "parents"

    @admin.display(description="parent LEI")
    def parent_id(self, obj):
        return obj.parent_id

    @admin.display(description="parent name")
    def parent_name(self, obj):
        return _name(obj, "parent")


class ReportingExceptionInline(ReadOnlyInline):
    """Why a parent is not reported."""

    model = ReportingException
    fields = ("category", "reason", "reference")
    readonly_fields = fields


@admin.register(LegalEntity)
class LegalEntityAdmin(LargeTableAdmin):
    """LEI records: search by LEI or name, filter by status, category and jurisdiction."""

    list_display = ("lei", "legal_name", "jurisdiction", "category", "entity_status", "registration_status")
    list_filter = ("entity_status", "registration_status", "category", CountryFilter)
    search_fields = ("=lei", "legal_name")
    identifier_search = {"lei": is_valid_lei}
    readonly_fields = ("related_records",)
    inlines = [ParentRelationshipInline, ReportingExceptionInline]

    @admin.display(description="related records")
    def related_records(self, obj):
        """Links to the entity's children and issued instruments (counted up to a cap, never in full)."""
        if not obj.pk:
            return "-"
        children = EntityRelationship.objects.filter(parent_id=obj.lei)[:1001].count()
        instruments = obj.instruments.all()[:1001].count()
        return format_html(
            '<a href="{}?parent__exact={}">{} child relationships</a> · '
            '<a href="{}?issuer__exact={}">{} instruments</a>',
            reverse("admin:entities_entityrelationship_changelist"),
            obj.lei,
            "1000+" if children > 1000 else children,
            reverse("admin:instruments_instrument_changelist"),
            obj.lei,
            "1000+" if instruments > 1000 else instruments,
        )


@admin.register(EntityRelationship)
class EntityRelationshipAdmin(PrefetchedEntities, LargeTableAdmin):
    """Who owns whom, with both names when loaded."""

    list_display = (
        "child_id",
        "child_name",
        "relationship_type",
        "parent_id",
        "parent_name",
        "relationship_status",
        "start_date",
    )
    list_filter = ("relationship_type", "relationship_status", "registration_status")
    search_fields = ("child_id__exact", "parent_id__exact")
    identifier_search = {"child_id": is_valid_lei, "parent_id": is_valid_lei}
    prefetch_entities = ("child", "parent")
    raw_id_fields = ("child", "parent")

    @admin.display(description="child name")
    def child_name(self, obj):
        return _name(obj, "child")

    @admin.display(description="parent name")
    def parent_name(self, obj):
        return _name(obj, "parent")


@admin.register(ReportingException)
class ReportingExceptionAdmin(PrefetchedEntities, LargeTableAdmin):
    """Reporting exceptions and their reasons."""

    list_display = ("entity_id", "entity_name", "category", "reason", "reference")
    list_filter = ("category", "reason")
    search_fields = ("entity_id__exact",)
    identifier_search = {"entity_id": is_valid_lei}
    prefetch_entities = ("entity",)
    raw_id_fields = ("entity",)

    @admin.display(description="name")
    def entity_name(self, obj):
        return _name(obj, "entity")
