"""Writes of instruments: listing versions under ESMA's delta rules and instrument upserts, in batches.

Rows are written through the shared core's prepared INSERT / UPDATE (marketdata.bulk).
"""

import json
from datetime import date, timedelta
from operator import itemgetter

from django.db import connection
from django.utils import timezone

from marketdata.bulk import chunks, codes_stored, rows_insert, rows_update

from .choices import RecordType
from .columns import INSTRUMENT_DATA_FIELDS, LISTING_DATA_FIELDS
from .models import Instrument, Listing

LISTING_STATE_FIELDS = ("valid_from", "valid_to", "is_current", "is_cancelled", "record_type", "source_file")
LISTING_UPDATE_FIELDS = (*LISTING_DATA_FIELDS, "valid_to", "is_current", "is_cancelled", "record_type", "source_file")
ONE_DAY = timedelta(days=1)


def _listing_versions(isins: list[str]) -> dict[tuple[str, str], list[dict]]:
    """Every stored version of the listings of these ISINs, per (ISIN, MIC), oldest first."""
    versions: dict[tuple[str, str], list[dict]] = {}
    columns = ("id", "instrument_id", "venue_id", *LISTING_DATA_FIELDS, *LISTING_STATE_FIELDS)
    for chunk in chunks(codes_stored(Listing, "instrument", isins)):
        for row in Listing.objects.filter(instrument_id__in=chunk).order_by().values(*columns):
            versions.setdefault((row["instrument_id"], row["venue_id"]), []).append(row)
    for rows in versions.values():
        rows.sort(key=lambda row: row["valid_from"])
    return versions


def _same_data(version: dict, values: tuple) -> bool:
    return all(version[name] == value for name, value in zip(LISTING_DATA_FIELDS, values, strict=True))


def _version_add(versions: list[dict], created: list, item, source_file: str, **state) -> None:
    """Append a new version of the record's listing (data from the record, state as given)."""
    version = dict(zip(LISTING_DATA_FIELDS, item.listing, strict=True))
    version.update(
        id=None,
        instrument_id=item.isin,
        venue_id=item.mic,
        valid_from=item.valid_from,
        valid_to=None,
        is_current=True,
        is_cancelled=False,
        record_type=item.record_type,
        source_file=source_file,
    )
    if state:
        version.update(state)
    versions.append(version)
    if len(versions) > 1:
        versions.sort(key=_valid_from)
    created.append(version)


def _valid_from(version: dict) -> date:
    return version["valid_from"]


def _version_apply(versions: list[dict], item, source_file: str, dirty: dict, created: list) -> str:
    """Apply one record to the versions of its (ISIN, MIC); return inserted, updated or unchanged."""
    if not versions and item.record_type != RecordType.CANCELLED:  # a listing not seen before
        _version_add(versions, created, item, source_file)
        return "inserted"
    start = item.valid_from

    def mark(version):
        if version.get("id"):
            dirty[version["id"]] = version

    current = next((version for version in versions if version["is_current"]), None)
    same = next((version for version in versions if version["valid_from"] == start), None)

    if item.record_type == RecordType.CANCELLED:
        target = current or same or (versions[-1] if versions else None)
        if target is None:
            _version_add(versions, created, item, source_file, valid_to=start, is_current=False, is_cancelled=True)
            return "inserted"
        if target["is_cancelled"]:
            return "unchanged"
        target.update(
            valid_to=max(target["valid_from"], start - ONE_DAY),
            is_current=False,
            is_cancelled=True,
            record_type=RecordType.CANCELLED,
            source_file=source_file,
        )
        mark(target)
        return "updated"

    if same is not None:
        if _same_data(same, item.listing):  # a cancelled version stays cancelled when replayed as it was
            return "unchanged"
        same.update(zip(LISTING_DATA_FIELDS, item.listing, strict=True), is_cancelled=False, source_file=source_file)
        if item.record_type != RecordType.FULL or same["record_type"] == RecordType.CANCELLED:
            same["record_type"] = item.record_type
        if current is None and same is versions[-1]:
            same.update(is_current=True, valid_to=None)
        mark(same)
        return "updated"
    if current is not None and current["valid_from"] < start:
        current.update(valid_to=start - ONE_DAY, is_current=False)
        mark(current)
        _version_add(versions, created, item, source_file)
        return "updated"
    later = [version["valid_from"] for version in versions if version["valid_from"] > start]
    if later:  # an older version arriving after a newer one: keep it as history
        _version_add(versions, created, item, source_file, valid_to=min(later) - ONE_DAY, is_current=False)
        return "inserted"
    _version_add(versions, created, item, source_file)
    return "inserted"


_LISTING_INSERT_FIELDS = ("instrument_id", "venue_id", *LISTING_DATA_FIELDS, *LISTING_STATE_FIELDS)
_listing_insert_row = itemgetter(*_LISTING_INSERT_FIELDS)
_listing_update_row = itemgetter(*LISTING_UPDATE_FIELDS)


