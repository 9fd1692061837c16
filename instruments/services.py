"""Writes of instruments: listing versions under ESMA's delta rules and instrument upserts, in batches.

Rows are written through the shared core's prepared INSERT / UPDATE (marketdata.bulk).
"""

from datetime import date, timedelta
from operator import itemgetter

import orjson
from django.db import connection
from django.utils import timezone

from marketdata.bulk import chunks, codes_stored, rows_insert, rows_update

from .choices import RecordType
from .columns import INSTRUMENT_DATA_FIELDS, LISTING_DATA_FIELDS, listing_typed
from .derivation import (
    RELEVANT_VENUE,
    instrument_row_from_listing,
    instrument_row_from_values,
    listing_speaking_for,
    venue_rank,
)
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


_RECORD = LISTING_DATA_FIELDS.index("record")
_COMPARED = LISTING_DATA_FIELDS[:_RECORD]


def _same_data(version: dict, values: tuple) -> bool:
    """True when a stored version holds the record's values (the record compared as JSON, not as its text)."""
    if not all(version[name] == value for name, value in zip(_COMPARED, values, strict=False)):
        return False
    stored, record = version["record"], values[_RECORD]
    if isinstance(stored, str) or not isinstance(record, str):  # written in this batch, or both values
        return stored == record
    return stored == orjson.loads(record)


def _ending(valid_to: date | None, limit: date | None) -> date | None:
    """The earlier of a publication end (ToDt) and the day before a later version starts (None: open)."""
    if valid_to is None or (limit is not None and limit < valid_to):
        return limit
    return valid_to


_VERSION_KEYS = (
    *LISTING_DATA_FIELDS,
    "id",
    "instrument_id",
    "venue_id",
    "valid_from",
    "valid_to",
    "is_current",
    "is_cancelled",
    "record_type",
    "source_file",
)


