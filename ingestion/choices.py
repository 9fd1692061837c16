"""Choices for ingestion runs."""

from django.db import models


class Source(models.TextChoices):
    """Where a run's data came from."""

    FIRDS = "firds", "ESMA FIRDS"
    FITRS = "fitrs", "ESMA FITRS"
    GLEIF = "gleif", "GLEIF"
    MIC = "mic", "ISO 10383 MIC"
    OPENFIGI = "openfigi", "OpenFIGI"


class RunStatus(models.TextChoices):
    """Where a run stands."""

    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"
    SKIPPED = "skipped", "Skipped (already loaded)"
