"""Enrichment against the fake GLEIF and OpenFIGI: issuers, parents, exceptions, FIGIs, lookups, the command."""

import datetime as dt
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from entities.models import EntityRelationship, IsinLeiMapping, LegalEntity, ReportingException
from ingestion.models import IngestionRun
from ingestion.pipelines.enrich import enrich_entities, enrich_figi, figi_pairs_missing, issuer_leis_missing
from instruments.models import FigiLookup, FigiMapping, Instrument, Listing
from marketdata.identifiers import isin_check_digit
from tests.fakes.gleif import FakeGleif
from tests.fakes.openfigi import FakeOpenFigi
from tests.fakes.ratelimited import Fault

pytestmark = pytest.mark.django_db

SHELL = "21380068P1DRHMJ8KU70"
BLOOMBERG_CHILD = "5493001KJTIIGC8Y1R12"
BLOOMBERG_LP = "549300B56MD0ZC402L06"
BLOOMBERG_INC = "549300RMUDWPHCUQNE66"
NATURAL_PERSONS = "335800CCCPHKUOXPC332"
FRAPORT = "5299001ERX0K10IZUL40"
UNKNOWN = "5299000J2N45DDNE4Y28"


def make_isin(number: int) -> str:
    body = f"NL{number:09d}"
    return body + str(isin_check_digit(body))


def instrument(isin: str, issuer: str = "", mics=("XAMS",)) -> Instrument:
    """An instrument with current listings at `mics`, as a FIRDS load would leave it."""
    item = Instrument.objects.create(isin=isin, full_name=f"Test {isin}", issuer_id=issuer or None)
    for mic in mics:
        Listing.objects.create(instrument=item, venue_id=mic, valid_from=dt.date(2025, 1, 1), issuer_lei=issuer)
    return item


@pytest.fixture
def fakes(settings):
    """Fake GLEIF and OpenFIGI with generous quotas, and settings pointing the clients at them."""
    with FakeGleif(limit=1000, window=1.0) as gleif, FakeOpenFigi(window_without_key=1.0) as figi:
        settings.GLEIF_API_URL = gleif.api_url
        settings.GLEIF_RATE_LIMIT = 1000
        settings.GLEIF_RATE_WINDOW_SECONDS = 1.0
        settings.OPENFIGI_API_URL = figi.api_url
        settings.OPENFIGI_API_KEY = ""
        settings.OPENFIGI_RATE_WINDOW_SECONDS = 1.0
        settings.RATE_LIMIT_REDIS_URL = ""
        settings.HTTP_TIMEOUT_SECONDS = 1.0
        settings.HTTP_RETRY_BACKOFF_SECONDS = 0.01
        settings.HTTP_MAX_RETRIES = 2
        yield gleif, figi


def test_enrich_entities_stores_issuers_parents_and_exceptions(fakes):
    gleif, _ = fakes
    instrument(make_isin(1), SHELL)
    instrument(make_isin(2), BLOOMBERG_CHILD)
    instrument(make_isin(3), NATURAL_PERSONS)
    instrument(make_isin(4), UNKNOWN)
    LegalEntity.objects.create(lei=BLOOMBERG_INC, legal_name="Bloomberg Inc. (stored before)")

    run = enrich_entities()

    assert run.status == "succeeded" and run.source == "gleif"
    assert set(LegalEntity.objects.values_list("lei", flat=True)) == {
        SHELL,
        BLOOMBERG_CHILD,
        BLOOMBERG_LP,
        BLOOMBERG_INC,
        NATURAL_PERSONS,
    }
    relationships = set(
        EntityRelationship.objects.exclude(parent_id=SHELL).values_list("child_id", "parent_id", "relationship_type")
    )
    assert relationships == {
        (BLOOMBERG_CHILD, BLOOMBERG_LP, "IS_DIRECTLY_CONSOLIDATED_BY"),
        (BLOOMBERG_CHILD, BLOOMBERG_INC, "IS_ULTIMATELY_CONSOLIDATED_BY"),
    }
    exceptions = {(e.entity_id, e.category): e.reason for e in ReportingException.objects.all()}
    assert exceptions == {
        (SHELL, "DIRECT_ACCOUNTING_CONSOLIDATION_PARENT"): "NO_KNOWN_PERSON",
        (SHELL, "ULTIMATE_ACCOUNTING_CONSOLIDATION_PARENT"): "NO_KNOWN_PERSON",
        (NATURAL_PERSONS, "DIRECT_ACCOUNTING_CONSOLIDATION_PARENT"): "NATURAL_PERSONS",
        (NATURAL_PERSONS, "ULTIMATE_ACCOUNTING_CONSOLIDATION_PARENT"): "NATURAL_PERSONS",
    }
    assert run.records_rejected == 1 and UNKNOWN in run.rejected_sample[0]["record"]
    # One request for the four issuers, one per parent relationship or exception, one for Bloomberg L.P.,
    # one per level of Shell's child relationships (106 and 153 fit one page of 200).
    assert len(gleif.log) == 1 + 6 + 1 + 2

    requests_before = len(gleif.log)
    again = enrich_entities()
    assert again.records_rejected == 1  # only the LEI GLEIF does not know is asked again
    assert len(gleif.log) == requests_before + 1


