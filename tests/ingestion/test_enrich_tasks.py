"""Enrichment Celery tasks (eager): they call the pipelines, return a summary, and retry a source that stays down."""

import datetime as dt

import pytest
from celery.exceptions import Retry
from django.conf import settings as django_settings

from ingestion.models import IngestionRun
from ingestion.sources.http import SourceUnavailable
from ingestion.tasks_enrich import enrich_entities_task, enrich_figi_task
from instruments.models import FigiMapping, Instrument, Listing
from tests.fakes.gleif import FakeGleif
from tests.fakes.openfigi import FakeOpenFigi
from tests.fakes.ratelimited import Fault

pytestmark = pytest.mark.django_db
ISIN = "NL0000009165"  # Heineken


@pytest.fixture
def fakes(settings):
    with FakeGleif(limit=1000, window=1.0) as gleif, FakeOpenFigi(window_without_key=1.0) as figi:
        settings.GLEIF_API_URL = gleif.api_url
        settings.GLEIF_RATE_LIMIT = 1000
        settings.GLEIF_RATE_WINDOW_SECONDS = 1.0
        settings.OPENFIGI_API_URL = figi.api_url
        settings.OPENFIGI_API_KEY = ""
        settings.RATE_LIMIT_REDIS_URL = ""
        settings.HTTP_RETRY_BACKOFF_SECONDS = 0.01
        settings.HTTP_MAX_RETRIES = 1
        item = Instrument.objects.create(isin=ISIN, issuer_id="21380068P1DRHMJ8KU70")
        Listing.objects.create(instrument=item, venue_id="XAMS", valid_from=dt.date(2025, 1, 1))
        yield gleif, figi


def test_tasks_return_run_summaries(fakes):
    entities = enrich_entities_task.delay().get()
    figi = enrich_figi_task.delay(isins=[ISIN]).get()
    assert (entities["status"], entities["inserted"]) == ("succeeded", 3 + 106 + 153)  # Shell, 2 exceptions, children
    assert (figi["status"], figi["inserted"]) == ("succeeded", 1)
    assert FigiMapping.objects.filter(isin=ISIN, mic="XAMS").count() == 1


def test_task_retries_a_source_that_stays_down(fakes):
    _, figi = fakes
    assert django_settings.CELERY_TASK_ALWAYS_EAGER
    figi.fail_next(Fault("status", 503), times=100)
    with pytest.raises(Retry) as retry:  # eager mode raises what a worker would schedule
        enrich_figi_task.delay().get()
    assert isinstance(retry.value.exc, SourceUnavailable)
    assert "OpenFIGI is unavailable" in str(retry.value.exc)
    assert len(figi.log) == 2  # the client's own first try and HTTP_MAX_RETRIES = 1 retry, then Celery's turn
    assert IngestionRun.objects.get(source="openfigi").status == "failed"
