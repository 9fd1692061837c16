"""Writes of instruments: listing versions under ESMA's delta rules and instrument upserts, in batches.

Every write is one prepared single-row INSERT or UPDATE run by executemany over a batch, so each statement
carries one row's parameters (at most a few dozen: within SQL Server's 2,100 per statement and 1,000 rows
per INSERT, and SQLite's and PostgreSQL's limits); lookups send at most LOOKUP_CHUNK codes per `IN`.
"""

import json
from datetime import UTC, date, timedelta

from django.db import connection, models
from django.utils import timezone

from .choices import RecordType
from .models import Instrument, Listing

LISTING_DATA_FIELDS = (
    "full_name",
    "short_name",
    "cfi_code",
    "currency",
    "issuer_lei",
    "issuer_requested",
    "admission_approval_date",
    "admission_request_date",
    "first_trade_date",
    "termination_date",
    "relevant_authority",
    "relevant_venue",
)
LISTING_STATE_FIELDS = ("valid_from", "valid_to", "is_current", "is_cancelled", "record_type", "source_file")
LISTING_UPDATE_FIELDS = (*LISTING_DATA_FIELDS, "valid_to", "is_current", "is_cancelled", "record_type", "source_file")
INSTRUMENT_DATA_FIELDS = (
    "full_name",
    "short_name",
    "cfi_code",
    "category",
    "instrument_type",
    "currency",
    "commodity_derivative",
    "issuer_id",
    "relevant_authority",
    "relevant_venue",
    "maturity_date",
    "total_issued_nominal",
    "nominal_value_per_unit",
    "fixed_rate",
    "floating_rate_reference",
    "floating_rate_term",
    "floating_rate_spread",
    "debt_seniority",
    "expiry_date",
    "price_multiplier",
    "underlying_isins",
    "underlying_isin",
    "underlying_index",
    "option_type",
    "strike_price",
    "strike_price_type",
    "strike_currency",
    "exercise_style",
    "delivery_type",
    "attributes",
)
LOOKUP_CHUNK = 500  # codes per `__in` query (SQL Server: 2,100 parameters per statement)
ONE_DAY = timedelta(days=1)


_PLAIN_FIELDS = (models.CharField, models.BooleanField, models.TextField, models.IntegerField)


def _sqlite_datetime(value):
    """What Django's SQLite backend stores for an aware datetime: naive UTC text."""
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value.isoformat(" ")


def _json_adapter(field):
    """JSON columns take Python values, or their JSON text as it is (serialised where the record was parsed)."""

    def adapt(value):
        if not isinstance(value, str):
            return field.get_db_prep_save(value, connection)
        if connection.vendor == "postgresql":
            from psycopg.types.json import Jsonb

            return Jsonb(value, dumps=str)
        return value

    return adapt


def _column_adapter(field):
    """A function turning a Python value into the driver's value for this column (None: as it is)."""
    target = field.target_field if field.is_relation else field
    if isinstance(target, _PLAIN_FIELDS):
        return None
    vendor = connection.vendor
    if isinstance(target, models.JSONField):
        return _json_adapter(target)
    if vendor in ("sqlite", "postgresql"):
        if isinstance(target, models.DecimalField):
            return None  # the drivers take Decimal (Django registers str for SQLite)
        if isinstance(target, models.DateTimeField):
            return _sqlite_datetime if vendor == "sqlite" else None
        if isinstance(target, models.DateField):
            return date.isoformat if vendor == "sqlite" else None
    return lambda value: target.get_db_prep_save(value, connection)


def rows_insert(model, rows: list[dict]) -> None:
    """Insert rows (dicts keyed by field attname) with one prepared INSERT run by executemany.

    Values are adapted once per column the way the ORM does (dates, decimals, JSON); plain text and
    booleans go through as they are; a str given for a JSON column is taken as JSON text. One row per
    statement keeps within every backend's parameter limits.
    """
    if not rows:
        return
    now = timezone.now()
    names = [name for name in rows[0] if name != "id"]
    fields = [model._meta.get_field(name) for name in names]
    stamps = [
        field
        for field in model._meta.concrete_fields
        if (getattr(field, "auto_now_add", False) or getattr(field, "auto_now", False)) and field.attname not in names
    ]
    adapters = [(index, adapter) for index, field in enumerate(fields) if (adapter := _column_adapter(field))]
    quote = connection.ops.quote_name
    columns = [field.column for field in fields] + [field.column for field in stamps]
    stamp_values = tuple(field.get_db_prep_save(now, connection) for field in stamps)
    sql = (
        f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(column) for column in columns)}) "
        f"VALUES ({', '.join(['%s'] * len(columns))})"
    )
    params = []
    for row in rows:
        values = [row[name] for name in names]
        for index, adapter in adapters:
            value = values[index]
            if value is not None:
                values[index] = adapter(value)
        params.append((*values, *stamp_values))
    with connection.cursor() as cursor:
        for chunk in _chunks(params, 5000):
            cursor.executemany(sql, chunk)


def rows_update(model, rows: list[dict], names: list[str]) -> None:
    """Update rows by id (dicts keyed by attname) with one prepared UPDATE run by executemany.

    Linear in the number of rows (the ORM's bulk_update builds CASE expressions that grow with the batch).
    """
    if not rows:
        return
    fields = [model._meta.get_field(name) for name in names]
    adapters = [(index, adapter) for index, field in enumerate(fields) if (adapter := _column_adapter(field))]
    quote = connection.ops.quote_name
    assignments = ", ".join(f"{quote(field.column)} = %s" for field in fields)
    sql = f"UPDATE {quote(model._meta.db_table)} SET {assignments} WHERE {quote(model._meta.pk.column)} = %s"
    params = []
    for row in rows:
        values = [row[name] for name in names]
        for index, adapter in adapters:
            value = values[index]
            if value is not None:
                values[index] = adapter(value)
        params.append((*values, row["id"]))
    with connection.cursor() as cursor:
        for chunk in _chunks(params, 5000):
            cursor.executemany(sql, chunk)