def test_enrich_entities_for_some_isins_and_a_limit(fakes):
    instrument(make_isin(1), SHELL)
    instrument(make_isin(2), BLOOMBERG_CHILD)
    enrich_entities(isins=[make_isin(2)], limit=1)
    assert LegalEntity.objects.filter(lei=SHELL).count() == 0
    assert LegalEntity.objects.filter(lei=BLOOMBERG_CHILD).count() == 1


def test_enrich_entities_failure_keeps_what_was_stored_and_records_the_run(fakes):
    gleif, _ = fakes
    instrument(make_isin(1), SHELL)
    gleif.fail_next(Fault("status", 503), times=10)
    with pytest.raises(Exception, match="GLEIF is unavailable"):
        enrich_entities()
    run = IngestionRun.objects.get(source="gleif")
    assert run.status == "failed" and "GLEIF is unavailable" in run.error


def test_issuers_only_gleifs_isin_lei_mapping_names_are_missing_too(fakes):
    instrument(make_isin(5), SHELL)
    instrument(make_isin(6))  # FIRDS names no issuer
    instrument(make_isin(7), BLOOMBERG_CHILD)
    IsinLeiMapping.objects.create(isin=make_isin(6), lei=FRAPORT)
    IsinLeiMapping.objects.create(isin=make_isin(5), lei=SHELL)  # the same LEI from both: asked once
    IsinLeiMapping.objects.create(isin=make_isin(8), lei=NATURAL_PERSONS)  # no such instrument loaded
    assert issuer_leis_missing() == sorted([SHELL, FRAPORT, BLOOMBERG_CHILD])
    assert issuer_leis_missing(isins=[make_isin(6), make_isin(8)]) == [FRAPORT]
    assert issuer_leis_missing(limit=2) == sorted([SHELL, FRAPORT, BLOOMBERG_CHILD])[:2]

    out = StringIO()
    call_command("enrich", "--entities", "--isin", make_isin(6), stdout=out)
    assert "entities: succeeded" in out.getvalue()
    assert LegalEntity.objects.get(lei=FRAPORT).legal_name == "Fraport AG Frankfurt Airport Services Worldwide"
    assert not LegalEntity.objects.filter(lei__in=[SHELL, BLOOMBERG_CHILD]).exists()
    assert issuer_leis_missing() == sorted([SHELL, BLOOMBERG_CHILD])  # stored: not asked again


