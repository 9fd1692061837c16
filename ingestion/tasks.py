"""Celery tasks for FIRDS, FITRS and GLEIF loads: one file, a day's deltas, a full set fanned out one file per task.

Each task only calls the pipeline (ingestion/pipelines/firds.py) or a source (ingestion/sources/);
network failures that outlast the HTTP layer's own retries make the task retry later with backoff.
"""

import datetime as dt

from celery import group, shared_task
from django.conf import settings

from .choices import RunStatus
from .pipelines.firds import firds_load_date, firds_load_file
from .pipelines.fitrs import fitrs_load_date, fitrs_load_file
from .pipelines.gleif import gleif_isin_map_load_latest, gleif_load_latest
from .services import ingestion_runs_fail_stale
from .sources.esma import EsmaRegistryClient, RegistryFile
from .sources.http import SourceUnavailable, download_cache_prune, file_download, local_path

NETWORK_RETRY = {
    "autoretry_for": (SourceUnavailable,),
    "retry_backoff": 60,
    "retry_backoff_max": 3600,
    "retry_jitter": True,
    "max_retries": 3,
}
HOUR = 3600


class IngestionFailed(Exception):
    """A load ended with its IngestionRun marked failed (the run holds the error)."""


def run_summary(run) -> dict:
    """A JSON-friendly summary of an IngestionRun, as a task result; a failed run fails the task."""
    if run.status == RunStatus.FAILED:
        reason = (run.error.strip().splitlines() or ["no error text"])[0]
        raise IngestionFailed(f"{run.file_name}: load failed (IngestionRun {run.pk}): {reason}")
    return {
        "run": run.pk,
        "file": run.file_name,
        "status": run.status,
        "read": run.records_read,
        "inserted": run.records_inserted,
        "updated": run.records_updated,
        "unchanged": run.records_unchanged,
        "rejected": run.records_rejected,
    }


@shared_task(soft_time_limit=2 * HOUR, time_limit=2 * HOUR + 300)
def firds_load_file_task(path_or_storage_name: str, force: bool = False) -> dict:
    """Load one FIRDS file, given as a local path or as its name in storage (firds/<file_name>)."""
    return run_summary(firds_load_file(local_path(path_or_storage_name), force=force))


@shared_task(soft_time_limit=3 * HOUR, time_limit=3 * HOUR + 300, **NETWORK_RETRY)
def firds_download_load_task(registry_file: dict, force: bool = False) -> dict:
    """Download one registry file (a RegistryFile.as_dict()), verify it, and load it."""
    return run_summary(firds_load_file(file_download(RegistryFile.from_dict(registry_file)), force=force))


@shared_task(soft_time_limit=2 * HOUR, time_limit=2 * HOUR + 300, **NETWORK_RETRY)
def firds_load_daily_delta_task(date: str | None = None, force: bool = False) -> list[dict]:
    """Find, download and load a day's DLTINS files (yesterday's by default)."""
    day = dt.date.fromisoformat(date) if date else dt.date.today() - dt.timedelta(days=1)
    return [run_summary(run) for run in firds_load_date(day, "DLTINS", force=force)]


@shared_task(soft_time_limit=600, time_limit=900, **NETWORK_RETRY)
def firds_load_full_set_task(date: str | None = None, force: bool = False) -> dict:
    """Find the week's FULINS files (up to ``date``, default today) and load them, one subtask per file."""
    files = EsmaRegistryClient().full_set(date)
    if not files:
        raise IngestionFailed(f"no FULINS full set in the FIRDS registry in the week up to {date or 'today'}")
    result = group(firds_download_load_task.s(f.as_dict(), force) for f in files).apply_async()
    return {"group": result.id, "files": [f.file_name for f in files]}


@shared_task(soft_time_limit=2 * HOUR, time_limit=2 * HOUR + 300)
def fitrs_load_file_task(path_or_storage_name: str, force: bool = False) -> dict:
    """Load one FITRS file, given as a local path or as its name in storage (fitrs/<file_name>)."""
    return run_summary(fitrs_load_file(local_path(path_or_storage_name), force=force))


