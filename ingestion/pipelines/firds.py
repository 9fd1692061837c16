"""FIRDS pipeline: file -> reader and preparer processes -> loader, one IngestionRun and one transaction per file."""

import gc
import logging
import os
import re
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from django.db import reset_queries, transaction

from instruments.services import instrument_tables_analyze

from ..choices import RunStatus, Source
from ..loaders.firds import FirdsBatchWriter, batches_prepare_in_file
from ..models import IngestionRun
from ..parsers.firds import FirdsFileError, FirdsFileInfo
from ..parsers.firds.stream import iter_batches, records_estimate
from ..selectors import firds_full_load_exists, ingestion_run_already_loaded
from ..services import LoadCounts, ingestion_run
from ..sources.http import file_md5

BATCH_SIZE = 2000
ANALYZE_AFTER_ROWS = 50_000  # records inserted by one file after which the tables' statistics are refreshed
# PostgreSQL, inside a load: refresh the statistics at 20k inserted records, then whenever the count doubles. A table
# with no statistics growing in the load's transaction gets sequential scans for each batch's lookups (quadratic:
# 6.4 s of a 200k-record load's 20 s went to them on an empty database).
ANALYZE_FIRST_ROWS = 20_000
PARALLEL_FROM_BYTES = 1 << 20  # smaller files are parsed in the loading process (a fork costs more than it saves)
FILE_TYPES = ("FULINS", "DLTINS", "FULCAN")
# FULINS_E_20250830_01of02.zip, DLTINS_20250831_01of01.zip, FULCAN_20250830_01of01.zip
NAME_RE = re.compile(
    r"^(?P<type>FULINS|DLTINS|FULCAN)_(?:(?P<cfi>[A-Z])_)?(?P<date>\d{8})_(?P<part>\d+)of(?P<parts>\d+)", re.IGNORECASE
)
# On one publication date: the full set first, then the cancellations, then the delta.
TYPE_ORDER = {"FULINS": 0, "FULCAN": 1, "DLTINS": 2}

Progress = Callable[[str, int], None]  # (file name, records read so far)
logger = logging.getLogger(__name__)
DELTA_WITHOUT_FULL_LOAD = (
    "A delta (DLTINS) loaded into a database with no full FIRDS load (FULINS): its modifications, terminations and "
    "cancellations apply to records never loaded, so the data stays partial until a full set is loaded."
)


def firds_file_type(path: str | os.PathLike) -> str:
    """FULINS, DLTINS or FULCAN from an ESMA file name ('' when the name does not say)."""
    match = NAME_RE.match(Path(path).name)
    return match["type"] if match else ""


def firds_sort_key(path: str | os.PathLike) -> tuple:
    """ESMA name order: by publication date, full sets before the cancellations and deltas of that date."""
    name = Path(path).name
    match = NAME_RE.match(name)
    if not match:
        return ("99999999", 9, name)
    return (match["date"], TYPE_ORDER[match["type"]], match["cfi"] or "", int(match["part"]), name)


def firds_load_file(path: str | os.PathLike, *, force: bool = False, progress: Progress | None = None) -> IngestionRun:
    """Load one FIRDS zip or XML file; skip it (status skipped) when its checksum was loaded before, unless `force`.

    File-level faults leave the database as it was and return the run with status failed and the error.
    """
    path = Path(path)
    checksum = file_md5(path) if path.exists() else ""
    file_type = firds_file_type(path)
    previous = None if force else ingestion_run_already_loaded(Source.FIRDS, checksum)
    run = None
    try:
        with ingestion_run(Source.FIRDS, path.name, file_type, checksum) as (run, counts):
            if previous is not None:
                counts.read = previous.records_read
                counts.unchanged = previous.records_read - previous.records_rejected
                counts.rejected = previous.records_rejected  # still rejected: nothing was loaded again
                run.status = RunStatus.SKIPPED
                return run
            if file_type == "DLTINS" and not firds_full_load_exists():
                run.warnings.append(DELTA_WITHOUT_FULL_LOAD)
                logger.warning("%s: %s", path.name, DELTA_WITHOUT_FULL_LOAD)
            _load(path, counts, progress)
    except FirdsFileError:
        run.refresh_from_db()
        return run
    return run


@contextmanager
def _few_collections():
    """Collect garbage rarely while a load runs: millions of short-lived objects hold no cycles."""
    threshold = gc.get_threshold()
    gc.collect()
    gc.freeze()
    gc.set_threshold(200_000, 50, 1000)
    try:
        yield
    finally:
        gc.set_threshold(*threshold)
        gc.unfreeze()


def _load(path: Path, counts: LoadCounts, progress: Progress | None) -> None:
    writer = FirdsBatchWriter(counts, path.name)
    info = FirdsFileInfo()
    analyze_at = ANALYZE_FIRST_ROWS
    estimate = records_estimate(path) if progress else None  # a total for the bar and its ETA
    with _few_collections(), transaction.atomic():
        parallel = path.is_file() and path.stat().st_size >= PARALLEL_FROM_BYTES
        for batch in iter_batches(
            path, batch_size=BATCH_SIZE, prepare=batches_prepare_in_file, info=info, parallel=parallel
        ):
            writer.write(batch)
            reset_queries()  # under DEBUG the query log would grow with the file
            if counts.inserted >= analyze_at and instrument_tables_analyze():
                analyze_at *= 2  # statistics that keep up with tables growing in this transaction
            if progress:
                progress(path.name, counts.read, estimate)
    if counts.inserted > ANALYZE_AFTER_ROWS:
        instrument_tables_analyze()  # a large load changes the statistics the planner relies on