def test_enrich_figi_maps_pairs_and_remembers_misses_and_errors(fakes, settings):
    _, figi = fakes
    mapped, missing = make_isin(10), make_isin(11)
    invalid = make_isin(12)[:-1] + str((int(make_isin(12)[-1]) + 1) % 10)
    instrument(mapped, mics=("XAMS", "XETR"))
    instrument(missing)
    instrument(invalid)
    figi.no_match.add(missing)

    run = enrich_figi()

    assert run.status == "succeeded" and run.source == "openfigi"
    assert set(FigiMapping.objects.values_list("isin", "mic")) == {(mapped, "XAMS"), (mapped, "XETR")}
    lookups = {(lookup.isin, lookup.mic): (lookup.status, lookup.message) for lookup in FigiLookup.objects.all()}
    assert lookups == {
        (mapped, "XAMS"): ("data", ""),
        (mapped, "XETR"): ("data", ""),
        (missing, "XAMS"): ("warning", "No identifier found."),
        (invalid, "XAMS"): ("error", "Invalid idValue format."),
    }
    assert run.records_rejected == 1 and "Invalid idValue format." in run.rejected_sample[0]["reason"]
    assert run.no_match == 1

    # Nothing is asked again until the no-match interval has passed.
    requests = len(figi.log)
    assert figi_pairs_missing() == []
    enrich_figi()
    assert len(figi.log) == requests
    FigiLookup.objects.filter(isin=missing).update(
        looked_up_at=timezone.now() - timedelta(days=settings.OPENFIGI_NO_MATCH_RETRY_DAYS + 1)
    )
    assert figi_pairs_missing() == [(missing, "XAMS")]


def test_figi_mapping_replaced_when_openfigi_changes_its_answer(fakes):
    _, figi = fakes
    isin = make_isin(20)
    instrument(isin)
    enrich_figi()
    first = FigiMapping.objects.get(isin=isin)
    FigiLookup.objects.all().delete()
    FigiMapping.objects.update(ticker="OLD")
    figi.template = {**figi.template, "securityType2": "Depositary Receipt"}
    enrich_figi(isins=[isin])  # the pair has a FIGI: nothing to do
    assert FigiMapping.objects.get(isin=isin).ticker == "OLD"
    FigiMapping.objects.all().delete()
    FigiMapping.objects.create(isin=isin, mic="XAMS", figi="BBG000STALE1", mapped_at=timezone.now())
    from ingestion.loaders.openfigi import figi_results_store
    from ingestion.sources.openfigi import OpenFigiClient

    with OpenFigiClient() as client:
        counts = figi_results_store(client.map_pairs([(isin, "XAMS")]))
    assert list(FigiMapping.objects.values_list("figi", "security_type2")) == [(first.figi, "Depositary Receipt")]
    assert counts.inserted == 1


def test_enrich_command(fakes):
    instrument(make_isin(30), SHELL, mics=("XAMS", "XETR"))
    out = StringIO()
    call_command("enrich", "--entities", "--figi", "--isin", make_isin(30), stdout=out)
    text = out.getvalue()
    # Shell, its two reporting exceptions, its 106 direct and 153 ultimate child relationships
    assert "entities: succeeded, read 262, inserted 262" in text
    assert "figi: succeeded, read 2, inserted 2" in text
    assert "no match 0" in text
    assert LegalEntity.objects.filter(lei=SHELL).exists()
    assert FigiMapping.objects.filter(isin=make_isin(30)).count() == 2


def test_enrich_command_reports_a_source_that_stays_down(fakes):
    _, figi = fakes
    instrument(make_isin(31))
    figi.fail_next(Fault("status", 500), times=10)
    out = StringIO()
    with pytest.raises(CommandError, match="OpenFIGI is unavailable"):
        call_command("enrich", "--figi", stdout=out)
    assert FigiLookup.objects.count() == 0


def test_map_figi_is_enrich_figi(fakes):
    instrument(make_isin(40), SHELL)
    out = StringIO()
    call_command("map_figi", "--limit", "1", stdout=out)
    assert "figi: succeeded, read 1, inserted 1" in out.getvalue()
    assert "entities:" not in out.getvalue()
    assert not LegalEntity.objects.exists()


def test_enrich_figi_in_batches(fakes, settings):
    _, figi = fakes
    settings.ENRICH_FIGI_BATCH = 7
    for number in range(50, 55):
        instrument(make_isin(number), mics=("XAMS", "XETR", "XFRA"))
    progress = []
    run = enrich_figi(limit=14, progress=lambda done, total: progress.append((done, total)))
    assert progress == [(0, 14), (7, 14), (14, 14)]
    assert run.records_read == 14 and FigiLookup.objects.count() == 14
    assert [entry.status for entry in figi.log] == [200, 200]  # 7 jobs per request: one request per batch
    run = enrich_figi()
    assert run.records_read == 1 and FigiMapping.objects.count() == 15
