"""Enrichment: what instruments lack, from GLEIF (issuers, their parents and exceptions) and OpenFIGI (FIGIs)."""

import logging
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.db.models import Exists, OuterRef
from django.utils import timezone

from entities.models import IsinLeiMapping, LegalEntity
from ingestion.choices import Source
from ingestion.loaders.openfigi import figi_results_store
from ingestion.models import IngestionRun
from ingestion.services import LoadCounts, ingestion_run
from ingestion.sources.gleif import GleifClient, child_links, parent_links
from ingestion.sources.openfigi import WARNING, OpenFigiClient
from instruments.models import FigiLookup, FigiMapping, Instrument, Listing

logger = logging.getLogger(__name__)

Progress = Callable[[int, int], None]  # (done, total)


def _count(counts: LoadCounts, result) -> None:
    """Add what an upsert answered (LoadCounts, or a number of rows written) to the run's counts."""
    if isinstance(result, LoadCounts):
        counts.inserted += result.inserted
        counts.updated += result.updated
        counts.unchanged += result.unchanged
        counts.rejected += result.rejected
        counts.rejected_sample.extend(result.rejected_sample[: max(0, 50 - len(counts.rejected_sample))])
    elif isinstance(result, int):
        counts.inserted += result


def issuer_leis_missing(isins: list[str] | None = None, limit: int | None = None) -> list[str]:
    """LEIs without a LegalEntity that instruments (all, or `isins`) have as issuer in FIRDS or GLEIF's ISIN-LEI map."""
    unknown = ~Exists(LegalEntity.objects.filter(lei=OuterRef("issuer_id")))
    named = Instrument.objects.exclude(issuer_id__isnull=True).exclude(issuer_id="").filter(unknown)
    mapped = IsinLeiMapping.objects.filter(
        Exists(Instrument.objects.filter(isin=OuterRef("isin"))),
        ~Exists(LegalEntity.objects.filter(lei=OuterRef("lei"))),
    )
    if isins:
        named, mapped = named.filter(isin__in=isins), mapped.filter(isin__in=isins)
    leis = (
        named.order_by()
        .values_list("issuer_id", flat=True)
        .union(mapped.order_by().values_list("lei", flat=True))
        .order_by("issuer_id")
    )
    return list(leis[:limit] if limit else leis)


def enrich_entities(
    isins: list[str] | None = None,
    limit: int | None = None,
    progress: Progress | None = None,
    client=None,
    leis: list[str] | None = None,
) -> IngestionRun:
    """Fetch from GLEIF the issuers instruments name (in FIRDS or GLEIF's ISIN-LEI mapping) but LegalEntity lacks,
    their parents, children and exceptions.

    Children are stored as relationships (every page of the direct and ultimate child relationships); the
    children's own LEI records are not fetched. `leis` (entities a curator selected) are fetched again whether
    stored or not, instead of the missing issuers.
    """
    from entities.services import (
        entity_relationship_upsert_batch,
        legal_entity_upsert_batch,
        reporting_exception_upsert_batch,
    )
    from ingestion.loaders.gleif import gleif_values

    leis = sorted(set(leis)) if leis else issuer_leis_missing(isins, limit)
    own_client = client is None
    client = client or GleifClient()
    try:
        with ingestion_run(Source.GLEIF, "api:enrich_entities", file_type="api") as (run, counts):
            if progress:
                progress(0, len(leis))
            for start in range(0, len(leis), client.page_size):
                chunk = leis[start : start + client.page_size]
                records = list(client.lei_records(chunk))
                counts.read += len(records)
                found = {record.lei for record in records}
                for lei in chunk:
                    if lei not in found:
                        counts.reject(lei, "GLEIF does not know this LEI")
                relationships, exceptions = [], []
                for record in records:
                    for level, kind in parent_links(record).items():
                        if kind == "relationship":
                            relationship = client.parent_relationship(record.lei, level)
                            if relationship:
                                relationships.append(relationship)
                        elif kind == "exception":
                            exception = client.reporting_exception(record.lei, level)
                            if exception:
                                exceptions.append(exception)
                parents = {rel.parent_lei for rel in relationships} - found
                for record in records:
                    for level in child_links(record):
                        relationships.extend(client.child_relationships(record.lei, level))
                known = set(LegalEntity.objects.filter(lei__in=parents).values_list("lei", flat=True))
                parent_records = list(client.lei_records(sorted(parents - known))) if parents - known else []
                counts.read += len(parent_records) + len(relationships) + len(exceptions)
                _count(counts, legal_entity_upsert_batch([gleif_values(r) for r in records + parent_records]))
                _count(counts, entity_relationship_upsert_batch([gleif_values(r) for r in relationships]))
                _count(counts, reporting_exception_upsert_batch([gleif_values(r) for r in exceptions]))
                if progress:
                    progress(start + len(chunk), len(leis))
            return run
    finally:
        if own_client:
            client.close()


