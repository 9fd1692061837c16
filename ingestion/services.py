"""Writes of ingestion: the IngestionRun record every load keeps."""

import traceback
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.utils import timezone

from marketdata.services import data_version_bump
from marketdata.telemetry import load_metrics_record

from .choices import RunStatus
from .models import IngestionRun

REJECTED_SAMPLE_SIZE = 50


@dataclass
class LoadCounts:
    """What a load read and did; loaders fill it in as they go."""

    read: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    rejected_sample: list = field(default_factory=list)

    def reject(self, record: str, reason: str) -> None:
        """Count a rejected record and keep the first few with their reason."""
        self.rejected += 1
        if len(self.rejected_sample) < REJECTED_SAMPLE_SIZE:
            self.rejected_sample.append({"record": record, "reason": reason})

    def add(self, other: "LoadCounts") -> None:
        """Add another load's counts to these (for a summary over files)."""
        self.read += other.read
        self.inserted += other.inserted
        self.updated += other.updated
        self.unchanged += other.unchanged
        self.rejected += other.rejected


def ingestion_run_start(source: str, file_name: str, file_type: str = "", checksum: str = "") -> IngestionRun:
    """Record that a load of one file has started."""
    return IngestionRun.objects.create(source=source, file_name=file_name, file_type=file_type, checksum=checksum)


def ingestion_run_finish(run: IngestionRun, counts: LoadCounts, status: str = RunStatus.SUCCEEDED, error: str = ""):
    """Record a load's counts and outcome."""
    run.records_read = counts.read
    run.records_inserted = counts.inserted
    run.records_updated = counts.updated
    run.records_unchanged = counts.unchanged
    run.records_rejected = counts.rejected
    run.rejected_sample = counts.rejected_sample
    run.status = status
    run.error = error
    run.finished_at = timezone.now()
    run.save()
    load_metrics_record(run, counts)  # records read and rejected, duration, records/s (Application Insights)
    data_version_bump()  # cached API responses show the new data
    return run


@contextmanager
def ingestion_run(source: str, file_name: str, file_type: str = "", checksum: str = ""):
    """Open a run, yield (run, counts), and close it as succeeded or failed with the error text.

    The run row is written outside the load's own transaction, so a failed load leaves its
    data untouched and its run visible.
    """
    run = ingestion_run_start(source, file_name, file_type, checksum)
    counts = LoadCounts()
    try:
        yield run, counts
    except BaseException as error:
        ingestion_run_finish(run, counts, RunStatus.FAILED, f"{error}\n\n{traceback.format_exc(limit=5)}")
        raise
    ingestion_run_finish(run, counts, run.status if run.status != RunStatus.RUNNING else RunStatus.SUCCEEDED)
