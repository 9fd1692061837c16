"""Reads of instruments: listing versions of an ISIN as of a date, and their history."""

import re
import sqlite3
from collections.abc import Callable
from datetime import date, datetime
from typing import NamedTuple

from django.db.models import Q, QuerySet

from entities.selectors import LEGAL_ENTITY_BRIEF_COLUMNS

from .models import Listing


def listing_list_as_of(isin: str, as_of: date) -> QuerySet[Listing]:
    """The listings of an ISIN valid on a date (one version per venue; cancelled versions left out)."""
    return Listing.objects.filter(
        Q(valid_to__isnull=True) | Q(valid_to__gte=as_of),
        instrument_id=isin,
        valid_from__lte=as_of,
        is_cancelled=False,
    ).order_by("venue_id")


def listing_history(isin: str) -> QuerySet[Listing]:
    """Every version of every listing of an ISIN, per venue, oldest first."""
    return Listing.objects.filter(instrument_id=isin).order_by("venue_id", "valid_from")


# API reads: lists, one instrument in full, bulk lookup, CSV export.

INSTRUMENT_BRIEF_COLUMNS = (
    "isin",
    "full_name",
    "short_name",
    "cfi_code",
    "category",
    "instrument_type",
    "currency",
    "issuer_id",
)


def instrument_list():
    """Every instrument, loading only the brief columns (lists never read the attribute tree)."""
    from .models import Instrument

    return Instrument.objects.only(*INSTRUMENT_BRIEF_COLUMNS)


def instrument_list_for_issuer(lei: str):
    """The instruments whose FIRDS issuer LEI is `lei` (brief columns)."""
    return instrument_list().filter(issuer_id=lei)


DEBT_COLUMNS = (
    "maturity_date",
    "total_issued_nominal",
    "nominal_value_per_unit",
    "fixed_rate",
    "floating_rate_reference",
    "floating_rate_term",
    "floating_rate_spread",
    "debt_seniority",
)
DERIVATIVE_COLUMNS = (
    "expiry_date",
    "price_multiplier",
    "underlying_isin",
    "underlying_isins",
    "underlying_index",
    "option_type",
    "strike_price",
    "strike_price_type",
    "strike_currency",
    "exercise_style",
    "delivery_type",
    "commodity_derivative",
)
INSTRUMENT_DETAIL_COLUMNS = (
    *INSTRUMENT_BRIEF_COLUMNS,
    "relevant_authority",
    "relevant_venue",
    *DEBT_COLUMNS,
    *DERIVATIVE_COLUMNS,
    "attributes",
    "updated_at",
)
LISTING_DETAIL_COLUMNS = (
    "venue_id",
    "full_name",
    "short_name",
    "first_trade_date",
    "termination_date",
    "issuer_requested",
    "admission_approval_date",
    "admission_request_date",
    "relevant_authority",
    "relevant_venue",
    "valid_from",
    "valid_to",
    "is_current",
    "is_cancelled",
    "record_type",
)
LISTING_COLUMNS_NAMED = (*LISTING_DETAIL_COLUMNS, "venue_name")
FIGI_DETAIL_COLUMNS = (
    "mic",
    "figi",
    "composite_figi",
    "share_class_figi",
    "ticker",
    "exchange_code",
    "security_type",
    "security_type2",
    "market_sector",
    "name",
    "mapped_at",
)
TRANSPARENCY_DETAIL_COLUMNS = (
    "file_type",
    "classification",
    "methodology",
    "liquid",
    "most_relevant_market",
    "pre_trade_lis_threshold",
    "post_trade_lis_threshold",
    "pre_trade_ssti_threshold",
    "post_trade_ssti_threshold",
    "average_daily_turnover",
    "average_daily_transactions",
    "statistics",
    "valid_from",
    "valid_to",
)


def instrument_detail(isin: str, as_of=None) -> dict | None:
    """One instrument as a dict with issuer, listings (current, or valid on `as_of`), FIGIs and transparency; or None.

    Keys: the INSTRUMENT_DETAIL_COLUMNS, `issuer` (a dict of LEGAL_ENTITY_BRIEF_COLUMNS, or None when the LEI is not
    loaded), `listing_versions` (LISTING_DETAIL_COLUMNS plus `venue_name`), `figi_mappings` and
    `transparency_records`. Two queries when the ISIN has no FIGI or FITRS record, four at most; each compiled
    once per process (building a query costs more than running it).
    """
    from django.db import connection

    with connection.cursor() as cursor:
        rows = _prepared_rows(cursor, "instrument", _instrument_query, isin)
        if not rows:
            return None
        row = rows[0]
        issuer = {column: row.pop(key) for column, key in _ISSUER_KEYS}
        row["issuer"] = issuer if row.pop("issuer__id") is not None else None  # issuer__lei is the local column
        row["listing_versions"] = _listing_rows(cursor, isin, as_of)
        has_figi, has_transparency = row.pop("has_figi"), row.pop("has_transparency")
        row["figi_mappings"] = _prepared_rows(cursor, "figi", _figi_query, isin) if has_figi else []
        row["transparency_records"] = (
            _prepared_rows(cursor, "transparency", _transparency_query, isin) if has_transparency else []
        )
    return row


