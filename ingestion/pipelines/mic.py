"""ISO 10383 MIC file -> parser -> venue upsert, with an IngestionRun per file and a guard against older editions."""

import hashlib
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

from ingestion.choices import Source
from ingestion.models import IngestionRun
from ingestion.parsers.mic import MicRecord, MicRejection, mic_file_parse
from ingestion.services import LoadCounts, ingestion_run
from ingestion.sources.http import http_download
from venues.services import VenueDiff, venue_diff, venue_upsert_batch


class OlderEditionError(Exception):
    """Loading this MIC file would replace newer registry data with older data."""


@dataclass
class MicLoadResult:
    """The outcome of loading one MIC file: its run, counts and what differed."""

    file_name: str
    run: IngestionRun | None
    counts: LoadCounts
    diff: VenueDiff
    rejections: list = field(default_factory=list)
    applied: bool = True


def mic_download(url: str, folder: str | Path) -> Path:
    """Download the MIC CSV at `url` into `folder` and return its path."""
    name = Path(urlparse(url).path).name or "ISO10383_MIC.csv"
    return http_download(url, Path(folder) / name)


def mic_files(path: str | Path) -> list[Path]:
    """The CSV files a path names: itself, or every *.csv in a folder (sorted)."""
    path = Path(path)
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.suffix.lower() == ".csv")
        if not files:
            raise FileNotFoundError(f"{path}: no .csv file in this folder")
        return files
    if not path.exists():
        raise FileNotFoundError(f"{path}: no such file")
    return [path]


def mic_values(record: MicRecord) -> dict:
    """A MIC registry row as the plain field -> value mapping the venue services take."""
    return dict(vars(record))


def _refusal(name: str, diff: VenueDiff) -> str:
    """The message that says why a file is refused and what it would change."""
    if diff.is_older_edition:
        why = (
            f"{name} is an older edition of the registry (latest LAST UPDATE DATE {diff.file_edition}) "
            f"than the venues stored (latest {diff.stored_edition})"
        )
    else:
        examples = ", ".join(diff.older_rows[:5])
        why = f"{name} has {len(diff.older_rows)} row(s) older than the stored ones (e.g. {examples})"
    lines = [f"{why}; loading it would roll back: {diff.summary()}", *diff.details(limit=200)]
    lines.append("Use --allow-older to apply it.")
    return "\n".join(lines)


def mic_file_load(
    path: str | Path, *, allow_older: bool = False, dry_run: bool = False, name: str = ""
) -> MicLoadResult:
    """Load one ISO 10383 CSV into Venue (upsert by MIC) with an IngestionRun; refuse older editions unless allowed."""
    path = Path(path)
    name = name or path.name
    data = path.read_bytes()
    records: list[MicRecord] = []
    rejections: list[MicRejection] = []
    if dry_run:
        for item in mic_file_parse(data, name):
            (records if isinstance(item, MicRecord) else rejections).append(item)
        counts = LoadCounts(read=len(records) + len(rejections), rejected=len(rejections))
        return MicLoadResult(
            name, None, counts, venue_diff([mic_values(r) for r in records]), rejections, applied=False
        )
    checksum = hashlib.sha256(data).hexdigest()
    with ingestion_run(Source.MIC, name[:255], file_type="csv", checksum=checksum) as (run, counts):
        for item in mic_file_parse(data, name):
            counts.read += 1
            if isinstance(item, MicRecord):
                records.append(item)
            else:
                rejections.append(item)
                counts.reject(f"line {item.line} {item.mic}", item.reason)
        rows = [mic_values(record) for record in records]
        diff = venue_diff(rows)
        if diff.rolls_back and not allow_older:
            raise OlderEditionError(_refusal(name, diff))
        venue_upsert_batch(rows, diff)
        counts.inserted = len(diff.added)
        counts.updated = len(diff.changed) + len(diff.expired)
        counts.unchanged = diff.unchanged
    return MicLoadResult(name, run, counts, diff, rejections)


def mic_load(path: str | Path | None = None, *, url: str = "", allow_older: bool = False, dry_run: bool = False):
    """Load MIC CSVs from a file, a folder of files, or a URL; return one MicLoadResult per file."""
    if url:
        with tempfile.TemporaryDirectory(prefix="mic-") as folder:
            downloaded = mic_download(url, folder)
            return [mic_file_load(downloaded, allow_older=allow_older, dry_run=dry_run, name=url)]
    return [mic_file_load(file, allow_older=allow_older, dry_run=dry_run) for file in mic_files(path)]