@shared_task(soft_time_limit=3 * HOUR, time_limit=3 * HOUR + 300, **NETWORK_RETRY)
def fitrs_download_load_task(registry_file: dict, force: bool = False) -> dict:
    """Download one FITRS registry file (a RegistryFile.as_dict()), verify it, and load it."""
    return run_summary(fitrs_load_file(file_download(RegistryFile.from_dict(registry_file)), force=force))


@shared_task(soft_time_limit=2 * HOUR, time_limit=2 * HOUR + 300, **NETWORK_RETRY)
def fitrs_load_daily_delta_task(date: str | None = None, force: bool = False) -> list[dict]:
    """Find, download and load a day's DLTECR and DLTNCR files (yesterday's by default)."""
    day = dt.date.fromisoformat(date) if date else dt.date.today() - dt.timedelta(days=1)
    runs = fitrs_load_date(day, "DLTECR", force=force) + fitrs_load_date(day, "DLTNCR", force=force)
    return [run_summary(run) for run in runs]


@shared_task(soft_time_limit=600, time_limit=900, **NETWORK_RETRY)
def fitrs_load_full_set_task(date: str | None = None, file_type: str = "FULNCR", force: bool = False) -> dict:
    """Find the latest FULECR or FULNCR set of the week up to ``date`` (default today), one subtask per file."""
    day = dt.date.fromisoformat(date) if date else dt.date.today()
    files = EsmaRegistryClient.fitrs().files(day - dt.timedelta(days=6), day, file_type=file_type)
    if not files:
        raise IngestionFailed(f"no {file_type} set in the FITRS registry in the week up to {day}")
    latest = max(f.publication_date for f in files)
    files = [f for f in files if f.publication_date == latest]
    result = group(fitrs_download_load_task.s(f.as_dict(), force) for f in files).apply_async()
    return {"group": result.id, "files": [f.file_name for f in files]}


@shared_task(soft_time_limit=2 * HOUR, time_limit=2 * HOUR + 300, **NETWORK_RETRY)
def gleif_load_delta_task(delta_type: str = "LastDay", force: bool = False) -> list[dict]:
    """Download and load the latest GLEIF golden-copy delta files (LEI-CDF, RR-CDF, repex), in that order."""
    return [run_summary(run) for run in gleif_load_latest(delta_type, force=force)]


@shared_task(soft_time_limit=2 * HOUR, time_limit=2 * HOUR + 300, **NETWORK_RETRY)
def gleif_isin_map_load_task(force: bool = False) -> dict:
    """Download and load GLEIF's latest ISIN-LEI mapping file (skipped when that file was loaded)."""
    return run_summary(gleif_isin_map_load_latest(force=force))


@shared_task(soft_time_limit=600, time_limit=900)
def download_cache_prune_task(older_than_days: float | None = None) -> int:
    """Delete local copies of stored files older than DOWNLOAD_CACHE_DAYS (or `older_than_days`); how many went."""
    days = settings.DOWNLOAD_CACHE_DAYS if older_than_days is None else older_than_days
    return len(download_cache_prune(days))


@shared_task(soft_time_limit=300, time_limit=360)
def ingestion_runs_fail_stale_task() -> list[int]:
    """Mark failed the runs a dead process left `running`; their ids."""
    return [run.pk for run in ingestion_runs_fail_stale()]


@shared_task(soft_time_limit=HOUR, time_limit=HOUR + 300)
def storage_tier_task() -> dict:
    """Move stored blobs to cool or archive by age, delete those past retention; counts (none on local storage)."""
    from .storage import StorageNotBlob, storage_tier_apply, storage_tier_plan

    try:
        plan = storage_tier_apply(storage_tier_plan())
    except StorageNotBlob:
        return {"moved": 0, "deleted": 0, "failed": 0, "skipped": "not Azure Blob Storage"}
    return {"moved": len(plan.moves), "deleted": len(plan.deletions), "failed": len(plan.errors)}
