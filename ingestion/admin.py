"""Admin for ingestion runs (read-only: runs are written by loads)."""

from django.contrib import admin
from django.utils.html import format_html

from marketdata.admin import LargeTableAdmin, LimitedExportMixin
from marketdata.admin_display import rows_table

from .models import IngestionRun


@admin.register(IngestionRun)
class IngestionRunAdmin(LimitedExportMixin, LargeTableAdmin):
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
        "error_summary",
    )
    list_filter = ("source", "status")
    search_fields = ("file_name", "=checksum")
    date_hierarchy = "started_at"

    export_exclude = ("rejected_sample",)

    @admin.display(description="error")
    def error_summary(self, obj):
        """The error's first line, whole on hover."""
        if not obj.error:
            return ""
        first = obj.error.splitlines()[0]
        return format_html('<span title="{}">{}</span>', obj.error, first if len(first) <= 140 else first[:139] + "…")

    @admin.display(description="rejected records")
    def rejected_table(self, obj):
        return rows_table(obj.rejected_sample, ["record", "reason"])

    @admin.display(description="warnings")
    def warnings_table(self, obj):
        return rows_table(obj.warnings)

    def get_readonly_fields(self, request, obj=None):
        """Runs are facts: every field is read-only."""
        return [field.name for field in self.model._meta.fields] + ["rejected_table", "warnings_table"]

    def get_fields(self, request, obj=None):
        """The rejected records and warnings as tables instead of JSON."""
        fields = [
            field.name for field in self.model._meta.fields if field.name not in ("id", "rejected_sample", "warnings")
        ]
        return fields + ["rejected_table", "warnings_table"]

    def has_add_permission(self, request):
        """Runs are created by loads only."""
        return False