_ISSUER_KEYS = [(column, f"issuer__{column}") for column in LEGAL_ENTITY_BRIEF_COLUMNS]


def _listing_rows(cursor, isin: str, as_of=None) -> list[dict]:
    """The current listings of an ISIN (or those valid on `as_of`) as dicts with the venue's name, by MIC."""
    if as_of is None:
        return _prepared_rows(cursor, "current_listings", _current_listing_query, isin)
    return list(listing_list_as_of(isin, as_of).annotate(venue_name=_venue_name()).values(*LISTING_COLUMNS_NAMED))


def _instrument_query(isin: str):
    """The instrument's detail columns, its issuer's brief columns and whether FIGIs and FITRS records exist."""
    from django.db.models import Exists, OuterRef

    from .models import FigiMapping, Instrument, Transparency

    return (
        Instrument.objects.filter(isin=isin)
        .annotate(
            has_figi=Exists(FigiMapping.objects.filter(isin=OuterRef("isin"))),
            has_transparency=Exists(Transparency.objects.filter(identifier=OuterRef("isin"), is_subclass=False)),
        )
        .values(
            *INSTRUMENT_DETAIL_COLUMNS,
            *(f"issuer__{column}" for column in LEGAL_ENTITY_BRIEF_COLUMNS),
            "issuer__id",
            "has_figi",
            "has_transparency",
        )
        .order_by()[:1]
    )


def _current_listing_query(isin: str):
    """The current listings of an ISIN with their venue's name, by MIC."""
    from .models import Listing

    listings = Listing.objects.filter(instrument_id=isin, is_current=True).order_by("venue_id")
    return listings.annotate(venue_name=_venue_name()).values(*LISTING_COLUMNS_NAMED)


def _figi_query(isin: str):
    """The FIGI mappings of an ISIN."""
    from .models import FigiMapping

    return FigiMapping.objects.filter(isin=isin).order_by("mic", "figi").values(*FIGI_DETAIL_COLUMNS)


def _transparency_query(isin: str):
    """The FITRS records of an ISIN, latest first."""
    from .models import Transparency

    return (
        Transparency.objects.filter(identifier=isin, is_subclass=False)
        .order_by("-valid_from", "file_type")
        .values(*TRANSPARENCY_DETAIL_COLUMNS)
    )


def _venue_name():
    """A listing's venue market name, or NULL when its MIC is not loaded (a subquery: no join drops the row)."""
    from django.db.models import OuterRef, Subquery

    from venues.models import Venue

    return Subquery(Venue.objects.filter(mic=OuterRef("venue_id")).values("market_name")[:1])


_PLACEHOLDER = "\x00isin\x00"  # stands for the ISIN in a compiled query's parameters
_PREPARED: dict[tuple[str, str], "_PreparedQuery"] = {}


class _PreparedQuery(NamedTuple):
    """A values() query compiled for one database: SQL, parameters (the ISIN's place marked), names, converters."""

    sql: str  # for Django's cursor
    driver_sql: str  # for the driver's cursor: on SQLite with the placeholders Django's SQLite cursor would write
    driver_execute: Callable  # (driver cursor, driver_sql, params): the driver's own execute
    params: list | dict
    isin_at: list[int] | list[str]
    names: list[str]
    converters: list[tuple[int, Callable]]  # (column position, value -> Python value), applied to non-NULL values


def _prepared_rows(cursor, name: str, build, isin: str) -> list[dict]:
    """The rows (dicts) of the values() query `build(isin)` returns, run on `cursor`: the SQL and the value converters
    are worked out once per process and database, then the query runs with this ISIN, its values converted as Django
    converts them (dates, decimals, JSON).

    Unless something observes queries (query logging as in assertNumQueries or DEBUG, execute wrappers), the query
    runs on the driver's cursor that Django's cursor wraps: the same call Django makes, without the wrapper's layers,
    which cost more per request than these indexed reads.
    """
    connection = cursor.db
    prepared = _PREPARED.get((name, connection.alias))
    if prepared is None:
        prepared = _PREPARED[(name, connection.alias)] = _query_prepare(build(_PLACEHOLDER), connection)
    params = prepared.params.copy()
    for place in prepared.isin_at:
        params[place] = isin
    if connection.queries_logged or connection.execute_wrappers:
        cursor.execute(prepared.sql, params)
        rows = cursor.fetchall()
    else:
        with connection.wrap_database_errors:
            driver_cursor = cursor.cursor
            prepared.driver_execute(driver_cursor, prepared.driver_sql, params)
            rows = driver_cursor.fetchall()
    names, converters = prepared.names, prepared.converters
    if not converters:
        return [dict(zip(names, row, strict=True)) for row in rows]
    converted = []
    for row in rows:
        row = list(row)
        for position, convert in converters:
            value = row[position]
            if value is not None:  # NULL stays None through every converter of these columns (see _query_prepare)
                row[position] = convert(value)
        converted.append(dict(zip(names, row, strict=True)))
    return converted


