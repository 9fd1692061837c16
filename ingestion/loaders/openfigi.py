"""OpenFIGI mapping results into FigiMapping (the FIGIs) and FigiLookup (when asked, and what came back)."""

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from ingestion.services import LoadCounts
from ingestion.sources.openfigi import DATA, ERROR, WARNING, FigiResult
from instruments.models import FigiLookup, FigiMapping

BATCH_SIZE = 500  # rows per INSERT/UPDATE, and ISINs per IN (), within SQL Server's 2,100 parameters
MAPPING_FIELDS = {
    # model field: (OpenFIGI key, max length)
    "composite_figi": ("compositeFIGI", 12),
    "share_class_figi": ("shareClassFIGI", 12),
    "ticker": ("ticker", 100),
    "exchange_code": ("exchCode", 20),
    "security_type": ("securityType", 100),
    "security_type2": ("securityType2", 100),
    "market_sector": ("marketSector", 50),
    "name": ("name", 255),
}


def _chunks(items: list, size: int = BATCH_SIZE):
    for start in range(0, len(items), size):
        yield items[start : start + size]


def figi_mapping_values(row: dict) -> dict:
    """FigiMapping field values from one OpenFIGI data row (nulls become blanks)."""
    return {field: str(row.get(key) or "")[:length] for field, (key, length) in MAPPING_FIELDS.items()}


def _existing(model, pairs: set[tuple[str, str]]) -> list:
    """Rows of `model` for these (ISIN, MIC) pairs."""
    rows = []
    for isins in _chunks(sorted({isin for isin, _ in pairs})):
        rows.extend(row for row in model.objects.filter(isin__in=isins) if (row.isin, row.mic) in pairs)
    return rows


def figi_results_store(results: Iterable[FigiResult], counts: LoadCounts | None = None) -> LoadCounts:
    """Store one batch of results: FIGIs of each mapped pair replace the pair's old ones; every pair gets a lookup.

    Counts: read = pairs, inserted/updated/unchanged = FIGI rows, rejected = pairs OpenFIGI answered with an error.
    """
    counts = counts if counts is not None else LoadCounts()
    results = list(results)
    now = timezone.now()
    pairs = {(result.isin, result.mic) for result in results}
    mapped_pairs = {(result.isin, result.mic) for result in results if result.status == DATA}
    with transaction.atomic():
        existing = {(row.isin, row.mic, row.figi): row for row in _existing(FigiMapping, mapped_pairs)}
        new, changed, seen = [], [], set()
        for result in results:
            counts.read += 1
            if result.status == ERROR:
                counts.reject(f"{result.isin}/{result.mic or '-'}", f"OpenFIGI error: {result.message}")
            if result.status != DATA:
                continue
            for row in result.rows:
                figi = (row or {}).get("figi")
                key = (result.isin, result.mic, figi)
                if not figi or key in seen:
                    continue
                seen.add(key)
                values = figi_mapping_values(row)
                current = existing.get(key)
                if current is None:
                    new.append(FigiMapping(isin=result.isin, mic=result.mic, figi=figi, mapped_at=now, **values))
                elif any(getattr(current, name) != value for name, value in values.items()):
                    for name, value in values.items():
                        setattr(current, name, value)
                    current.mapped_at = now
                    changed.append(current)
                else:
                    counts.unchanged += 1
        stale = [row.pk for key, row in existing.items() if key not in seen]
        FigiMapping.objects.bulk_create(new, batch_size=BATCH_SIZE)
        FigiMapping.objects.bulk_update(changed, [*MAPPING_FIELDS, "mapped_at"], batch_size=BATCH_SIZE)
        for pks in _chunks(stale):
            FigiMapping.objects.filter(pk__in=pks).delete()
        counts.inserted += len(new)
        counts.updated += len(changed)
        figi_lookups_record(results, pairs, now)
    return counts


def figi_lookups_record(results: list[FigiResult], pairs: set[tuple[str, str]], now) -> None:
    """Record, per (ISIN, MIC), that OpenFIGI was asked now and what it answered."""
    lookups = {(row.isin, row.mic): row for row in _existing(FigiLookup, pairs)}
    new, changed = [], []
    for result in results:
        values = {
            "status": result.status if result.status in (DATA, WARNING, ERROR) else ERROR,
            "message": result.message[:500],
            "figi_count": len(result.rows),
            "looked_up_at": now,
        }
        lookup = lookups.get((result.isin, result.mic))
        if lookup is None:
            lookup = FigiLookup(isin=result.isin, mic=result.mic, **values)
            lookups[(result.isin, result.mic)] = lookup
            new.append(lookup)
        else:
            for name, value in values.items():
                setattr(lookup, name, value)
            if lookup.pk:
                changed.append(lookup)
    FigiLookup.objects.bulk_create(new, batch_size=BATCH_SIZE)
    FigiLookup.objects.bulk_update(changed, ["status", "message", "figi_count", "looked_up_at"], batch_size=BATCH_SIZE)
