"""FITRS pipeline: file -> reader and preparer processes -> loader, one IngestionRun and one transaction per file."""

import os
import re
from collections.abc import Callable
from datetime import date
from pathlib import Path

from django.db import reset_queries, transaction

from ..choices import RunStatus, Source
from ..loaders.fitrs import FitrsBatchWriter, batches_prepare_fitrs
from ..models import IngestionRun
from ..parsers.fitrs import FitrsFileError, FitrsFileInfo
from ..parsers.fitrs.stream import iter_batches
from ..selectors import ingestion_run_already_loaded
from ..services import LoadCounts, ingestion_run
from ..sources.http import file_md5

BATCH_SIZE = 2000
PARALLEL_FROM_BYTES = 1 << 20  # smaller files are parsed in the loading process (a spawn costs more than it saves)
FILE_TYPES = ("FULECR", "FULNCR", "DLTECR", "DLTNCR")
# FULNCR_20260725_E_1of2.zip, FULECR_20250830_C_1of1.zip, DLTNCR_20250901_1of1.zip: the date before the letter.
NAME_RE = re.compile(
    r"^(?P<type>FULECR|FULNCR|DLTECR|DLTNCR)_(?P<date>\d{8})_(?:(?P<cfi>[A-Z])_)?(?P<part>\d+)of(?P<parts>\d+)",
    re.IGNORECASE,
)

Progress = Callable[[str, int], None]  # (file name, records read so far)


def fitrs_file_type(path: str | os.PathLike) -> str:
    """FULECR, FULNCR, DLTECR or DLTNCR from an ESMA file name ('' when the name does not say)."""
    match = NAME_RE.match(Path(path).name)
    return match["type"].upper() if match else ""


def fitrs_publication_date(path: str | os.PathLike) -> date | None:
    """The publication date in an ESMA file name (None when the name has none)."""
    match = NAME_RE.match(Path(path).name)
    if not match:
        return None
    try:
        return date(int(match["date"][:4]), int(match["date"][4:6]), int(match["date"][6:]))
    except ValueError:
        return None


def fitrs_sort_key(path: str | os.PathLike) -> tuple:
    """ESMA order: by publication date, full files before the deltas of that date, then equity, letter and part."""
    name = Path(path).name
    match = NAME_RE.match(name)
    if not match:
        return ("99999999", 9, "", "", 0, name)
    kind = match["type"].upper()
    return (match["date"], 0 if kind.startswith("FUL") else 1, kind, match["cfi"] or "", int(match["part"]), name)


def fitrs_load_file(path: str | os.PathLike, *, force: bool = False, progress: Progress | None = None) -> IngestionRun:
    """Load one FITRS zip or XML file; skip it (status skipped) when its checksum was loaded before, unless `force`.

    File-level faults leave the database as it was and return the run with status failed and the error.
    """
    path = Path(path)
    checksum = file_md5(path) if path.exists() else ""
    file_type = fitrs_file_type(path)
    previous = None if force else ingestion_run_already_loaded(Source.FITRS, checksum)
    run = None
    try:
        with ingestion_run(Source.FITRS, path.name, file_type, checksum) as (run, counts):
            if previous is not None:
                counts.read = previous.records_read
                counts.unchanged = previous.records_read - previous.records_rejected
                counts.rejected = previous.records_rejected
                run.status = RunStatus.SKIPPED
                return run
            _load(path, file_type, counts, progress)
    except FitrsFileError:
        run.refresh_from_db()
        return run
    return run


def _load(path: Path, file_type: str, counts: LoadCounts, progress: Progress | None) -> None:
    writer = FitrsBatchWriter(counts, path.name, file_type, fitrs_publication_date(path))
    info = FitrsFileInfo()
    parallel = path.is_file() and path.stat().st_size >= PARALLEL_FROM_BYTES
    with transaction.atomic():
        for batch in iter_batches(
            path, batch_size=BATCH_SIZE, prepare=batches_prepare_fitrs, info=info, parallel=parallel
        ):
            writer.write(batch)
            reset_queries()  # under DEBUG the query log would grow with the file
            if progress:
                progress(path.name, counts.read)


def fitrs_paths(paths) -> list[Path]:
    """Zip and XML files among `paths` (folders expanded), in ESMA order."""
    found = []
    for item in paths:
        item = Path(item)
        if item.is_dir():
            found.extend(child for child in item.iterdir() if child.suffix.lower() in (".zip", ".xml"))
        else:
            found.append(item)
    return sorted(found, key=fitrs_sort_key)


def fitrs_load_paths(paths, *, force: bool = False, progress: Progress | None = None) -> list[IngestionRun]:
    """Load files and folders in ESMA order; stop at the first file that fails (later files build on it)."""
    runs = []
    for path in fitrs_paths(paths):
        run = fitrs_load_file(path, force=force, progress=progress)
        runs.append(run)
        if run.status == RunStatus.FAILED:
            break
    return runs


def fitrs_load_date(
    day: date, file_type: str | None = None, cfi: str | None = None, *, force: bool = False, progress=None
) -> list[IngestionRun]:
    """Find the files ESMA's FITRS registry lists for a date, download them (checksum, .part), load them in order."""
    from ..sources.esma import EsmaRegistryClient, file_download

    registry_files = EsmaRegistryClient.fitrs().files(day, day, file_type=file_type, cfi=cfi)
    local = [file_download(registry_file) for registry_file in registry_files]
    return fitrs_load_paths(local, force=force, progress=progress)
