"""Venue API shapes: a brief row for lists and the full ISO 10383 record."""

from rest_framework import serializers

from ..models import Venue

BRIEF_FIELDS = ["mic", "operating_mic", "kind", "market_name", "acronym", "country", "market_category", "status"]


class VenueBriefSerializer(serializers.ModelSerializer):
    """A MIC in a list or nested in another record."""

    operating_mic = serializers.CharField(source="operating_id", allow_null=True, read_only=True)

    class Meta:
        model = Venue
        fields = BRIEF_FIELDS


class VenueSerializer(VenueBriefSerializer):
    """A MIC with all the registry's columns."""

    class Meta:
        model = Venue
        fields = [
            *BRIEF_FIELDS,
            "legal_entity_name",
            "lei",
            "city",
            "website",
            "creation_date",
            "last_update_date",
            "last_validation_date",
            "expiry_date",
            "comments",
            "updated_at",
        ]
