"""Values() querysets compiled once per process and run on the driver's cursor, for hot reads by one value (the
instrument detail by ISIN): building the query, Django's cursor layers and its generic converter loop cost more
than the indexed lookup itself. Rows come back as the queryset's values() dicts would.
"""

import re
import sqlite3
from collections.abc import Callable
from datetime import datetime
from typing import NamedTuple

PLACEHOLDER = "\x00value\x00"  # stands for the value in a prepared query's parameters
_PREPARED: dict[tuple[str, str], "PreparedQuery"] = {}  # (name, database alias) -> query


class PreparedQuery(NamedTuple):
    """A values() query compiled for one database: SQL, parameters (the value's places marked), names, converters."""

    sql: str  # for Django's cursor
    driver_sql: str  # for the driver's cursor: on SQLite with the placeholders Django's SQLite cursor would write
    driver_execute: Callable  # (driver cursor, driver_sql, params): the driver's own execute
    params: list | dict
    value_at: list[int] | list[str]
    names: list[str]
    converters: list[tuple[int, Callable]]  # (column position, value -> Python value), applied to non-NULL values


def prepared_rows(cursor, name: str, build, value) -> list[dict]:
    """The rows (dicts) of the values() query `build(value)` returns, run on `cursor`: the SQL and the converters are
    worked out once per process and database (under `name`, unique per query, with PLACEHOLDER for the value), then
    the query runs with this value, the columns converted as Django converts them (dates, decimals, JSON).

    Unless something observes queries (query logging as in assertNumQueries or DEBUG, execute wrappers), the query
    runs on the driver's cursor that Django's cursor wraps: the same call Django makes, without the wrapper's layers,
    which cost more per request than these indexed reads.
    """
    connection = cursor.db
    prepared = _PREPARED.get((name, connection.alias))
    if prepared is None:
        prepared = _PREPARED[(name, connection.alias)] = query_prepare(build(PLACEHOLDER), connection)
    params = prepared.params.copy()
    for place in prepared.value_at:
        params[place] = value
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
            cell = row[position]
            if cell is not None:  # NULL stays None through every converter of these columns (see query_prepare)
                row[position] = convert(cell)
        converted.append(dict(zip(names, row, strict=True)))
    return converted


def query_prepare(queryset, connection) -> PreparedQuery:
    """Compile a values() queryset whose parameter is PLACEHOLDER, with the converters of its columns.

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
    value_at = [position for position, value in enumerate(params) if value == PLACEHOLDER]
    driver_sql, driver_execute = sql, _driver_execute
    if connection.vendor == "sqlite":
        keys = iter(range(len(params)))
        sql = _PARAMETER.sub(lambda match: match[0] if match[0] == "%%" else f"%(p{next(keys)})s", sql)
        params = {f"p{position}": value for position, value in enumerate(params)}
        value_at = [f"p{position}" for position in value_at]
        # What Django's SQLite cursor makes of the SQL on every call (SQLiteCursorWrapper.convert_query), made once;
        # the base class's execute then takes it as it is.
        driver_sql, driver_execute = sql % {name: f":{name}" for name in params}, sqlite3.Cursor.execute
    return PreparedQuery(sql, driver_sql, driver_execute, params, value_at, names, converters)


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
