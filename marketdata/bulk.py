"""Set-based row writes shared by the loaders: prepared INSERT / UPDATE by executemany, and code lookups.

Every write is one prepared single-row INSERT or UPDATE run by executemany over a batch, so each statement
carries one row's parameters (at most a few dozen: within SQL Server's 2,100 per statement and 1,000 rows
per INSERT, and SQLite's and PostgreSQL's limits); lookups send at most LOOKUP_CHUNK codes per `IN`.
"""

from datetime import UTC, date

import orjson
from django.db import connection, connections, models
from django.utils import timezone

LOOKUP_CHUNK = 500  # codes per `__in` query (SQL Server: 2,100 parameters per statement)

_PLAIN_FIELDS = (models.CharField, models.BooleanField, models.TextField, models.IntegerField)


def _sqlite_datetime(value):
    """What Django's SQLite backend stores for an aware datetime: naive UTC text."""
    if value.tzinfo is UTC:  # what the parser gives: no conversion needed, drop the "+00:00"
        return value.isoformat(" ")[:-6]
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value.isoformat(" ")


def _json_adapter(field):
    """JSON columns take Python values, or their JSON text as it is (serialised where the record was parsed)."""
    vendor = connection.vendor
    sqlite = vendor == "sqlite" and field.encoder is None
    if vendor == "postgresql":
        from psycopg.types.json import Jsonb

    def adapt(value):
        if not isinstance(value, str):
            if sqlite:  # JSON text, as the ORM stores it (orjson: the same values, a fraction of the time)
                return orjson.dumps(value).decode()
            return field.get_db_prep_save(value, connection)
        if vendor == "postgresql":
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


def _row_adapters(model, names) -> list:
    """(position, adapter, whether a str is adapted too) for the columns whose values need adapting for the driver.

    A str given for a date, date-time or decimal column is its storage text (see instruments.columns) and goes
    through as it is; a str for a JSON column is JSON text, which only SQLite's driver takes as it is.
    """
    fields = [model._meta.get_field(name) for name in names]
    wraps_json = connection.vendor != "sqlite"
    return [
        (
            index,
            adapter,
            wraps_json and isinstance(field.target_field if field.is_relation else field, models.JSONField),
        )
        for index, field in enumerate(fields)
        if (adapter := _column_adapter(field))
    ]


def _adapted(rows, adapters, extra: tuple = ()) -> list:
    """Rows (tuples) with their values adapted per column, each followed by `extra`.

    Column by column: a loop per adapter over the batch took 20 % less than one per row over the adapters (the
    listing rows of a 200k-record FULINS: 0.25 -> 0.20 s).
    """
    if not adapters:
        return [(*row, *extra) for row in rows]
    params = [[*row, *extra] for row in rows]
    for index, adapter, adapts_text in adapters:
        if adapts_text:
            for values in params:
                value = values[index]
                if value is not None:
                    values[index] = adapter(value)
        else:
            for values in params:
                value = values[index]
                if value is not None and value.__class__ is not str:
                    values[index] = adapter(value)
    return params


def rows_insert(model, names, rows: list[tuple]) -> None:
    """Insert rows (tuples of values for the fields named by attname) with one prepared INSERT run by executemany.

    On PostgreSQL the rows go through COPY, elsewhere through executemany. Values are adapted once per column the
    way the ORM does (dates, decimals, JSON); plain text and
    booleans go through as they are; a str given for a JSON column is taken as JSON text, and for a date,
    date-time or decimal column as the value's storage text (dates ISO, date-times naive UTC). One row per
    statement keeps within every backend's parameter limits. created_at/updated_at are stamped now.
    """
    if not rows:
        return
    now = timezone.now()
    names = list(names)
    stamps = [
        field
        for field in model._meta.concrete_fields
        if (getattr(field, "auto_now_add", False) or getattr(field, "auto_now", False)) and field.attname not in names
    ]
    quote = connection.ops.quote_name
    columns = [model._meta.get_field(name).column for name in names] + [field.column for field in stamps]
    stamp_values = tuple(field.get_db_prep_save(now, connection) for field in stamps)
    sql = (
        f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(column) for column in columns)}) "
        f"VALUES ({', '.join(['%s'] * len(columns))})"
    )
    params = _adapted(rows, _row_adapters(model, names), stamp_values)
    if connection.vendor == "postgresql":
        _copy_rows(model._meta.db_table, columns, params)
        return
    with connection.cursor() as cursor:
        for chunk in chunks(params, 5000):
            cursor.executemany(sql, chunk)


def _copy_rows(table: str, columns: list[str], params: list) -> None:
    """PostgreSQL: the rows through COPY FROM STDIN (psycopg's copy), in the open transaction.

    One COPY per batch instead of one INSERT per row; see benchmarks.firds_load (d) for the measured gain.
    """
    from psycopg import sql

    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(table), sql.SQL(", ").join(map(sql.Identifier, columns))
    )
    with connection.cursor() as cursor, cursor.cursor.copy(statement) as copy:
        write = copy.write_row
        for row in params:
            write(row)


def rows_insert_raw(model, columns: list[str], rows: list, using: str) -> None:
    """Insert rows of driver-ready values for the named table columns on the `using` database, by executemany.

    Nothing is adapted or stamped: the caller gives what the target's driver takes (a database copy).
    """
    if not rows:
        return
    target = connections[using]
    sql = rows_insert_raw_sql(model, columns, target)
    with target.cursor() as cursor:
        for chunk in chunks(rows, 5000):
            cursor.executemany(sql, chunk)


def rows_insert_raw_sql(model, columns: list[str], connection) -> str:
    """The one-row INSERT that rows_insert_raw runs per row on `connection` (%s placeholders)."""
    quote = connection.ops.quote_name
    return (
        f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(column) for column in columns)}) "
        f"VALUES ({', '.join(['%s'] * len(columns))})"
    )


def rows_update(model, names, rows: list[tuple]) -> None:
    """Update rows by id (tuples: the values of the fields named by attname, then the id) with executemany.

    Linear in the number of rows (the ORM's bulk_update builds CASE expressions that grow with the batch).
    """
    if not rows:
        return
    fields = [model._meta.get_field(name) for name in names]
    quote = connection.ops.quote_name
    assignments = ", ".join(f"{quote(field.column)} = %s" for field in fields)
    sql = f"UPDATE {quote(model._meta.db_table)} SET {assignments} WHERE {quote(model._meta.pk.column)} = %s"
    params = _adapted(rows, _row_adapters(model, names))
    with connection.cursor() as cursor:
        for chunk in chunks(params, 5000):
            cursor.executemany(sql, chunk)


def chunks(values: list, size: int = LOOKUP_CHUNK):
    """Consecutive slices of `values` of at most `size` items."""
    for start in range(0, len(values), size):
        yield values[start : start + size]


def codes_stored(model, field: str, codes: list[str]) -> list[str]:
    """Those of `codes` that some row of the model holds in `field`: one plain query per chunk.

    Run before the ORM's lookup of the rows, which costs ten times more per code asked (a fresh load finds none).
    """
    quote = connection.ops.quote_name
    column = quote(model._meta.get_field(field).column)
    found = []
    with connection.cursor() as cursor:
        for chunk in chunks(codes):
            cursor.execute(
                f"SELECT DISTINCT {column} FROM {quote(model._meta.db_table)} "
                f"WHERE {column} IN ({', '.join(['%s'] * len(chunk))})",
                chunk,
            )
            found.extend(code for (code,) in cursor.fetchall())
    return found
