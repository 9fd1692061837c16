"""Compare two databases table by table: row counts, checksums of canonical values, the first differing pks.

Values are compared in a canonical form so that backends agree: aware date-times in UTC, decimals without
trailing zeros, JSON with sorted keys, booleans as booleans. Both sides are read in pk order in batches and
merged, so memory stays flat whatever the table size.
"""

import hashlib
import json
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from uuid import UUID

import orjson
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType

from marketdata.dbmove.tables import (
    BATCH_SIZE,
    REMAPPED,
    content_type_keys,
    migrations_check,
    models_copied,
    permission_keys,
    pk_index,
    row_translator,
    rows_read,
)

EXAMPLES = 5  # differing pks shown per table


def canonical(value):
    """A value in the form every backend's reading of it agrees on (str, bool or None)."""
    if value is None or isinstance(value, bool | str):
        return value
    if isinstance(value, datetime):
        return (value.astimezone(UTC) if value.tzinfo else value).isoformat()
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, Decimal):
        text = f"{value.normalize():f}"
        return "0" if text in ("-0", "0") else text
    if isinstance(value, int | float | UUID):
        return repr(value) if isinstance(value, float) else str(value)
    if isinstance(value, dict | list):
        return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    if isinstance(value, bytes | memoryview):
        return bytes(value).hex()
    if isinstance(value, timedelta):
        return str(value // timedelta(microseconds=1))
    return str(value)


def row_digest(row: tuple) -> bytes:
    """A 16-byte digest of a row's canonical values."""
    return hashlib.blake2b(orjson.dumps([canonical(value) for value in row]), digest_size=16).digest()


@dataclass
class TableCheck:
    """One table compared: counts, checksums and where the rows differ."""

    table: str
    source_rows: int = 0
    target_rows: int = 0
    source_checksum: str = ""
    target_checksum: str = ""
    changed: int = 0
    missing: int = 0
    extra: int = 0
    first_pk: object = None
    last_pk: object = None
    examples: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Same rows, same values."""
        return not (self.changed or self.missing or self.extra) and self.source_checksum == self.target_checksum

    def note(self, kind: str, pk) -> None:
        """Count one differing row."""
        setattr(self, kind, getattr(self, kind) + 1)
        self.first_pk = pk if self.first_pk is None else self.first_pk
        self.last_pk = pk
        if len(self.examples) < EXAMPLES:
            self.examples.append(f"{kind} pk {pk}")

    def line(self) -> str:
        """One line for the report."""
        counts = (
            f"{self.source_rows} rows"
            if self.source_rows == self.target_rows
            else (f"{self.source_rows} rows in the source, {self.target_rows} in the target")
        )
        if self.ok:
            return f"{self.table}: {counts}, checksum {self.source_checksum}: identical"
        return (
            f"{self.table}: DIFFERENT: {counts}; checksums {self.source_checksum} / {self.target_checksum}; "
            f"{self.changed} changed, {self.missing} missing from the target, {self.extra} only in the target; "
            f"first differing pk {self.first_pk}, differences within pk {self.first_pk}..{self.last_pk} "
            f"({', '.join(self.examples)})"
        )


def _keyed(model, alias: str, translate, batch_size: int):
    """(pk, digest) of the model's rows on `alias` in pk order."""
    position = pk_index(model)
    for rows in rows_read(model, alias, None, batch_size):
        for row in rows:
            if translate:
                row = translate(row)
            yield row[position], row_digest(row)


class _Named(dict):
    """Id -> natural key; an id with no row reads as dangling (compared, not fatal)."""

    def __missing__(self, key):
        return f"dangling id {key}"


def natural_maps(alias: str) -> dict:
    """Content type and permission ids on `alias` -> their natural keys, so checksums do not depend on ids."""
    return {
        ContentType: _Named({pk: ".".join(key) for pk, key in content_type_keys(alias).items()}),
        Permission: _Named({pk: ".".join(key[:3]) for pk, key in permission_keys(alias).items()}),
    }


def table_check(model, source: str, target: str, batch_size: int = BATCH_SIZE, maps=None) -> TableCheck:
    """Compare one table's rows on source and target by merging both in pk order.

    Columns pointing to content types or permissions are compared (and checksummed) by natural key.
    """
    check = TableCheck(model._meta.db_table)
    source_maps, target_maps = maps or (natural_maps(source), natural_maps(target))
    source_hash, target_hash = hashlib.sha256(), hashlib.sha256()
    source_rows = _keyed(model, source, row_translator(model, source_maps), batch_size)
    target_rows = _keyed(model, target, row_translator(model, target_maps), batch_size)
    left, right = next(source_rows, None), next(target_rows, None)
    while left is not None or right is not None:
        if right is None or (left is not None and left[0] < right[0]):
            check.note("missing", left[0])
            source_hash.update(left[1])
            check.source_rows += 1
            left = next(source_rows, None)
        elif left is None or right[0] < left[0]:
            check.note("extra", right[0])
            target_hash.update(right[1])
            check.target_rows += 1
            right = next(target_rows, None)
        else:
            if left[1] != right[1]:
                check.note("changed", left[0])
            source_hash.update(left[1])
            target_hash.update(right[1])
            check.source_rows += 1
            check.target_rows += 1
            left, right = next(source_rows, None), next(target_rows, None)
    check.source_checksum, check.target_checksum = source_hash.hexdigest()[:16], target_hash.hexdigest()[:16]
    return check


def natural_check(model, source: str, target: str) -> TableCheck:
    """Compare content types or permissions by natural key (their ids belong to each database's migrate)."""
    read = content_type_keys if model is ContentType else permission_keys
    source_keys, target_keys = set(read(source).values()), set(read(target).values())
    check = TableCheck(model._meta.db_table, len(source_keys), len(target_keys))
    for kind, keys in (("missing", source_keys - target_keys), ("extra", target_keys - source_keys)):
        for key in sorted(keys):
            check.note(kind, ".".join(key[:3]))
    check.source_checksum = hashlib.sha256(repr(sorted(source_keys)).encode()).hexdigest()[:16]
    check.target_checksum = hashlib.sha256(repr(sorted(target_keys)).encode()).hexdigest()[:16]
    return check


def database_verify(
    source: str, target: str, *, tables: list[str] | None = None, batch_size: int = BATCH_SIZE, report=None
) -> list[TableCheck]:
    """Compare the chosen tables (default: all but sessions) of the `source` and `target` aliases."""
    migrations_check(source, "source")
    migrations_check(target, "target")
    maps = natural_maps(source), natural_maps(target)
    checks = []
    for model in models_copied(tables):
        if model._meta.label_lower in REMAPPED:
            check = natural_check(model, source, target)
        else:
            check = table_check(model, source, target, batch_size, maps)
        if report:
            report(check.line())
        checks.append(check)
    return checks
