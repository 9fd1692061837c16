"""Copy every table of one database into another, migrated one: keyset batches in pk order, parents first.

Each batch is read from the source by pk (never the whole table), written to the target through the bulk
core in its own transaction, so an interrupted copy leaves whole batches and `resume` continues after them.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date
from time import monotonic

import orjson
from django.core.management.color import no_style
from django.db import connections, models, transaction

from marketdata.bulk import rows_insert_raw
from marketdata.dbmove.tables import (
    BATCH_SIZE,
    REMAPPED,
    SEEDED,
    CopyError,
    id_maps_sync,
    is_integer_key,
    migrations_check,
    models_copied,
    pk_index,
    pks_present,
    row_translator,
    rows_read,
)

# Values every driver takes as the ORM reads them: no per-value adaptation.
_PLAIN_FIELDS = (models.CharField, models.TextField, models.IntegerField, models.BooleanField, models.FloatField)


@dataclass
class TableCopied:
    """What the copy of one table did."""

    table: str
    rows: int
    skipped: int
    seconds: float

    @property
    def rate(self) -> float:
        """Rows written per second."""
        return self.rows / self.seconds if self.seconds else 0.0


def _same_database(source: str, target: str) -> bool:
    """Whether two aliases name the same database."""
    keys = ("ENGINE", "NAME", "HOST", "PORT")
    first, second = connections[source].settings_dict, connections[target].settings_dict
    return all(str(first.get(key) or "") == str(second.get(key) or "") for key in keys)


def _sqlite_datetime(value):
    """What Django's SQLite backend stores for a datetime: naive UTC text."""
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value.isoformat(" ")


def _json_adapter(field, connection) -> Callable:
    """JSON values as the target stores them, serialised by orjson (the ORM's encoder for what orjson refuses)."""
    if connection.vendor == "postgresql":
        from psycopg.types.json import Jsonb

        def wrap(text):
            return Jsonb(text, dumps=str)
    elif connection.vendor == "sqlite":
        wrap = None
    else:
        return lambda value: field.get_db_prep_save(value, connection)

    def adapt(value):
        try:
            text = orjson.dumps(value).decode()
        except TypeError:  # an int past 64 bits, a key that is not a string
            return field.get_db_prep_save(value, connection)
        return wrap(text) if wrap else text

    return adapt


def _column_adapter(field, connection) -> Callable | None:
    """A function turning the ORM's value into the target driver's for this column (None: none needed)."""
    target_field = field.target_field if field.is_relation else field
    if isinstance(target_field, _PLAIN_FIELDS):
        return None
    if isinstance(target_field, models.JSONField) and target_field.encoder is None:
        return _json_adapter(field, connection)
    if connection.vendor in ("sqlite", "postgresql"):
        if isinstance(target_field, models.DecimalField):
            return None  # both drivers take Decimal (Django registers str for SQLite)
        if isinstance(target_field, models.DateTimeField):
            return _sqlite_datetime if connection.vendor == "sqlite" else None
        if isinstance(target_field, models.DateField):
            return date.isoformat if connection.vendor == "sqlite" else None
    return lambda value: field.get_db_prep_save(value, connection)


def _adapters(model, alias: str) -> list[tuple[int, Callable]]:
    """(position, function) turning the ORM's value into the target driver's, for the columns that need it."""
    connection = connections[alias]
    adapters = []
    for index, field in enumerate(model._meta.concrete_fields):
        if adapter := _column_adapter(field, connection):
            adapters.append((index, adapter))
    return adapters


def _adapted(rows: list[tuple], adapters) -> list:
    """Rows with their values adapted for the target's driver."""
    if not adapters:
        return rows
    params = []
    for row in rows:
        values = list(row)
        for index, adapter in adapters:
            if values[index] is not None:
                values[index] = adapter(values[index])
        params.append(values)
    return params


def _count(model, alias: str, **filters) -> int:
    """Rows of the model's table on `alias` (matching `filters`)."""
    return model._base_manager.using(alias).filter(**filters).count()


def _resume_point(model, source: str, target: str):
    """(pk to continue after, whether each batch must skip pks the target already holds) for a resumed copy."""
    held = _count(model, target)
    if not held:
        return None, False
    if is_integer_key(model):
        top = model._base_manager.using(target).aggregate(top=models.Max("pk"))["top"]
        if _count(model, source, pk__lte=top) == held:  # every source row up to the top is there: go on after it
            return top, False
    return None, True  # out of order (a --tables copy of a child, a text key): read all, skip what is there


def _target_prepare(chosen: list, target: str, replace: bool) -> None:
    """Empty the target's copied tables that a fresh copy would collide with, or stop naming them."""
    held = [(model, _count(model, target)) for model in chosen]
    occupied = [(model, count) for model, count in held if count and model._meta.label_lower not in SEEDED]
    if occupied and not replace:
        listing = ", ".join(f"{model._meta.db_table} ({count} rows)" for model, count in occupied)
        raise CopyError(
            f"the target already holds rows in {listing}; copy into a freshly migrated database, "
            f"continue an interrupted copy with --resume, or pass --replace to delete them first"
        )
    clear = [model for model, count in held if count]
    connection = connections[target]
    with transaction.atomic(using=target), connection.cursor() as cursor:
        for model in reversed(clear):  # children first
            cursor.execute(table_clear_sql(model, connection))