def firds_paths(paths) -> list[Path]:
    """Zip and XML files among `paths` (folders expanded), in ESMA name order."""
    found = []
    for item in paths:
        item = Path(item)
        if item.is_dir():
            found.extend(child for child in item.iterdir() if child.suffix.lower() in (".zip", ".xml"))
        else:
            found.append(item)
    return sorted(found, key=firds_sort_key)


def firds_load_paths(paths, *, force: bool = False, progress: Progress | None = None) -> list[IngestionRun]:
    """Load files and folders in ESMA name order; stop at the first file that fails (later deltas depend on it)."""
    runs = []
    for path in firds_paths(paths):
        run = firds_load_file(path, force=force, progress=progress)
        runs.append(run)
        if run.status == RunStatus.FAILED:
            break
    return runs


def firds_load_date(
    day: date, file_type: str | None = None, cfi: str | None = None, *, force: bool = False, progress=None
) -> list[IngestionRun]:
    """Find the files ESMA published on a date in its registry, download them, and load them in order."""
    from ..sources.esma import EsmaRegistryClient, file_download

    registry_files = EsmaRegistryClient().files(day, day, file_type=file_type, cfi=cfi)
    local = [file_download(registry_file) for registry_file in registry_files]
    return firds_load_paths(local, force=force, progress=progress)


class FilesOnRecordMissing(Exception):
    """Files that earlier loads name but that are neither in the folders given nor in storage."""


def firds_files_on_record() -> list[str]:
    """The names of the FIRDS files that loaded successfully, once each, in ESMA name order."""
    names = IngestionRun.objects.filter(source=Source.FIRDS, status=RunStatus.SUCCEEDED).values_list(
        "file_name", flat=True
    )
    return sorted(set(names), key=firds_sort_key)


def firds_rebuild(folders=(), *, progress: Progress | None = None) -> list[IngestionRun]:
    """Load again, with force, every FIRDS file earlier loads name, in ESMA name order: what a database migrated from
    a version that kept less of each record needs to hold every venue's whole record.

    Each file is looked for in `folders`, then in storage (`firds/<name>`, where downloads are kept). Nothing is
    loaded when a file is missing: FilesOnRecordMissing names them all.
    """
    from ..sources.http import local_path

    found, missing = [], []
    for name in firds_files_on_record():
        local = next((Path(folder) / name for folder in folders if (Path(folder) / name).is_file()), None)
        if local is None:
            try:
                local = Path(local_path(f"firds/{name}"))
            except FileNotFoundError:
                missing.append(name)
                continue
        found.append(local)
    if missing:
        raise FilesOnRecordMissing(
            f"{len(missing)} file(s) on record not found in {', '.join(map(str, folders)) or 'no folder'} "
            f"nor in storage: {', '.join(missing)}"
        )
    return firds_load_paths(found, force=True, progress=progress)


@dataclass
class RegisterFetch:
    """What fetching ISINs from ESMA's instrument register did: a run per publication date, and what it lacked."""

    runs: list = field(default_factory=list)
    not_found: list = field(default_factory=list)
    rejected: list = field(default_factory=list)  # register records that could not be FIRDS records, with why


def firds_fetch_instruments(isins, *, progress: Progress | None = None) -> RegisterFetch:
    """Fetch ISINs' current records (every venue) from ESMA's instrument register and load them as FULINS records.

    The records of each publication date are written as one FIRDS file (``FULINS_<date>_01of01_register_<key>.xml``)
    kept in storage beside the downloads, so ``--rebuild`` finds it and a second fetch of an unchanged answer is
    skipped by checksum like any file.
    """
    import hashlib
    import tempfile

    from ..parsers.firds.registry import RegisterDocError, register_record
    from ..parsers.firds.writer import firds_file_write
    from ..sources.esma import EsmaInstrumentRegister
    from ..sources.http import file_keep

    wanted = sorted({isin.strip().upper() for isin in isins})
    result = RegisterFetch()
    by_date: dict[str, list] = {}
    for doc in EsmaInstrumentRegister().docs(wanted):
        try:
            record = register_record(doc)
        except RegisterDocError as error:
            result.rejected.append(str(error))
            continue
        by_date.setdefault(record.publication_date, []).append(record)
    found = {record.isin for records in by_date.values() for record in records}
    result.not_found = [isin for isin in wanted if isin not in found]
    key = hashlib.md5(" ".join(wanted).encode()).hexdigest()[:10]
    for day, records in sorted(by_date.items()):
        name = f"FULINS_{day.replace('-', '')}_01of01_register_{key}.xml"
        with tempfile.TemporaryDirectory(prefix="register-") as folder:
            made = Path(folder) / name
            firds_file_write(made, "FULINS", [record.tree for record in records], reporting_date=day)
            local = file_keep(f"firds/{name}", made.read_bytes())
        result.runs.append(firds_load_file(local, progress=progress))
    return result
