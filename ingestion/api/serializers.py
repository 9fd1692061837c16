"""Ingestion run API shapes: a brief row for lists, the full record with the rejected sample."""

from rest_framework import serializers

from ..models import IngestionRun

BRIEF_FIELDS = [
    "id",
    "source",
    "file_name",
    "file_type",
    "status",
    "started_at",
    "finished_at",
    "records_read",
    "records_inserted",
    "records_updated",
    "records_unchanged",
    "records_rejected",
]


class IngestionRunBriefSerializer(serializers.ModelSerializer):
    """One load in a list: what, when, how it ended and its counts."""

    class Meta:
        model = IngestionRun
        fields = BRIEF_FIELDS


class IngestionRunSerializer(IngestionRunBriefSerializer):
    """One load with its checksum, duration, error and the first rejected records."""

    duration_seconds = serializers.SerializerMethodField()

    class Meta:
        model = IngestionRun
        fields = [*BRIEF_FIELDS, "checksum", "duration_seconds", "error", "warnings", "rejected_sample"]

    def get_duration_seconds(self, run) -> float | None:
        """Seconds the run took, or null while it runs."""
        return run.duration.total_seconds() if run.duration is not None else None
