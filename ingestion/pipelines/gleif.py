"""GLEIF golden-copy file -> parser -> loader, one IngestionRun and one transaction per file."""

import os
from pathlib import Path

from django.db import transaction

from ingestion.choices import RunStatus, Source
from ingestion.loaders.gleif import BATCH_SIZE, Progress, gleif_file_records_load
from ingestion.models import IngestionRun
from ingestion.parsers.gleif import GleifFileError
from ingestion.selectors import ingestion_run_already_loaded
from ingestion.services import ingestion_run
from ingestion.sources.http import file_md5

SUFFIXES = (".xml", ".zip")


def gleif_paths(paths) -> list[Path]:
    """The .xml and .zip files among `paths` (folders expanded), in name order."""
    found = []
    for item in paths:
        item = Path(item)
        if item.is_dir():
            found.extend(sorted(child for child in item.iterdir() if child.suffix.lower() in SUFFIXES))
        else:
            found.append(item)
    return found


def gleif_load_file(
    path: str | os.PathLike, *, force: bool = False, progress: Progress | None = None, batch_size: int = BATCH_SIZE
) -> IngestionRun:
    """Load one LEI-CDF, RR-CDF or reporting-exception file; skip it when its checksum was loaded, unless `force`.

    A malformed file leaves the database as it was and returns its run with status failed and the error.
    """

    def load(path, run, counts):
        summary = gleif_file_records_load(path, counts, progress=progress, batch_size=batch_size)
        run.file_type = "+".join(dict.fromkeys(summary.kinds))[:20]
        run.older = summary.older  # not stored: records older than the stored ones, counted as unchanged

    return _gleif_run(path, "", load, force)


def _gleif_run(path, file_type: str, load, force: bool) -> IngestionRun:
    """One GLEIF file's IngestionRun: skipped when its checksum was loaded (unless `force`), else `load(path, run,
    counts)` in one transaction; a GleifFileError leaves the database as it was and the run failed."""
    path = Path(path)
    checksum = file_md5(path) if path.is_file() else ""
    previous = None if force else ingestion_run_already_loaded(Source.GLEIF, checksum)
    run = None
    try:
        with ingestion_run(Source.GLEIF, path.name, file_type, checksum) as (run, counts):
            if previous is not None:
                counts.read = counts.unchanged = previous.records_read - previous.records_rejected
                run.file_type = previous.file_type
                run.status = RunStatus.SKIPPED
                return run
            with transaction.atomic():
                load(path, run, counts)
    except GleifFileError:
        run.refresh_from_db()
        return run
    return run


def gleif_load_paths(
    paths, *, force: bool = False, progress: Progress | None = None, batch_size: int = BATCH_SIZE
) -> list[IngestionRun]:
    """Load golden-copy files and folders in name order; stop at the first file that fails."""
    runs = []
    for path in gleif_paths(paths):
        run = gleif_load_file(path, force=force, progress=progress, batch_size=batch_size)
        runs.append(run)
        if run.status == RunStatus.FAILED:
            break
    return runs


def gleif_load_latest(
    delta_type: str = "LastDay", *, force: bool = False, progress: Progress | None = None
) -> list[IngestionRun]:
    """Download the latest golden-copy publish's files of `delta_type` (LEI-CDF, RR-CDF, repex) and load them in
    that order; a file loaded before (same checksum) is skipped, and a failure stops the rest."""
    from ingestion.sources.gleif_golden import golden_copy_files
    from ingestion.sources.http import file_download

    runs = []
    for golden in golden_copy_files(delta_type):
        run = gleif_load_file(file_download(golden.download), force=force, progress=progress)
        runs.append(run)
        if run.status == RunStatus.FAILED:
            break
    return runs


def gleif_isin_map_load_file(
    path: str | os.PathLike, *, force: bool = False, progress: Progress | None = None
) -> IngestionRun:
    """Load GLEIF's ISIN-LEI mapping file (a run of source GLEIF, type ISIN-LEI); skipped when loaded before."""
    from ingestion.loaders.gleif import gleif_isin_map_load

    return _gleif_run(
        path, "ISIN-LEI", lambda path, run, counts: gleif_isin_map_load(path, counts, progress=progress), force
    )


def gleif_isin_map_load_latest(*, force: bool = False, progress: Progress | None = None) -> IngestionRun:
    """Download GLEIF's latest ISIN-LEI mapping file into storage (gleif/) and load it; skipped when loaded before."""
    from ingestion.sources.gleif_mapping import isin_lei_latest_file
    from ingestion.sources.http import file_download

    return gleif_isin_map_load_file(file_download(isin_lei_latest_file().download), force=force, progress=progress)
