"""LegalEntity, EntityRelationship and ReportingException from GLEIF."""

from django.db import models

from marketdata.models import TimeStampedModel, code_relation
from marketdata.names import name_search_text

from .choices import (
    EntityCategory,
    EntityStatus,
    ExceptionCategory,
    ExceptionReason,
    RegistrationStatus,
    RelationshipStatus,
    RelationshipType,
)


class LegalEntity(TimeStampedModel):
    """One LEI record (GLEIF level 1)."""

    lei = models.CharField("LEI", max_length=20, unique=True)
    legal_name = models.CharField(max_length=500)
    legal_name_language = models.CharField(max_length=10, blank=True, default="")
    other_names = models.JSONField(default=list, blank=True, help_text="Other and transliterated names.")
    legal_address = models.JSONField(default=dict, blank=True)
    headquarters_address = models.JSONField(default=dict, blank=True)
    legal_address_country = models.CharField(max_length=2, blank=True, default="", db_index=True)
    headquarters_country = models.CharField(max_length=2, blank=True, default="")
    jurisdiction = models.CharField(max_length=10, blank=True, default="", db_index=True)
    category = models.CharField(max_length=30, blank=True, default="", choices=EntityCategory.choices, db_index=True)
    sub_category = models.CharField(max_length=50, blank=True, default="")
    legal_form_code = models.CharField("legal form (ELF code)", max_length=10, blank=True, default="")
    legal_form_text = models.CharField("legal form (text)", max_length=255, blank=True, default="")
    entity_status = models.CharField(max_length=10, blank=True, default="", choices=EntityStatus.choices, db_index=True)
    registration_status = models.CharField(
        max_length=20, blank=True, default="", choices=RegistrationStatus.choices, db_index=True
    )
    initial_registration_date = models.DateTimeField(null=True, blank=True)
    last_update_date = models.DateTimeField(null=True, blank=True)
    next_renewal_date = models.DateTimeField(null=True, blank=True)
    managing_lou = models.CharField("managing LOU", max_length=20, blank=True, default="")
    corroboration_level = models.CharField(max_length=30, blank=True, default="")
    bics = models.JSONField("BICs", default=list, blank=True)
    successor_lei = models.CharField("successor LEI", max_length=20, blank=True, default="")
    record = models.JSONField(default=dict, blank=True, help_text="The whole GLEIF record as received.")
    search_text = models.TextField(
        blank=True, default="", editable=False, help_text="Normalized legal and other names, for name search."
    )

    class Meta:
        verbose_name_plural = "legal entities"
        ordering = ["lei"]

    def __str__(self):
        return f"{self.lei} {self.legal_name}"

    def save(self, *args, **kwargs):
        """Keep the search text in step with the names, however the entity is saved (the admin, a shell)."""
        self.search_text = name_search_text(self.legal_name, self.other_names)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and {"legal_name", "other_names"} & set(update_fields):
            kwargs["update_fields"] = {*update_fields, "search_text"}
        super().save(*args, **kwargs)


class EntityRelationship(TimeStampedModel):
    """A parent relationship between two LEIs (GLEIF level 2, RR-CDF); either side may not be loaded."""

    child = code_relation(LegalEntity, to_field="lei", db_column="child_lei", related_name="parent_relationships")
    parent = code_relation(LegalEntity, to_field="lei", db_column="parent_lei", related_name="child_relationships")
    relationship_type = models.CharField(max_length=40, choices=RelationshipType.choices)
    relationship_status = models.CharField(max_length=10, blank=True, default="", choices=RelationshipStatus.choices)
    periods = models.JSONField(default=list, blank=True, help_text="Relationship, accounting and document periods.")
    start_date = models.DateTimeField(null=True, blank=True)
    end_date = models.DateTimeField(null=True, blank=True)
    registration_status = models.CharField(max_length=20, blank=True, default="", choices=RegistrationStatus.choices)
    initial_registration_date = models.DateTimeField(null=True, blank=True)
    last_update_date = models.DateTimeField(null=True, blank=True)
    validation_sources = models.CharField(max_length=30, blank=True, default="")
    record = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["child_id", "relationship_type"]
        constraints = [
            models.UniqueConstraint(
                fields=["child", "parent", "relationship_type"], name="entityrelationship_child_parent_type_uniq"
            )
        ]
        indexes = [models.Index(fields=["parent", "relationship_type"], name="entityrel_parent_type_idx")]

    def __str__(self):
        return f"{self.child_id} {self.get_relationship_type_display()} {self.parent_id}"


class ReportingException(TimeStampedModel):
    """Why an entity reports no direct or ultimate parent."""

    entity = code_relation(LegalEntity, to_field="lei", db_column="lei", related_name="reporting_exceptions")
    category = models.CharField(max_length=45, choices=ExceptionCategory.choices)
    reason = models.CharField(max_length=30, choices=ExceptionReason.choices)
    reference = models.CharField(max_length=500, blank=True, default="")
    registration_status = models.CharField(max_length=20, blank=True, default="")
    last_update_date = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["entity_id", "category"]
        constraints = [
            models.UniqueConstraint(fields=["entity", "category"], name="reportingexception_entity_category_uniq")
        ]

    def __str__(self):
        return f"{self.entity_id} {self.category}: {self.reason}"


class IsinLeiMapping(models.Model):
    """GLEIF's ISIN-to-LEI mapping: the issuer's LEI the numbering agencies report for an ISIN (loaded from GLEIF's
    mapping file); instruments whose FIRDS records name no issuer take it, marked as from GLEIF."""

    isin = models.CharField("ISIN", max_length=12, unique=True)
    lei = models.CharField("LEI", max_length=20, db_index=True)
    source_file = models.CharField(max_length=100, blank=True, default="")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "ISIN-LEI mapping"
        ordering = ["isin"]

    def __str__(self):
        return f"{self.isin} -> {self.lei}"
