"""Admin for legal entities, relationships and reporting exceptions."""

from django.contrib import admin

from marketdata.admin import LargeTableAdmin, ReadOnlyInline

from .models import EntityRelationship, LegalEntity, ReportingException


class ParentRelationshipInline(ReadOnlyInline):
    """The entity's parents."""

    model = EntityRelationship
    fk_name = "child"
    fields = ("relationship_type", "parent", "relationship_status", "start_date", "end_date")
    readonly_fields = fields
    verbose_name_plural = "parents"


class ChildRelationshipInline(ReadOnlyInline):
    """The entity's children (first 50)."""

    model = EntityRelationship
    fk_name = "parent"
    fields = ("relationship_type", "child", "relationship_status", "start_date")
    readonly_fields = fields
    verbose_name_plural = "children"
    max_num = 50


class ReportingExceptionInline(ReadOnlyInline):
    """Why a parent is not reported."""

    model = ReportingException
    fields = ("category", "reason", "reference")
    readonly_fields = fields


@admin.register(LegalEntity)
class LegalEntityAdmin(LargeTableAdmin):
    """LEI records: search by LEI or name, filter by status, category and jurisdiction."""

    list_display = ("lei", "legal_name", "jurisdiction", "category", "entity_status", "registration_status")
    list_filter = ("entity_status", "registration_status", "category", "legal_address_country")
    search_fields = ("=lei", "legal_name")
    inlines = [ParentRelationshipInline, ChildRelationshipInline, ReportingExceptionInline]


@admin.register(EntityRelationship)
class EntityRelationshipAdmin(LargeTableAdmin):
    """Who owns whom."""

    list_display = ("child_id", "relationship_type", "parent_id", "relationship_status", "start_date")
    list_filter = ("relationship_type", "relationship_status", "registration_status")
    search_fields = ("=child__lei", "=parent__lei")
    raw_id_fields = ("child", "parent")


@admin.register(ReportingException)
class ReportingExceptionAdmin(LargeTableAdmin):
    """Reporting exceptions and their reasons."""

    list_display = ("entity_id", "category", "reason", "reference")
    list_filter = ("category", "reason")
    search_fields = ("=entity__lei",)
    raw_id_fields = ("entity",)