def figi_pairs_missing_query(isins: list[str] | None = None):
    """(ISIN, MIC) pairs of current listings with no FIGI and no recent lookup (a no-match is retried later)."""
    cutoff = timezone.now() - timedelta(days=settings.OPENFIGI_NO_MATCH_RETRY_DAYS)
    listings = Listing.objects.filter(is_current=True).exclude(venue_id="")
    if isins:
        listings = listings.filter(instrument_id__in=isins)
    return (
        listings.filter(
            ~Exists(FigiMapping.objects.filter(isin=OuterRef("instrument_id"), mic=OuterRef("venue_id"))),
            ~Exists(
                FigiLookup.objects.filter(
                    isin=OuterRef("instrument_id"), mic=OuterRef("venue_id"), looked_up_at__gte=cutoff
                )
            ),
        )
        .order_by("instrument_id", "venue_id")
        .values_list("instrument_id", "venue_id")
        .distinct()
    )


def figi_pairs_missing(isins: list[str] | None = None, limit: int | None = None) -> list[tuple[str, str]]:
    """The first `limit` (or all) pairs figi_pairs_missing_query() finds."""
    pairs = figi_pairs_missing_query(isins)
    return list(pairs[:limit] if limit else pairs)


def enrich_figi(
    isins: list[str] | None = None, limit: int | None = None, progress: Progress | None = None, client=None
) -> IngestionRun:
    """Map to FIGIs the (ISIN, MIC) pairs of current listings that have none, storing FIGIs and lookups.

    Pairs are taken a batch at a time from the database: every pair stored gets a lookup, which takes
    it out of the next batch, so memory stays flat however many listings lack a FIGI.
    """
    own_client = client is None
    client = client or OpenFigiClient()
    batch_size = max(1, int(settings.ENRICH_FIGI_BATCH))
    try:
        with ingestion_run(Source.OPENFIGI, "api:enrich_figi", file_type="api") as (run, counts):
            total = figi_pairs_missing_query(isins).count()
            total = min(total, limit) if limit else total
            done, no_match, previous = 0, 0, None
            if progress:
                progress(0, total)
            while done < total:
                batch = list(figi_pairs_missing_query(isins)[: min(batch_size, total - done)])
                if not batch:
                    break
                if batch == previous:
                    raise RuntimeError(f"OpenFIGI results for {batch[0]} ... were not recorded; stopping")
                previous = batch
                results = list(client.map_pairs(batch))
                no_match += sum(1 for result in results if result.status == WARNING)
                figi_results_store(results, counts)
                done += len(batch)
                if progress:
                    progress(done, total)
            if no_match:
                logger.info(
                    "OpenFIGI found no FIGI for %d pairs; they are asked again after %d days",
                    no_match,
                    settings.OPENFIGI_NO_MATCH_RETRY_DAYS,
                )
            run.no_match = no_match  # for the command's summary (not a column)
            return run
    finally:
        if own_client:
            client.close()
