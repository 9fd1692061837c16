"""Writes of ingestion: the IngestionRun record every load keeps."""

import logging
import os
import re
import socket
from contextlib import contextmanager
from datetime import timedelta

from django.conf import settings
from django.db import connection
from django.utils import timezone

from marketdata.counts import REJECTED_SAMPLE_SIZE, LoadCounts  # noqa: F401 - LoadCounts lives in the core
from marketdata.dashboard import dashboard_refresh_soon
from marketdata.services import data_version_bump
from marketdata.telemetry import load_metrics_record

from .choices import RunStatus
from .models import IngestionRun

logger = logging.getLogger(__name__)
_HOST = socket.gethostname()


def ingestion_run_start(source: str, file_name: str, file_type: str = "", checksum: str = "") -> IngestionRun:
    """Record that a load of one file has started (first marking failed the runs a dead process left running)."""
    ingestion_runs_fail_stale()
    return IngestionRun.objects.create(
        source=source, file_name=file_name, file_type=file_type, checksum=checksum, host=_HOST, pid=os.getpid()
    )


def _process_alive(pid: int) -> bool:
    """True when a process with this id runs on this machine."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # it runs, as another user
        return True
    return True


def ingestion_runs_fail_stale() -> list[IngestionRun]:
    """Mark failed, with the reason, the runs left `running` by a process that died (SIGKILL, the OOM killer, a lost
    machine): on this machine, one whose process no longer runs; on any, one started more than
    settings.INGESTION_RUN_STALE_HOURS ago. Called when a load starts, and by a periodic task."""
    now = timezone.now()
    cutoff = now - timedelta(hours=settings.INGESTION_RUN_STALE_HOURS)
    failed = []
    for run in IngestionRun.objects.filter(status=RunStatus.RUNNING).only("pk", "host", "pid", "started_at"):
        if run.started_at < cutoff:
            reason = (
                f"Abandoned: still running {settings.INGESTION_RUN_STALE_HOURS:g} hours after it started "
                f"(process {run.pid or '?'} on {run.host or 'an unknown machine'}); no load runs that long."
            )
        elif run.host == _HOST and run.pid and run.pid != os.getpid() and not _process_alive(run.pid):
            reason = (
                f"Abandoned: process {run.pid} on {run.host}, which ran this load, ended without finishing it "
                "(killed, e.g. by SIGKILL or the out-of-memory killer)."
            )
        else:
            continue
        if IngestionRun.objects.filter(pk=run.pk, status=RunStatus.RUNNING).update(
            status=RunStatus.FAILED, finished_at=now, error=reason
        ):
            logger.warning("ingestion run %s marked failed: %s", run.pk, reason)
            failed.append(run)
    return failed


# The folders of an absolute path (POSIX or Windows) in an error message, not a URL's: only the file name is stored.
_ABSOLUTE_PATH = re.compile(r"(?<![\w:/.\\])(?:[A-Za-z]:)?[\\/](?:[^\s'\"\\/:]+[\\/])+")


def run_error_message(error: BaseException) -> str:
    """What a failed run stores and curators see: the error's type and message, absolute paths cut to the file name
    (the server's folders are nobody's business; the full traceback goes to the log)."""
    return _ABSOLUTE_PATH.sub("", f"{type(error).__name__}: {error}")[:2000]


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
    dashboard_refresh_soon()  # the admin dashboard's aggregates, recomputed in the background
    return run


def _sqlite_memory_map_off() -> None:
    """Have a loading process read SQLite through its page cache, not a memory map of the file (the server keeps its
    map, SQLITE_MMAP_SIZE): mapped pages count in the loader's RSS, which then grows with the database."""
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA mmap_size=0")


@contextmanager
def ingestion_run(source: str, file_name: str, file_type: str = "", checksum: str = ""):
    """Open a run, yield (run, counts), and close it as succeeded or failed with the error text.

    The run row is written outside the load's own transaction, so a failed load leaves its
    data untouched and its run visible.
    """
    run = ingestion_run_start(source, file_name, file_type, checksum)
    counts = LoadCounts()
    _sqlite_memory_map_off()
    try:
        yield run, counts
    except BaseException as error:
        logger.exception("ingestion run %s (%s %s) failed", run.pk, source, file_name)  # the traceback: logs only
        ingestion_run_finish(run, counts, RunStatus.FAILED, run_error_message(error))
        raise
    ingestion_run_finish(run, counts, run.status if run.status != RunStatus.RUNNING else RunStatus.SUCCEEDED)
