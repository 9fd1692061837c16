"""Writes of FITRS transparency: one batch of calculations applied with the history rules, set-based."""

from collections import Counter
from datetime import date, timedelta

from django.db import connection

from marketdata.bulk import chunks, rows_insert, rows_update

from .models import Transparency

# The order of the row values the FITRS loader sends (ingestion.loaders.fitrs.DATA_COLUMNS).
TRANSPARENCY_DATA_COLUMNS = (
    "identifier",
    "is_subclass",
    "is_equity",
    "classification",
    "methodology",
    "period_from",
    "period_to",
    "period_key",
    "liquid",
    "most_relevant_market",
    "standard_market_size",
    "average_daily_turnover",
    "average_daily_transactions",
    "pre_trade_lis_threshold",
    "post_trade_lis_threshold",
    "pre_trade_ssti_threshold",
    "post_trade_ssti_threshold",
    "threshold_currency",
    "asset_class",
    "subclass_description",
    "criteria",
    "record",
    "record_digest",
)
_FILE_COLUMNS = ("file_type", "source_file")
INSERT_COLUMNS = (*TRANSPARENCY_DATA_COLUMNS, *_FILE_COLUMNS, "valid_from")
UPDATE_COLUMNS = (*TRANSPARENCY_DATA_COLUMNS, *_FILE_COLUMNS)
_IDENTIFIER, _METHODOLOGY, _PERIOD, _DIGEST = 0, 4, 7, len(TRANSPARENCY_DATA_COLUMNS) - 1


def _key(row) -> tuple:
    """A calculation's key: (ISIN or sub-class, methodology, period as 'FrDt/ToDt')."""
    return row[_IDENTIFIER], row[_METHODOLOGY], row[_PERIOD]


def _day(value) -> date:
    """A date from a driver's date or its ISO text."""
    return value if isinstance(value, date) else date.fromisoformat(value[:10])


def transparency_open_versions(identifiers: list[str]) -> dict[tuple, tuple]:
    """The open (valid_to NULL) version of every calculation of these identifiers: key -> (id, valid_from, digest).

    One plain query per LOOKUP_CHUNK identifiers (building the ORM's query would cost more than running it).
    """
    meta = Transparency._meta
    quote = connection.ops.quote_name
    columns = ", ".join(
        quote(meta.get_field(name).column)
        for name in ("id", "identifier", "methodology", "period_key", "valid_from", "record_digest")
    )
    table, identifier, valid_to = (
        quote(meta.db_table),
        quote(meta.get_field("identifier").column),
        quote(meta.get_field("valid_to").column),
    )
    found = {}
    with connection.cursor() as cursor:
        for chunk in chunks(identifiers):
            cursor.execute(
                f"SELECT {columns} FROM {table} WHERE {valid_to} IS NULL "
                f"AND {identifier} IN ({', '.join(['%s'] * len(chunk))})",
                chunk,
            )
            for pk, code, methodology, period, valid_from, digest in cursor.fetchall():
                found[(code, methodology, period)] = (pk, _day(valid_from), digest)
    return found


def transparency_upsert_batch(rows: list[list], *, file_type: str, valid_from: date, source_file: str) -> Counter:
    """Apply a batch of calculations (lists of values in TRANSPARENCY_DATA_COLUMNS order, extended in place) published
    on `valid_from`.

    Per key: a new calculation is inserted; the same values as the open version change nothing; a different one
    closes the open version the day before `valid_from` and starts a new one, or replaces it when the open
    version is of the same day (a later record of the same file or day wins); a calculation older than the open
    version is left out. Three statements per batch at most (look-up, updates, inserts). Returns the counts
    by outcome (inserted, updated, unchanged).
    """
    latest: dict[tuple, list] = {}
    for row in rows:
        latest[_key(row)] = row  # the same key twice in a batch: the later record is the file's word
    outcomes = Counter(unchanged=len(rows) - len(latest))
    stored = transparency_open_versions(list(dict.fromkeys(key[0] for key in latest)))
    day = valid_from.isoformat()
    closed_on = (valid_from - timedelta(days=1)).isoformat()
    inserts, replacements, closures = [], [], []
    tail = (file_type, source_file, day)
    for key, row in latest.items():
        current = stored.get(key)
        if current is None:
            row.extend(tail)  # the batch's lists are the writer's own: extended in place, not copied
            inserts.append(row)
            outcomes["inserted"] += 1
            continue
        pk, current_from, digest = current
        if digest == row[_DIGEST] or current_from > valid_from:
            outcomes["unchanged"] += 1
        elif current_from == valid_from:
            replacements.append((*row, file_type, source_file, pk))
            outcomes["updated"] += 1
        else:
            closures.append((closed_on, pk))
            row.extend(tail)
            inserts.append(row)
            outcomes["updated"] += 1
    rows_update(Transparency, ["valid_to"], closures)  # before the inserts: the new versions are the open ones
    rows_update(Transparency, UPDATE_COLUMNS, replacements)
    rows_insert(Transparency, INSERT_COLUMNS, inserts)
    return outcomes


def transparency_table_analyze() -> bool:
    """Refresh the planner statistics of the transparency table (PostgreSQL; a no-op elsewhere).

    Run as a load grows the table: a never-analysed table's estimates make the open-version look-up scan it whole
    (50 ms per batch at 100,000 rows, growing) instead of probing its key index (3 ms). ANALYZE inside the load's
    transaction counts the rows the transaction inserted.
    """
    if connection.vendor != "postgresql":
        return False
    quote = connection.ops.quote_name
    columns = ", ".join(quote(Transparency._meta.get_field(name).column) for name in ("identifier", "valid_to"))
    with connection.cursor() as cursor:  # the look-up's columns only: the whole records would cost ten times more
        cursor.execute(f"ANALYZE {quote(Transparency._meta.db_table)} ({columns})")
    return True
