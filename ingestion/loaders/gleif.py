"""GLEIF golden-copy records into LegalEntity, EntityRelationship and ReportingException, in batches."""

import os
from collections.abc import Callable
from dataclasses import dataclass, field

from entities.services import (
    UpsertCounts,
    entity_relationship_upsert_batch,
    legal_entity_upsert_batch,
    reporting_exception_upsert_batch,
)
from ingestion.parsers.gleif import GleifFileError, GleifHeader, GleifRejection, gleif_open, gleif_stream_parse
from ingestion.parsers.gleif_records import LeiRecord, RelationshipRecord, ReportingExceptionRecord
from ingestion.services import LoadCounts

BATCH_SIZE = 1000  # records per upsert: one SELECT of at most 1,000 keys, then chunked INSERT/UPDATE statements


def gleif_values(record: LeiRecord | RelationshipRecord | ReportingExceptionRecord) -> dict:
    """A GLEIF record (golden copy or API) as the plain field -> value mapping the entity upserts take."""
    return dict(vars(record))


UPSERTS = {
    LeiRecord: legal_entity_upsert_batch,
    RelationshipRecord: entity_relationship_upsert_batch,
    ReportingExceptionRecord: reporting_exception_upsert_batch,
}

Progress = Callable[[str, int, int | None], None]  # (file name, records read, records announced or None)


@dataclass
class GleifFileSummary:
    """What a golden-copy file held: its kinds, headers and how many records were older than the stored ones."""

    kinds: list = field(default_factory=list)
    headers: list = field(default_factory=list)
    older: int = 0


def _add(counts: LoadCounts, result: UpsertCounts, summary: GleifFileSummary) -> None:
    """Add an upsert's outcome to the file's counts."""
    counts.inserted += result.inserted
    counts.updated += result.updated
    counts.unchanged += result.unchanged
    for sample in result.rejected_sample:
        counts.reject(sample["record"], sample["reason"])
    counts.rejected += result.rejected - len(result.rejected_sample)
    summary.older += result.older


def gleif_file_records_load(
    path: str | os.PathLike, counts: LoadCounts, *, progress: Progress | None = None, batch_size: int = BATCH_SIZE
) -> GleifFileSummary:
    """Stream every record of a golden-copy file (xml or zip) into the database in batches; fill `counts`.

    The caller owns the transaction. A file whose header announces a different number of records than it
    holds raises GleifFileError, like any malformed file.
    """
    summary = GleifFileSummary()
    buffers: dict[type, list] = {kind: [] for kind in UPSERTS}

    def flush(kind: type) -> None:
        if buffers[kind]:
            _add(counts, UPSERTS[kind]([gleif_values(record) for record in buffers[kind]]), summary)
            buffers[kind] = []

    with gleif_open(path) as streams:
        for name, stream in streams:
            header = None
            read_before = counts.read
            for item in gleif_stream_parse(stream, name):
                if isinstance(item, GleifHeader):
                    header = item
                    summary.kinds.append(item.kind)
                    summary.headers.append(item)
                    continue
                line, record = item
                counts.read += 1
                if isinstance(record, GleifRejection):
                    counts.reject(f"{name} line {line} {record.key}".strip(), record.reason)
                else:
                    buffer = buffers[type(record)]
                    buffer.append(record)
                    if len(buffer) >= batch_size:
                        flush(type(record))
                if progress and counts.read % batch_size == 0:
                    progress(name, counts.read, header.record_count if header else None)
            for kind in UPSERTS:
                flush(kind)
            held = counts.read - read_before
            if header and header.record_count is not None and header.record_count != held:
                raise GleifFileError(
                    name, f"the header announces {header.record_count} records but the file holds {held}", record=held
                )
            if progress:
                progress(name, counts.read, header.record_count if header else None)
    return summary


def gleif_isin_map_load(
    path: str | os.PathLike, counts: LoadCounts, *, progress: Progress | None = None, batch_size: int = 5000
) -> None:
    """Stream GLEIF's ISIN-LEI mapping file into IsinLeiMapping in batches; fill `counts` (the caller's transaction)."""
    from entities.services import isin_lei_upsert_batch
    from ingestion.parsers.gleif_isin import isin_lei_pairs

    name = os.path.basename(path)
    batch = []

    def flush() -> None:
        result = isin_lei_upsert_batch(batch, name)
        counts.read += result.read
        _add(counts, result, GleifFileSummary())
        batch.clear()

    for pair in isin_lei_pairs(path):
        batch.append(pair)
        if len(batch) >= batch_size:
            flush()
            if progress:
                progress(name, counts.read)
    flush()
