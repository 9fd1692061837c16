"""Legal entity API shapes: brief and full records, parents (or the reporting exception) and children."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from marketdata.api.base import PlainTextField
from marketdata.names import MATCH_REASONS

from ..models import EntityRelationship, LegalEntity, ReportingException
from ..selectors import LEGAL_ENTITY_BRIEF_COLUMNS

BRIEF_FIELDS = list(LEGAL_ENTITY_BRIEF_COLUMNS)


class LegalEntityBriefSerializer(serializers.ModelSerializer):
    """A legal entity in a list or nested in another record."""

    class Meta:
        model = LegalEntity
        fields = BRIEF_FIELDS


class LegalEntitySerializer(serializers.ModelSerializer):
    """The full LEI record: names, addresses, legal form and registration."""

    class Meta:
        model = LegalEntity
        fields = [
            *BRIEF_FIELDS,
            "legal_name_language",
            "other_names",
            "legal_address",
            "headquarters_address",
            "headquarters_country",
            "sub_category",
            "legal_form_code",
            "legal_form_text",
            "initial_registration_date",
            "last_update_date",
            "next_renewal_date",
            "managing_lou",
            "corroboration_level",
            "bics",
            "successor_lei",
            "updated_at",
        ]


def _cached_entity(relationship, name):
    """The related entity the selector prefetched, or None when that LEI is not loaded."""
    entity = relationship._state.fields_cache.get(name)
    return LegalEntityBriefSerializer(entity).data if entity is not None else None


class ParentSerializer(serializers.ModelSerializer):
    """A parent relationship: the parent's LEI, its brief record when loaded, and the relationship's terms."""

    parent_lei = serializers.CharField(source="parent_id", read_only=True)
    parent = serializers.SerializerMethodField()

    class Meta:
        model = EntityRelationship
        fields = [
            "parent_lei",
            "parent",
            "relationship_type",
            "relationship_status",
            "start_date",
            "end_date",
            "registration_status",
            "last_update_date",
        ]

    @extend_schema_field(LegalEntityBriefSerializer(allow_null=True))
    def get_parent(self, relationship):
        """The parent's brief record, or null when its LEI is not loaded."""
        return _cached_entity(relationship, "parent")


class ChildSerializer(serializers.ModelSerializer):
    """A child relationship: the child's LEI, its brief record when loaded, and the relationship type."""

    child_lei = serializers.CharField(source="child_id", read_only=True)
    child = serializers.SerializerMethodField()

    class Meta:
        model = EntityRelationship
        fields = ["child_lei", "child", "relationship_type", "relationship_status", "start_date", "end_date"]

    @extend_schema_field(LegalEntityBriefSerializer(allow_null=True))
    def get_child(self, relationship):
        """The child's brief record, or null when its LEI is not loaded."""
        return _cached_entity(relationship, "child")


class ReportingExceptionSerializer(serializers.ModelSerializer):
    """Why an entity reports no parent of one kind."""

    reason_display = serializers.CharField(source="get_reason_display", read_only=True)

    class Meta:
        model = ReportingException
        fields = ["category", "reason", "reason_display", "reference", "last_update_date"]


class EntityParentsSerializer(serializers.Serializer):
    """An entity's direct and ultimate parents, each with the reporting exception when no parent is reported."""

    lei = serializers.CharField()
    direct = ParentSerializer(allow_null=True)
    direct_exception = ReportingExceptionSerializer(allow_null=True)
    ultimate = ParentSerializer(allow_null=True)
    ultimate_exception = ReportingExceptionSerializer(allow_null=True)


class EntityResolveQuerySerializer(serializers.Serializer):
    """`entities/resolve/?name=&country=&limit=`: a name as people type it, optionally within one country."""

    name = PlainTextField(max_length=500, help_text="A legal or other name; typos and legal-form variants allowed.")
    country = serializers.RegexField(
        r"^[A-Za-z]{2}$", required=False, default="", help_text="ISO 3166-1 alpha-2 of the legal address."
    )
    limit = serializers.IntegerField(min_value=1, max_value=50, default=10)


class EntityCandidateSerializer(serializers.Serializer):
    """One ranked candidate: the entity, a 0-100 score, why it matched and the name that matched."""

    entity = LegalEntityBriefSerializer()
    score = serializers.FloatField(min_value=0, max_value=100)
    reason = serializers.ChoiceField(choices=MATCH_REASONS)
    matched_name = serializers.CharField()


class EntityResolveSerializer(serializers.Serializer):
    """The candidates for a name, best first (active and issued first among equal scores)."""

    name = serializers.CharField()
    country = serializers.CharField(allow_blank=True)
    results = EntityCandidateSerializer(many=True)
