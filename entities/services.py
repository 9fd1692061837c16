"""Writes of legal entities: idempotent, batched upserts of GLEIF records (from the golden copy or the API).

Each upsert takes plain mappings of field name to value (the callers map what their parser or client
gives into them): an entity's ``lei`` and RECORD_ENTITY_FIELDS (countries and search text are derived),
a relationship's ``child_lei``, ``parent_lei``, ``relationship_type`` and RELATIONSHIP_FIELDS, an
exception's ``lei``, ``category`` and EXCEPTION_FIELDS.
"""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from django.db import models, transaction
from django.utils import timezone

from marketdata.counts import LoadCounts
from marketdata.identifiers import isin_error, lei_error
from marketdata.names import name_search_text

from .models import EntityRelationship, IsinLeiMapping, LegalEntity, ReportingException

# SQL Server: at most 2,100 parameters per statement and 1,000 rows per INSERT (keep a margin).
MAX_PARAMS = 2000
MAX_ROWS = 1000


def sql_batch_size(params_per_row: int) -> int:
    """Rows per statement that stay within SQL Server's parameter and row limits."""
    return max(1, min(MAX_ROWS, MAX_PARAMS // max(1, params_per_row)))


@dataclass
class UpsertCounts(LoadCounts):
    """LoadCounts of an upsert, plus how many records were older than the stored ones (kept as stored)."""

    older: int = 0


RECORD_ENTITY_FIELDS = (
    "legal_name",
    "legal_name_language",
    "other_names",
    "legal_address",
    "headquarters_address",
    "jurisdiction",
    "category",
    "sub_category",
    "legal_form_code",
    "legal_form_text",
    "entity_status",
    "registration_status",
    "initial_registration_date",
    "last_update_date",
    "next_renewal_date",
    "managing_lou",
    "corroboration_level",
    "bics",
    "successor_lei",
    "record",
)
DERIVED_ENTITY_FIELDS = ("legal_address_country", "headquarters_country", "search_text")
ENTITY_FIELDS = RECORD_ENTITY_FIELDS + DERIVED_ENTITY_FIELDS
RELATIONSHIP_FIELDS = (
    "relationship_status",
    "periods",
    "start_date",
    "end_date",
    "registration_status",
    "initial_registration_date",
    "last_update_date",
    "validation_sources",
    "record",
)
EXCEPTION_FIELDS = ("reason", "reference", "registration_status", "last_update_date")


def _length_error(model, values: dict) -> str | None:
    """Which text value is longer than its column allows, or None."""
    for name, value in values.items():
        field = model._meta.get_field(name)
        if isinstance(value, str) and isinstance(field, models.CharField) and len(value) > field.max_length:
            return f"{name} has {len(value)} characters, more than the {field.max_length} allowed"
    return None


def _entity_values(record: Mapping) -> dict:
    """Model values of an entity's fields (countries from the addresses, search text from the names)."""
    values = {name: record[name] for name in RECORD_ENTITY_FIELDS}
    values["legal_address_country"] = (record["legal_address"] or {}).get("country") or ""
    values["headquarters_country"] = (record["headquarters_address"] or {}).get("country") or ""
    values["search_text"] = name_search_text(record["legal_name"], record["other_names"])
    return values


def _newer(values: dict, previous: dict | None) -> bool:
    """True when `values` should replace `previous` for the same key in one batch (later update wins)."""
    if previous is None:
        return True
    new_date, old_date = values.get("last_update_date"), previous.get("last_update_date")
    return not (new_date and old_date and new_date < old_date)


def _apply(
    model,
    rows: dict,
    stored: dict,
    fields: tuple,
    key_values: Callable[[tuple], dict],
    counts: UpsertCounts,
) -> None:
    """Insert rows whose key is not stored, update changed ones, skip equal or older ones; count each."""
    new, changed = [], []
    now = timezone.now()
    for key, values in rows.items():
        current = stored.get(key)
        if current is None:
            new.append(model(**key_values(key), **values))
            continue
        stored_date, new_date = getattr(current, "last_update_date", None), values.get("last_update_date")
        if stored_date and new_date and new_date < stored_date:
            counts.older += 1
            counts.unchanged += 1
            continue
        if all(getattr(current, name) == values[name] for name in fields):
            counts.unchanged += 1
            continue
        for name in fields:
            setattr(current, name, values[name])
        current.updated_at = now
        changed.append(current)
    if new:
        columns = len(fields) + len(key_values(next(iter(rows)))) + 2
        model.objects.bulk_create(new, batch_size=sql_batch_size(columns))
        counts.inserted += len(new)
    if changed:
        update_fields = [*fields, "updated_at"]
        model.objects.bulk_update(changed, update_fields, batch_size=sql_batch_size(2 * len(update_fields) + 1))
        counts.updated += len(changed)


def _stored(queryset, lookup: str, codes: Iterable[str], key: Callable) -> dict:
    """Stored rows whose `lookup` is among `codes`, by key (queried in chunks the backends accept)."""
    codes = sorted(set(codes))
    size = sql_batch_size(1)
    result = {}
    for start in range(0, len(codes), size):
        for row in queryset.filter(**{f"{lookup}__in": codes[start : start + size]}):
            result[key(row)] = row
    return result


@transaction.atomic
def legal_entity_upsert_batch(records: Iterable[Mapping]) -> UpsertCounts:
    """Insert or update LEI records by LEI; an invalid LEI is rejected, an older record leaves the stored one."""
    counts = UpsertCounts()
    rows: dict[tuple, dict] = {}
    for record in records:
        counts.read += 1
        lei = record["lei"]
        error = lei_error(lei)
        if not error and not record["legal_name"]:
            error = "no legal name"
        values = _entity_values(record)
        error = error or _length_error(LegalEntity, values)
        if error:
            counts.reject(f"LEI {lei}", error)
            continue
        if _newer(values, rows.get((lei,))):
            rows[(lei,)] = values
    if rows:
        stored = _stored(LegalEntity.objects.all(), "lei", (key[0] for key in rows), lambda e: (e.lei,))
        _apply(LegalEntity, rows, stored, ENTITY_FIELDS, lambda key: {"lei": key[0]}, counts)
    return counts


@transaction.atomic
def entity_relationship_upsert_batch(records: Iterable[Mapping]) -> UpsertCounts:
    """Insert or update relationships by (child, parent, type) with their periods; either LEI may be unloaded."""
    counts = UpsertCounts()
    rows: dict[tuple, dict] = {}
    for record in records:
        counts.read += 1
        child, parent, relationship_type = record["child_lei"], record["parent_lei"], record["relationship_type"]
        label = f"relationship {child} {relationship_type or '?'} {parent}"
        child_error, parent_error = lei_error(child), lei_error(parent)
        error = (
            f"child LEI: {child_error}" if child_error else (f"parent LEI: {parent_error}" if parent_error else None)
        )
        if not error and not relationship_type:
            error = "no relationship type"
        if not error and child == parent:
            error = "child and parent are the same LEI"
        values = {name: record[name] for name in RELATIONSHIP_FIELDS}
        error = error or _length_error(EntityRelationship, values)
        if error:
            counts.reject(label, error)
            continue
        key = (child, parent, relationship_type)
        if _newer(values, rows.get(key)):
            rows[key] = values
    if rows:
        stored = _stored(
            EntityRelationship.objects.all(),
            "child_id",
            (key[0] for key in rows),
            lambda r: (r.child_id, r.parent_id, r.relationship_type),
        )
        stored = {key: row for key, row in stored.items() if key in rows}
        _apply(
            EntityRelationship,
            rows,
            stored,
            RELATIONSHIP_FIELDS,
            lambda key: {"child_id": key[0], "parent_id": key[1], "relationship_type": key[2]},
            counts,
        )
    return counts


@transaction.atomic
def reporting_exception_upsert_batch(records: Iterable[Mapping]) -> UpsertCounts:
    """Insert or update reporting exceptions by (LEI, category), keeping the reason and reference."""
    counts = UpsertCounts()
    rows: dict[tuple, dict] = {}
    for record in records:
        counts.read += 1
        lei, category = record["lei"], record["category"]
        error = lei_error(lei)
        if not error and not category:
            error = "no exception category"
        if not error and not record["reason"]:
            error = "no exception reason"
        values = {name: record[name] for name in EXCEPTION_FIELDS}
        error = error or _length_error(ReportingException, {**values, "category": category})
        if error:
            counts.reject(f"reporting exception {lei} {category}", error)
            continue
        key = (lei, category)
        if _newer(values, rows.get(key)):
            rows[key] = values
    if rows:
        stored = _stored(
            ReportingException.objects.all(), "entity_id", (key[0] for key in rows), lambda r: (r.entity_id, r.category)
        )
        _apply(
            ReportingException,
            rows,
            stored,
            EXCEPTION_FIELDS,
            lambda key: {"entity_id": key[0], "category": key[1]},
            counts,
        )
    return counts


@transaction.atomic
def isin_lei_upsert_batch(pairs: Iterable[tuple[str, str, str]], source_file: str) -> UpsertCounts:
    """Insert or update (label, ISIN, LEI) pairs of GLEIF's mapping file by ISIN; a bad ISIN or LEI is rejected."""
    counts = UpsertCounts()
    rows: dict[str, str] = {}
    for label, isin, lei in pairs:
        counts.read += 1
        isin, lei = isin.strip().upper(), lei.strip().upper()
        error = (f"ISIN: {isin_error(isin)}" if isin_error(isin) else None) or (
            f"LEI: {lei_error(lei)}" if lei_error(lei) else None
        )
        if error:
            counts.reject(f"{label} {isin or '(no ISIN)'}", error)
            continue
        rows[isin] = lei  # a later line for the same ISIN wins
    if not rows:
        return counts
    stored = _stored(IsinLeiMapping.objects.all(), "isin", rows, lambda row: row.isin)
    new, changed = [], []
    for isin, lei in rows.items():
        current = stored.get(isin)
        if current is None:
            new.append(IsinLeiMapping(isin=isin, lei=lei, source_file=source_file))
        elif current.lei != lei:
            current.lei, current.source_file, current.updated_at = lei, source_file, timezone.now()
            changed.append(current)
        else:
            counts.unchanged += 1
    IsinLeiMapping.objects.bulk_create(new, batch_size=sql_batch_size(4))
    IsinLeiMapping.objects.bulk_update(changed, ["lei", "source_file", "updated_at"], batch_size=sql_batch_size(7))
    counts.inserted += len(new)
    counts.updated += len(changed)
    return counts
