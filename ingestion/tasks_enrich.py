"""Celery tasks for enrichment: issuers and parents from GLEIF, FIGIs from OpenFIGI (short runs, on a schedule)."""

from celery import shared_task

from .pipelines.enrich import enrich_entities, enrich_figi
from .sources.http import SourceUnavailable
from .tasks import run_summary

# 429s and 5xx are retried inside the clients; a source still down afterwards is retried later by Celery.
SOURCE_RETRY = {
    "autoretry_for": (SourceUnavailable,),
    "retry_backoff": 300,
    "retry_backoff_max": 3600,
    "retry_jitter": True,
    "max_retries": 3,
}


@shared_task(soft_time_limit=3300, time_limit=3600, **SOURCE_RETRY)
def enrich_entities_task(isins: list[str] | None = None, limit: int | None = 1000) -> dict:
    """Fetch from GLEIF up to `limit` missing issuers with their parents and reporting exceptions."""
    return run_summary(enrich_entities(isins=isins, limit=limit))


@shared_task(soft_time_limit=3300, time_limit=3600, **SOURCE_RETRY)
def enrich_figi_task(isins: list[str] | None = None, limit: int | None = 10000) -> dict:
    """Map to FIGIs up to `limit` (ISIN, MIC) pairs of current listings that have none."""
    return run_summary(enrich_figi(isins=isins, limit=limit))
