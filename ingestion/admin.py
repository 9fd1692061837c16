"""Admin for ingestion runs (read-only: runs are written by loads)."""

from django.contrib import admin

from marketdata.admin import LargeTableAdmin

from .models import IngestionRun


@admin.register(IngestionRun)
class IngestionRunAdmin(LargeTableAdmin):
    """Every load with its counts, status and errors."""

    list_display = (
        "started_at",
        "source",
        "file_name",
        "status",
        "records_read",
        "records_inserted",
        "records_updated",
        "records_unchanged",
        "records_rejected",
        "duration",
    )
    list_filter = ("source", "status")
    search_fields = ("file_name", "=checksum")
    date_hierarchy = "started_at"

    def get_readonly_fields(self, request, obj=None):
        """Runs are facts: every field is read-only."""
        return [field.name for field in self.model._meta.fields]

    def has_add_permission(self, request):
        """Runs are created by loads only."""
        return False
