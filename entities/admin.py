"""Admin for legal entities, relationships and reporting exceptions."""

from django.contrib import admin
from django.http import HttpResponseRedirect
from django.urls import path, reverse
from django.utils.html import format_html

from marketdata.admin import (
    COMMON_COUNTRIES,
    JobActionsMixin,
    LargeTableAdmin,
    LimitedExportMixin,
    ReadOnlyInline,
    code_list_filter,
)
from marketdata.admin_display import json_tree, mapping_table, rows_table
from marketdata.admin_pages import entity_page_context
from marketdata.identifiers import is_valid_isin, is_valid_lei
from marketdata.models import AdminJob

from .models import EntityRelationship, IsinLeiMapping, LegalEntity, ReportingException
from .selectors import entity_resolve

CountryFilter = code_list_filter("legal_address_country", "legal address country", COMMON_COUNTRIES)
ADDRESS_ORDER = (
    "addressLines",
    "addressNumber",
    "addressNumberWithinBuilding",
    "mailRouting",
    "postalCode",
    "city",
    "region",
    "country",
    "language",
)


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
class LegalEntityAdmin(JobActionsMixin, LimitedExportMixin, LargeTableAdmin):
    """LEI records: search by LEI or name, filter by status, category and jurisdiction; the page shows addresses and
    names as tables, the GLEIF record as a tree and the ownership as a picture."""

    list_display = ("lei", "legal_name", "jurisdiction", "category", "entity_status", "registration_status")
    list_filter = ("entity_status", "registration_status", "category", CountryFilter)
    search_fields = ("=lei", "legal_name")
    identifier_search = {"lei": is_valid_lei}
    sortable_by = ("lei",)  # the indexed ordering only
    readonly_fields = (
        "related_records",
        "legal_address_table",
        "headquarters_address_table",
        "other_names_table",
        "bics_list",
        "record_tree",
    )
    exclude = ("legal_address", "headquarters_address", "other_names", "bics", "record")
    inlines = [ParentRelationshipInline, ReportingExceptionInline]
    actions = ["enrich_selected"]
    change_form_template = "admin/entities/legalentity/change_form.html"

    def get_search_results(self, request, queryset, search_term):
        """An LEI by index; a name by substring and by the name search (typos, legal-form variants)."""
        results, distinct = super().get_search_results(request, queryset, search_term)
        term = search_term.strip()
        if term and not is_valid_lei(term.upper()):
            near = [candidate.entity.lei for candidate in entity_resolve(term, limit=100, min_score=75)]
            results = results | queryset.filter(lei__in=near)
        return results, distinct

    @admin.action(description="Enrich selected entities (parents and children from GLEIF)", permissions=["start_jobs"])
    def enrich_selected(self, request, queryset):
        """A job refreshing the selected entities' records, parents, children and reporting exceptions."""
        return self.job_start_for_selection(
            request, AdminJob.Kind.ENRICH_ENTITIES, queryset.values_list("lei", flat=True), "leis"
        )

    def get_urls(self):
        """lei/<LEI>/ leads to an LEI's page whether or not its record is loaded."""
        view = self.admin_site.admin_view(self.by_lei_view)
        return [path("lei/<str:lei>/", view, name="entities_legalentity_by_lei")] + super().get_urls()

    def by_lei_view(self, request, lei):
        """The entity's page when its LEI is loaded, else the relationships that name it."""
        entity = LegalEntity.objects.filter(lei=lei.upper()).only("pk").first()
        if entity is not None:
            return HttpResponseRedirect(reverse("admin:entities_legalentity_change", args=[entity.pk]))
        return HttpResponseRedirect(f"{reverse('admin:entities_entityrelationship_changelist')}?q={lei.upper()}")

    def change_view(self, request, object_id, form_url="", extra_context=None):
        """The page with the ownership picture."""
        extra_context = dict(extra_context or {})
        entity = self.get_object(request, object_id)
        if entity is not None:
            extra_context.update(entity_page_context(entity))
        return super().change_view(request, object_id, form_url, extra_context)

    def get_fieldsets(self, request, obj=None):
        """The model's fields, then the addresses, names and BICs as tables, then the GLEIF record."""
        readable = ("legal_address_table", "headquarters_address_table", "other_names_table", "bics_list")
        fields = [f for f in self.get_fields(request, obj) if f not in readable + ("record_tree",)]
        return [
            (None, {"fields": fields}),
            ("Addresses, names and BICs", {"fields": readable}),
            ("GLEIF record", {"fields": ("record_tree",), "classes": ("collapse",)}),
        ]

    @admin.display(description="legal address")
    def legal_address_table(self, obj):
        return mapping_table(obj.legal_address, ADDRESS_ORDER)

    @admin.display(description="headquarters address")
    def headquarters_address_table(self, obj):
        return mapping_table(obj.headquarters_address, ADDRESS_ORDER)

    @admin.display(description="other names")
    def other_names_table(self, obj):
        return rows_table(obj.other_names, ["name", "language", "type"])

    @admin.display(description="BICs")
    def bics_list(self, obj):
        return ", ".join(obj.bics) if obj.bics else "-"

    @admin.display(description="record as GLEIF sent it")
    def record_tree(self, obj):
        return json_tree(obj.record, "record")

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


@admin.register(IsinLeiMapping)
class IsinLeiMappingAdmin(LargeTableAdmin):
    """GLEIF's ISIN-LEI mapping, as loaded (load_gleif_isin_map): looked up by exact ISIN or LEI, never edited."""

    list_display = ("isin", "lei", "source_file", "updated_at")
    search_fields = ("=isin", "=lei")
    identifier_search = {"isin": is_valid_isin, "lei": is_valid_lei}
    sortable_by = ("isin",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