def _chunks(values: list, size: int = LOOKUP_CHUNK):
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _listing_versions(isins: list[str]) -> dict[tuple[str, str], list[dict]]:
    """Every stored version of the listings of these ISINs, per (ISIN, MIC), oldest first."""
    versions: dict[tuple[str, str], list[dict]] = {}
    columns = ("id", "instrument_id", "venue_id", *LISTING_DATA_FIELDS, *LISTING_STATE_FIELDS)
    for chunk in _chunks(isins):
        for row in Listing.objects.filter(instrument_id__in=chunk).order_by().values(*columns):
            versions.setdefault((row["instrument_id"], row["venue_id"]), []).append(row)
    for rows in versions.values():
        rows.sort(key=lambda row: row["valid_from"])
    return versions


def _same_data(version: dict, values: dict) -> bool:
    return all(version[name] == values[name] for name in LISTING_DATA_FIELDS)


def _version_apply(versions: list[dict], item, source_file: str, dirty: dict, created: list) -> str:
    """Apply one record to the versions of its (ISIN, MIC); return inserted, updated or unchanged."""
    start = item.valid_from

    def mark(version):
        if version.get("id"):
            dirty[version["id"]] = version

    def add(**state):
        version = {
            "id": None,
            "instrument_id": item.isin,
            "venue_id": item.mic,
            **item.listing,
            "valid_from": start,
            "valid_to": None,
            "is_current": True,
            "is_cancelled": False,
            "record_type": item.record_type,
            "source_file": source_file,
            **state,
        }
        versions.append(version)
        versions.sort(key=lambda row: row["valid_from"])
        created.append(version)

    current = next((version for version in versions if version["is_current"]), None)
    same = next((version for version in versions if version["valid_from"] == start), None)

    if item.record_type == RecordType.CANCELLED:
        target = current or same or (versions[-1] if versions else None)
        if target is None:
            add(valid_to=start, is_current=False, is_cancelled=True)
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
        same.update(item.listing, is_cancelled=False, source_file=source_file)
        if item.record_type != RecordType.FULL or same["record_type"] == RecordType.CANCELLED:
            same["record_type"] = item.record_type
        if current is None and same is versions[-1]:
            same.update(is_current=True, valid_to=None)
        mark(same)
        return "updated"
    if current is not None and current["valid_from"] < start:
        current.update(valid_to=start - ONE_DAY, is_current=False)
        mark(current)
        add()
        return "updated"
    later = [version["valid_from"] for version in versions if version["valid_from"] > start]
    if later:  # an older version arriving after a newer one: keep it as history
        add(valid_to=min(later) - ONE_DAY, is_current=False)
        return "inserted"
    add()
    return "inserted"


def listing_upsert_batch(items: list, source_file: str) -> dict[int, str]:
    """Apply prepared FIRDS records to Listing versions (ESMA delta rules); return each record's outcome.

    NewRcrd and full-file records insert (or replace a version with the same FrDt); ModfdRcrd and
    TermntdRcrd close the open version (valid_to = FrDt - 1 day) and insert; CancRcrd closes the version
    and marks it cancelled. Identical data leaves rows untouched.
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
        rows = [{"id": pk, "updated_at": now, **_listing_columns(version)} for pk, version in dirty.items()]
        rows_update(Listing, rows, [*LISTING_UPDATE_FIELDS, "updated_at"])
    if created:
        rows_insert(
            Listing,
            [
                {
                    "instrument_id": version["instrument_id"],
                    "venue_id": version["venue_id"],
                    **_listing_columns(version),
                }
                for version in created
            ],
        )
    return outcomes


def _listing_columns(version: dict) -> dict:
    return {name: version[name] for name in (*LISTING_DATA_FIELDS, *LISTING_STATE_FIELDS)}


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


def instrument_upsert_batch(items: list, source_file: str) -> set[int]:
    """Insert or update one Instrument per ISIN from the batch's records; return the numbers of the records used.

    The general attributes come from the record at the relevant trading venue when there is one.
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
    for chunk in _chunks(sorted(best)):
        for row in Instrument.objects.filter(isin__in=chunk).order_by().values("id", "isin", *INSTRUMENT_DATA_FIELDS):
            stored[row["isin"]] = row
    now = timezone.now()
    inserts, updates, used = [], [], set()
    for isin, item in best.items():
        row = stored.get(isin)
        if row is None:
            inserts.append({"isin": isin, "source_file": source_file, **item.instrument})
            used.add(item.number)
            continue
        values = item.instrument
        if isinstance(values["attributes"], str):
            values = {**values, "attributes": json.loads(values["attributes"])}
        rank, stored_rank = _venue_rank(item.at_relevant_venue, item.mic), _stored_rank(row)
        if rank > stored_rank or (rank == stored_rank and item.valid_from.isoformat() < _stored_from(row)):
            continue  # the stored row comes from a better venue, or from a later version of this one
        if all(row[name] == values[name] for name in INSTRUMENT_DATA_FIELDS):
            continue
        updates.append({"id": row["id"], "source_file": source_file, "updated_at": now, **values})
        used.add(item.number)
    rows_update(Instrument, updates, [*INSTRUMENT_DATA_FIELDS, "source_file", "updated_at"])
    rows_insert(Instrument, inserts)
    return used
