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


def firds_full_load_exists() -> bool:
    """True once a FIRDS full file (FULINS) has been loaded: deltas before that apply to records never loaded."""
    from .choices import Source

    return IngestionRun.objects.filter(source=Source.FIRDS, file_type="FULINS", status=RunStatus.SUCCEEDED).exists()
