"""IngestionRun: one load of one file or request batch, with its counts and outcome."""

from django.db import models

from .choices import RunStatus, Source


class IngestionRun(models.Model):
    """A record of one load: what was read, what changed, what was rejected and why."""

    source = models.CharField(max_length=10, choices=Source.choices, db_index=True)
    file_name = models.CharField(max_length=255)
    file_type = models.CharField(max_length=20, blank=True, default="")
    checksum = models.CharField(max_length=64, blank=True, default="", db_index=True)
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=RunStatus.choices, default=RunStatus.RUNNING, db_index=True)
    records_read = models.PositiveBigIntegerField(default=0)
    records_inserted = models.PositiveBigIntegerField(default=0)
    records_updated = models.PositiveBigIntegerField(default=0)
    records_unchanged = models.PositiveBigIntegerField(default=0)
    records_rejected = models.PositiveBigIntegerField(default=0)
    rejected_sample = models.JSONField(default=list, blank=True, help_text="The first rejected records and why.")
    error = models.TextField(blank=True, default="")
    warnings = models.JSONField(default=list, blank=True, help_text="What the load noticed but did not refuse.")
    host = models.CharField(max_length=255, blank=True, default="", help_text="The machine whose process ran the load.")
    pid = models.PositiveIntegerField(null=True, blank=True, help_text="The id of the process that ran the load.")

    class Meta:
        ordering = ["-started_at"]
        indexes = [models.Index(fields=["source", "checksum", "status"], name="ingestionrun_checksum_idx")]

    def __str__(self):
        return f"{self.source} {self.file_name} ({self.status})"

    @property
    def duration(self):
        """How long the run took, or None while it runs."""
        return self.finished_at - self.started_at if self.finished_at else None