def listing_upsert_batch(items: list, source_file: str) -> dict[int, str]:
    """Apply prepared FIRDS records to Listing versions (ESMA delta rules); return each record's outcome.

    Each item has number, isin, mic, record_type, valid_from and `listing`: the values of
    LISTING_DATA_FIELDS in that order. NewRcrd and full-file records insert (or replace a version with the
    same FrDt); ModfdRcrd and TermntdRcrd close the open version (valid_to = FrDt - 1 day) and insert;
    CancRcrd closes the version and marks it cancelled. Identical data leaves rows untouched.
    """
    versions = _listing_versions(sorted({item.isin for item in items}))
    dirty: dict[int, dict] = {}
    created: list[dict] = []
    outcomes = {}
    for item in items:
        pair = versions.setdefault((item.isin, item.mic), [])
        outcomes[item.number] = _version_apply(pair, item, source_file, dirty, created)
    now = timezone.now()
    if dirty:  # close before inserting: at most one current version per (ISIN, MIC)
        rows = [(*_listing_update_row(version), now, pk) for pk, version in dirty.items()]
        rows_update(Listing, [*LISTING_UPDATE_FIELDS, "updated_at"], rows)
    if created:
        rows_insert(Listing, _LISTING_INSERT_FIELDS, [_listing_insert_row(version) for version in created])
    return outcomes


def _venue_rank(at_relevant_venue: bool, mic: str) -> tuple[int, str]:
    """Which record describes an instrument: the one at the relevant venue, else the lowest MIC."""
    return (0 if at_relevant_venue else 1, mic)


def _stored_rank(row: dict) -> tuple[int, str]:
    venue = (row["attributes"] or {}).get("TradgVnRltdAttrbts") or {}
    mic = venue.get("Id", "") if isinstance(venue, dict) else ""
    return _venue_rank(bool(mic) and mic == row["relevant_venue"], mic)


def _stored_from(row: dict) -> str:
    """The publication date (FrDt) of the record an instrument row was taken from ('' when unknown)."""
    period = ((row["attributes"] or {}).get("TechAttrbts") or {}).get("PblctnPrd") or {}
    return period.get("FrDt") or (period.get("FrDtToDt") or {}).get("FrDt") or ""


_ATTRIBUTES = INSTRUMENT_DATA_FIELDS.index("attributes")


def instrument_upsert_batch(items: list, source_file: str) -> set[int]:
    """Insert or update one Instrument per ISIN from the batch's records; return the numbers of the records used.

    Each item's `instrument` holds the values of INSTRUMENT_DATA_FIELDS in that order (attributes as a
    value or as JSON text). The general attributes come from the record at the relevant trading venue
    when there is one.
    """
    best: dict[str, object] = {}
    for item in items:
        if item.instrument is None:
            continue
        chosen = best.get(item.isin)
        if chosen is None or _venue_rank(item.at_relevant_venue, item.mic) <= _venue_rank(
            chosen.at_relevant_venue, chosen.mic
        ):
            best[item.isin] = item
    if not best:
        return set()
    stored = {}
    for chunk in chunks(codes_stored(Instrument, "isin", sorted(best))):
        for row in Instrument.objects.filter(isin__in=chunk).order_by().values("id", "isin", *INSTRUMENT_DATA_FIELDS):
            stored[row["isin"]] = row
    now = timezone.now()
    inserts, updates, used = [], [], set()
    for isin, item in best.items():
        row = stored.get(isin)
        if row is None:
            inserts.append((isin, source_file, *item.instrument))
            used.add(item.number)
            continue
        values = item.instrument
        if isinstance(values[_ATTRIBUTES], str):
            values = (*values[:_ATTRIBUTES], json.loads(values[_ATTRIBUTES]), *values[_ATTRIBUTES + 1 :])
        rank, stored_rank = _venue_rank(item.at_relevant_venue, item.mic), _stored_rank(row)
        if rank > stored_rank or (rank == stored_rank and item.valid_from.isoformat() < _stored_from(row)):
            continue  # the stored row comes from a better venue, or from a later version of this one
        if all(row[name] == value for name, value in zip(INSTRUMENT_DATA_FIELDS, values, strict=True)):
            continue
        updates.append((*values, source_file, now, row["id"]))
        used.add(item.number)
    rows_update(Instrument, [*INSTRUMENT_DATA_FIELDS, "source_file", "updated_at"], updates)
    rows_insert(Instrument, ("isin", "source_file", *INSTRUMENT_DATA_FIELDS), inserts)
    return used


def instrument_tables_analyze() -> bool:
    """Refresh the planner statistics of the instrument and listing tables (PostgreSQL; a no-op elsewhere).

    Run after a large load: a table that was never analysed gets poor query plans.
    """
    if connection.vendor != "postgresql":
        return False
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for model in (Instrument, Listing):
            cursor.execute(f"ANALYZE {quote(model._meta.db_table)}")
    return True
