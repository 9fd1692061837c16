"""Reads of ingestion: earlier runs of a file."""

from .choices import RunStatus
from .models import IngestionRun


def ingestion_run_already_loaded(source: str, checksum: str) -> IngestionRun | None:
    """The last successful run of a file with this checksum, if any."""
    if not checksum:
        return None
    return (
        IngestionRun.objects.filter(source=source, checksum=checksum, status=RunStatus.SUCCEEDED)
        .order_by("-started_at")
        .first()
    )