def _version_add(versions: list[dict], created: list, item, source_file: str, **state) -> None:
    """Append a new version of the record's listing (data from the record, state as given)."""
    version = dict(
        zip(
            _VERSION_KEYS,
            (
                *item.listing,
                None,
                item.isin,
                item.mic,
                item.valid_from,
                item.valid_to,
                True,
                False,
                item.record_type,
                source_file,
            ),
            strict=True,
        )
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
    later = [version["valid_from"] for version in versions if version["valid_from"] > start]
    before_later = min(later) - ONE_DAY if later else None

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
        valid_to = _ending(item.valid_to, before_later)
        if _same_data(same, item.listing) and (same["is_cancelled"] or same["valid_to"] == valid_to):
            return "unchanged"  # a cancelled version stays cancelled when replayed as it was
        same.update(zip(LISTING_DATA_FIELDS, item.listing, strict=True), is_cancelled=False, source_file=source_file)
        same["valid_to"] = valid_to
        if item.record_type != RecordType.FULL or same["record_type"] == RecordType.CANCELLED:
            same["record_type"] = item.record_type
        if current is None and same is versions[-1]:
            same["is_current"] = True
        mark(same)
        return "updated"
    if current is not None and current["valid_from"] < start:
        current.update(valid_to=_ending(current["valid_to"], start - ONE_DAY), is_current=False)
        mark(current)
        _version_add(versions, created, item, source_file)
        return "updated"
    if later:  # an older version arriving after a newer one: keep it as history
        valid_to = _ending(item.valid_to, before_later)
        _version_add(versions, created, item, source_file, valid_to=valid_to, is_current=False)
        return "inserted"
    _version_add(versions, created, item, source_file)
    return "inserted"


_LISTING_INSERT_FIELDS = ("instrument_id", "venue_id", *LISTING_DATA_FIELDS, *LISTING_STATE_FIELDS)
_listing_insert_row = itemgetter(*_LISTING_INSERT_FIELDS)
_listing_update_row = itemgetter(*LISTING_UPDATE_FIELDS)


def listing_upsert_batch(items: list, source_file: str) -> dict[int, str]:
    """Apply prepared FIRDS records to Listing versions (ESMA delta rules), then derive the instruments they touch;
    return each record's outcome.

    Each item has number, isin, mic, record_type, valid_from, valid_to (the publication period's ToDt, or None) and
    `listing`: the values of LISTING_DATA_FIELDS in that order (the record as JSON text; dates, date-times and
    decimals typed or as their storage text, instruments.columns). NewRcrd and full-file records insert (or replace
    a version with the same FrDt); ModfdRcrd and TermntdRcrd close the open version (valid_to = FrDt - 1 day) and
    insert; CancRcrd closes the version and marks it cancelled; a ToDt closes the version it comes with. Identical
    data leaves rows untouched.
    """
    versions = _listing_versions(sorted({item.isin for item in items}))
    first, items = _first_versions(items, {isin for isin, _ in versions})
    if versions:  # compared with stored versions: typed as the ORM reads them (new ISINs stay storage text)
        items = [item._replace(listing=listing_typed(item.listing)) for item in items]
    dirty: dict[int, dict] = {}
    created: list[dict] = []
    outcomes = dict.fromkeys((item.number for item in first), "inserted")
    for item in items:
        pair = versions.setdefault((item.isin, item.mic), [])
        outcomes[item.number] = _version_apply(pair, item, source_file, dirty, created)
    now = timezone.now()
    if dirty:  # close before inserting: at most one current version per (ISIN, MIC)
        rows = [(*_listing_update_row(version), now, pk) for pk, version in dirty.items()]
        rows_update(Listing, [*LISTING_UPDATE_FIELDS, "updated_at"], rows)
    rows = [_first_version_row(item, source_file) for item in first]
    rows.extend(_listing_insert_row(version) for version in created)
    rows_insert(Listing, _LISTING_INSERT_FIELDS, rows)
    derived = _instrument_rows_first(first)
    derived.update(_instrument_rows(versions))
    instrument_rows_write(derived, source_file)
    return outcomes


def _first_versions(items: list, stored_isins: set[str]) -> tuple[list, list]:
    """Split a batch into the records that are simply the first version of their listing (an ISIN with no stored
    version, each venue once, no cancellation) and the rest, which go through the version rules."""
    ruled = set(stored_isins)
    pairs = set()
    for item in items:
        if item.isin in ruled:
            continue
        pair = (item.isin, item.mic)
        if pair in pairs or item.record_type == RecordType.CANCELLED:
            ruled.add(item.isin)
        pairs.add(pair)
    if not ruled:
        return items, []
    first, rest = [], []
    for item in items:
        (rest if item.isin in ruled else first).append(item)
    return first, rest


def _first_version_row(item, source_file: str) -> tuple:
    """The Listing row (_LISTING_INSERT_FIELDS) of a record that is its listing's first version: current, open
    unless its publication period ends."""
    return (
        item.isin,
        item.mic,
        *item.listing,
        item.valid_from,
        item.valid_to,
        True,
        False,
        item.record_type,
        source_file,
    )


def _instrument_rows_first(first: list) -> dict[str, tuple]:
    """The instrument row of each ISIN whose records are all first versions, from the record that speaks for it."""
    chosen: dict[str, object] = {}
    for item in first:
        other = chosen.get(item.isin)
        if other is None or venue_rank(item.mic, item.listing[RELEVANT_VENUE]) < venue_rank(
            other.mic, other.listing[RELEVANT_VENUE]
        ):
            chosen[item.isin] = item
    return {isin: instrument_row_from_values(item.mic, item.listing) for isin, item in chosen.items()}


def _instrument_rows(versions: dict[tuple[str, str], list[dict]]) -> dict[str, tuple]:
    """The instrument row of each ISIN in `versions` (every version of its listings, per (ISIN, MIC)), from the
    current version that speaks for it; an ISIN whose listings are all cancelled gets none."""
    current: dict[str, list[dict]] = {}
    for (isin, _), pair in versions.items():
        current.setdefault(isin, []).extend(version for version in pair if version["is_current"])
    derived = {}
    for isin, candidates in current.items():
        chosen = listing_speaking_for(candidates)
        if chosen is not None:
            derived[isin] = instrument_row_from_listing(chosen)
    return derived


def instrument_rows_write(derived: dict[str, tuple], source_file: str) -> int:
    """Insert or update instruments from their derived rows (INSTRUMENT_DATA_FIELDS per ISIN); rows that hold those
    values already are left alone. Returns the number of instrument rows written."""
    if not derived:
        return 0
    stored = {}
    for chunk in chunks(codes_stored(Instrument, "isin", sorted(derived))):
        rows = Instrument.objects.filter(isin__in=chunk).order_by().values_list("isin", "id", *INSTRUMENT_DATA_FIELDS)
        for isin, pk, *values in rows:
            stored[isin] = (pk, tuple(values))
    now = timezone.now()
    inserts, updates = [], []
    for isin, values in derived.items():
        row = stored.get(isin)
        if row is None:
            inserts.append((isin, source_file, *values))
        elif row[1] != values:
            updates.append((*values, source_file, now, row[0]))
    rows_update(Instrument, [*INSTRUMENT_DATA_FIELDS, "source_file", "updated_at"], updates)
    rows_insert(Instrument, ("isin", "source_file", *INSTRUMENT_DATA_FIELDS), inserts)
    return len(inserts) + len(updates)


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