def _query_prepare(queryset, connection) -> _PreparedQuery:
    """Compile a values() queryset whose ISIN parameter is _PLACEHOLDER, with the converters of its columns.

    Each column's converters (Django's, for this database) become one function of the value. Every converter here
    maps NULL to None, so NULLs skip them (tests/instruments/test_detail_selector.py checks this).
    On SQLite the parameters are named: Django's SQLite cursor rewrites every `%s` placeholder with a regular
    expression on each execution (tens of microseconds on these long statements), named ones with str % instead;
    for the driver's cursor that rewrite is done here, once.
    """
    query = queryset.query
    compiler = query.get_compiler(connection=connection)
    sql, params = compiler.as_sql()
    names = list(query.selected) if query.selected else [*query.values_select, *query.annotation_select]
    columns = [expression for expression, _, _ in compiler.select[: compiler.col_count]]
    converters = [
        (position, _converter_compose(functions, expression, connection))
        for position, (functions, expression) in compiler.get_converters(columns).items()
    ]
    params = list(params)
    isin_at = [position for position, value in enumerate(params) if value == _PLACEHOLDER]
    driver_sql, driver_execute = sql, _driver_execute
    if connection.vendor == "sqlite":
        keys = iter(range(len(params)))
        sql = _PARAMETER.sub(lambda match: match[0] if match[0] == "%%" else f"%(p{next(keys)})s", sql)
        params = {f"p{position}": value for position, value in enumerate(params)}
        isin_at = [f"p{position}" for position in isin_at]
        # What Django's SQLite cursor makes of the SQL on every call (SQLiteCursorWrapper.convert_query), made once;
        # the base class's execute then takes it as it is.
        driver_sql, driver_execute = sql % {name: f":{name}" for name in params}, sqlite3.Cursor.execute
    return _PreparedQuery(sql, driver_sql, driver_execute, params, isin_at, names, converters)


def _driver_execute(driver_cursor, sql: str, params) -> None:
    """The driver cursor's execute, as Django's cursor calls it."""
    driver_cursor.execute(sql, params)


def _converter_compose(functions: list, expression, connection) -> Callable:
    """One function of a column's value applying Django's converters for it in turn."""
    if len(functions) == 1:
        (function,) = functions
        if connection.vendor == "sqlite" and _is_sqlite_datetime_converter(function):
            return _sqlite_datetime_converter(function, expression, connection)
        return lambda value: function(value, expression, connection)

    def convert(value):
        for function in functions:
            value = function(value, expression, connection)
        return value

    return convert


def _is_sqlite_datetime_converter(function) -> bool:
    """Whether a converter is Django's SQLite DateTimeField converter (imported here: not every database is SQLite)."""
    from django.db.backends.sqlite3.operations import DatabaseOperations

    return getattr(function, "__func__", None) is DatabaseOperations.convert_datetimefield_value


def _sqlite_datetime_converter(function, expression, connection) -> Callable:
    """Django's SQLite date-time converter, shortened for what the driver gives it: a naive datetime, made aware in
    the connection's zone (connection.timezone, None without USE_TZ, is reset by Django when settings change)."""

    def convert(value):
        zone = connection.timezone
        if zone is not None and type(value) is datetime and value.tzinfo is None:
            return value.replace(tzinfo=zone)  # timezone.make_aware(value, zone)
        return function(value, expression, connection)

    return convert


_PARAMETER = re.compile("%%|%s")


def instrument_history(isin: str) -> list[dict]:
    """Every version of every listing of an ISIN as dicts (LISTING_DETAIL_COLUMNS and `venue_name`), per venue."""
    return list(listing_history(isin).annotate(venue_name=_venue_name()).values(*LISTING_COLUMNS_NAMED))


def instrument_lookup(values: list[str]) -> dict:
    """Split ISINs into instruments found, valid ISINs not found and invalid values (one query per 1,000)."""
    from marketdata.identifiers import isin_error

    invalid, wanted = [], []
    for value in dict.fromkeys(values):
        code = value.strip().upper()
        reason = isin_error(code)
        if reason:
            invalid.append({"isin": value, "reason": reason})
        else:
            wanted.append(code)
    wanted = list(dict.fromkeys(wanted))
    found = {}
    for start in range(0, len(wanted), 1000):
        for instrument in instrument_list().filter(isin__in=wanted[start : start + 1000]):
            found[instrument.isin] = instrument
    return {
        "found": [found[isin] for isin in wanted if isin in found],
        "not_found": [isin for isin in wanted if isin not in found],
        "invalid": invalid,
    }


def instrument_export_rows(queryset, chunk_size: int = 2000):
    """The brief columns of every instrument in `queryset`, by ISIN, streamed from the database in chunks."""
    return queryset.order_by("isin").values_list(*INSTRUMENT_BRIEF_COLUMNS).iterator(chunk_size=chunk_size)
