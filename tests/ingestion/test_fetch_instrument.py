"""fetch_instrument: ISINs from ESMA's instrument register (a recorded answer), stored by the FIRDS loader, enriched."""

import datetime as dt
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from ingestion.models import IngestionRun
from ingestion.parsers.firds.registry import RegisterDocError, register_record
from instruments.models import FigiMapping, Instrument, Listing
from tests.fakes.esma import INSTRUMENTS_CORE, FakeEsmaServer
from tests.fakes.gleif import FakeGleif
from tests.fakes.openfigi import FakeOpenFigi

pytestmark = pytest.mark.django_db
GAS_FUTURE, OTHER_FUTURE = "NLICE0016689", "NLICE0018222"
ICE_ENDEX = "549300CZW488L20NT866"


@pytest.fixture
def register(settings, storage):
    """The fake register serving the recorded answer (41 ICE Endex futures), 10 docs a page."""
    with FakeEsmaServer() as fake:
        fake.load_instruments()
        settings.ESMA_FIRDS_INSTRUMENTS_URL = fake.instruments_url
        settings.HTTP_TIMEOUT_SECONDS = 1.0
        settings.HTTP_MAX_RETRIES = 2
        settings.HTTP_RETRY_BACKOFF_SECONDS = 0.01
        yield fake


def fetch(*args) -> str:
    out = StringIO()
    call_command("fetch_instrument", *args, stdout=out)
    return out.getvalue()


def test_a_fetched_isin_is_stored_with_its_venue_record_and_terms(register, storage):
    output = fetch(GAS_FUTURE, OTHER_FUTURE, "--no-enrich")
    future = Instrument.objects.get(isin=GAS_FUTURE)
    assert (future.full_name, future.cfi_code, future.currency, future.issuer_id) == (
        "IGA-ICE Endex Italian PSV Natural Gas Future",
        "FCEPSX",
        "EUR",
        ICE_ENDEX,
    )
    listing = Listing.objects.get(instrument_id=GAS_FUTURE, venue_id="NDEX")
    assert listing.expiry_date == dt.date(2018, 12, 28) and listing.price_multiplier == 744
    assert listing.delivery_type == "PHYS" and listing.commodity_derivative is True
    assert listing.record["DerivInstrmAttrbts"]["AsstClssSpcfcAttrbts"]["Cmmdty"]["Pdct"]["BasePdct"] == "NRGY"
    assert listing.record["TechAttrbts"]["PblctnPrd"]["FrDtToDt"]["ToDt"] == "2018-12-29"
    assert (listing.valid_from, listing.valid_to) == (dt.date(2018, 10, 15), dt.date(2018, 12, 29))  # its PblctnPrd
    assert Instrument.objects.filter(isin=OTHER_FUTURE).exists()
    run = IngestionRun.objects.get()
    assert run.file_name.startswith("FULINS_20190602_01of01_register_") and run.records_inserted == 2
    assert (storage / "firds" / run.file_name).is_file()  # kept beside the downloads: --rebuild finds it
    assert f"{run.file_name}: succeeded" in output
    (query,) = register.paths(INSTRUMENTS_CORE)
    assert f"isin%3A%28{GAS_FUTURE}+OR+{OTHER_FUTURE}%29" in query

    again = fetch(GAS_FUTURE, OTHER_FUTURE, "--no-enrich")
    assert "skipped, not loaded again" in again and IngestionRun.objects.count() == 2


def test_isins_the_register_lacks_are_named_and_the_rest_kept(register):
    missing = "DE0005140008"
    with pytest.raises(CommandError, match=f"not in ESMA's instrument register: {missing}"):
        fetch(GAS_FUTURE, missing, "--no-enrich")
    assert list(Instrument.objects.values_list("isin", flat=True)) == [GAS_FUTURE]
    with pytest.raises(CommandError, match="not an ISIN: NLICE0016688"):
        fetch("NLICE0016688")
    assert len(register.paths(INSTRUMENTS_CORE)) == 1  # an invalid ISIN asks nothing


def test_fetch_pages_through_the_register_and_enriches(register, settings):
    register.max_rows = 3
    every = sorted({doc["isin"] for doc in register.docs[INSTRUMENTS_CORE]})
    with FakeGleif(limit=1000, window=1.0) as gleif, FakeOpenFigi(window_without_key=1.0) as figi:
        settings.GLEIF_API_URL, settings.OPENFIGI_API_URL = gleif.api_url, figi.api_url
        settings.GLEIF_RATE_WINDOW_SECONDS = settings.OPENFIGI_RATE_WINDOW_SECONDS = 1.0
        settings.OPENFIGI_API_KEY, settings.RATE_LIMIT_REDIS_URL = "", ""
        output = fetch(*every[:7])
    assert Instrument.objects.count() == 7 and len(register.paths(INSTRUMENTS_CORE)) == 3  # 3 + 3 + 1
    assert set(FigiMapping.objects.values_list("isin", flat=True)) == set(every[:7])
    assert "issuers: succeeded" in output and "FIGIs: succeeded" in output


def test_register_docs_without_the_essentials_are_refused():
    with pytest.raises(RegisterDocError, match="register record NLICE0016689: no mic"):
        register_record({"isin": "NLICE0016689", "gnr_full_name": "x", "gnr_cfi_code": "FCEPSX"})
    record = register_record(
        {
            "isin": "nlice0016689",
            "mic": "ndex",
            "gnr_full_name": "x",
            "gnr_cfi_code": "FCEPSX",
            "publication_date": "2019-06-02T00:00:00Z",
            "published_from_date": "2018-10-15T00:00:00Z",
            "gnr_comm_derivative_flag": "No",
        }
    )
    assert (record.isin, record.mic, record.publication_date) == ("NLICE0016689", "NDEX", "2019-06-02")
    assert record.tree["TechAttrbts"]["PblctnPrd"] == {"FrDt": "2018-10-15"}
    assert record.tree["FinInstrmGnlAttrbts"]["CmmdtyDerivInd"] == "false"