def _seeded_reset(chosen: list, source: str, target: str) -> None:
    """Resuming: drop the migration-made rows (roles) the target still holds in place of the source's."""
    from marketdata.dbmove.verifying import table_check

    seeded = [model for model in chosen if model._meta.label_lower in SEEDED]
    if any(not table_check(model, source, target).ok for model in seeded):
        connection = connections[target]
        with transaction.atomic(using=target), connection.cursor() as cursor:
            for model in reversed(seeded):  # small tables, written in one batch each: all or nothing
                cursor.execute(table_clear_sql(model, connection))


def table_clear_sql(model, connection) -> str:
    """The statement that empties the model's table on `connection`."""
    return f"DELETE FROM {connection.ops.quote_name(model._meta.db_table)}"


def identity_insert_sql(model, connection, on: bool) -> str | None:
    """SQL Server: the statement allowing (or no longer allowing) explicit ids in the table; None elsewhere."""
    if connection.vendor != "microsoft" or not isinstance(model._meta.pk, models.AutoField):
        return None
    return f"SET IDENTITY_INSERT {connection.ops.quote_name(model._meta.db_table)} {'ON' if on else 'OFF'}"


def identity_reseed_sql(model, connection) -> str | None:
    """SQL Server: the statement pointing the table's IDENTITY past its highest id; None without one."""
    if not isinstance(model._meta.pk, models.AutoField):
        return None
    return f"DBCC CHECKIDENT ('{connection.ops.quote_name(model._meta.db_table)}', RESEED) WITH NO_INFOMSGS"


def _identity_insert(model, alias: str, on: bool) -> None:
    """SQL Server: allow (or stop allowing) explicit values in the table's IDENTITY column."""
    connection = connections[alias]
    statement = identity_insert_sql(model, connection, on)
    if statement:
        with connection.cursor() as cursor:
            cursor.execute(statement)


def table_copy(model, source: str, target: str, id_maps: dict, *, resume: bool, batch_size: int, report) -> TableCopied:
    """Copy one table's rows from source to target in pk-ordered batches, each batch in its own transaction."""
    table = model._meta.db_table
    columns = [field.column for field in model._meta.concrete_fields]
    position = pk_index(model)
    translate = row_translator(model, id_maps)
    adapters = _adapters(model, target)
    after, skip_held = _resume_point(model, source, target) if resume else (None, False)
    copied = skipped = 0
    started = monotonic()
    for rows in rows_read(model, source, after, batch_size):
        if translate:
            rows = [translate(row) for row in rows]
        if skip_held:
            held = pks_present(model, target, [row[position] for row in rows])
            skipped += len(held)
            rows = [row for row in rows if row[position] not in held]
        if rows:
            with transaction.atomic(using=target):
                _identity_insert(model, target, True)
                rows_insert_raw(model, columns, _adapted(rows, adapters), using=target)
                _identity_insert(model, target, False)
        copied += len(rows)
        report(f"{table}: {copied} rows so far", verbose=True)
    result = TableCopied(table, copied, skipped, monotonic() - started)
    note = f", {skipped} already there" if skipped else ""
    resumed = f" (resumed after pk {after})" if after is not None else ""
    report(f"{table}: {copied} rows copied{note}{resumed} in {result.seconds:.2f}s ({result.rate:,.0f} rows/s)")
    return result


def sequences_reset(chosen: list, target: str) -> None:
    """Point the target's id generators past the copied ids (PostgreSQL sequences, SQL Server IDENTITY)."""
    connection = connections[target]
    if connection.vendor == "microsoft":
        statements = [statement for model in chosen if (statement := identity_reseed_sql(model, connection))]
    else:
        statements = connection.ops.sequence_reset_sql(no_style(), chosen)
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def _quiet(line: str, verbose: bool = False) -> None:
    """A report that prints nothing."""


def database_copy(
    source: str,
    target: str,
    *,
    tables: list[str] | None = None,
    resume: bool = False,
    replace: bool = False,
    batch_size: int = BATCH_SIZE,
    report=_quiet,
) -> list[TableCopied]:
    """Copy the chosen tables (default: all but sessions) from the `source` alias to the migrated `target` alias.

    Content types and permissions are matched by natural key (created on the target when missing) and the
    columns pointing to them translated; every other row keeps its pk. A fresh copy needs empty target tables
    (the roles a migration creates are replaced); `resume` continues an interrupted copy. `report(line,
    verbose=False)` receives a line per table and, verbose, one per batch.
    """
    if _same_database(source, target):
        raise CopyError("the source and the target are the same database")
    migrations_check(source, "source")
    migrations_check(target, "target")
    chosen = models_copied(tables)
    id_maps = id_maps_sync(source, target, create=True)
    data_models = [model for model in chosen if model._meta.label_lower not in REMAPPED]
    if resume:
        _seeded_reset(data_models, source, target)
    else:
        _target_prepare(data_models, target, replace)
    results = [
        table_copy(model, source, target, id_maps, resume=resume, batch_size=batch_size, report=report)
        for model in data_models
    ]
    sequences_reset(chosen, target)
    return results
