"""The detail selector's fast path: the driver's cursor and composed converters give what the ORM gives."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from instruments.models import Instrument, Listing
from instruments.selectors import instrument_detail
from marketdata import prepared_queries
from tests.factories import FigiMappingFactory, InstrumentFactory, ListingFactory, TransparencyFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def isin() -> str:
    """An instrument with every kind of detail row: listings, a FIGI and a transparency record."""
    isin = InstrumentFactory(
        fixed_rate="2.5", maturity_date="2031-02-15", underlying_isins=["DE0005140008"], source_mic="XETR"
    ).isin
    ListingFactory(instrument_id=isin, venue_id="XETR", record={"TradgVnRltdAttrbts": {"Id": "XETR"}}, fixed_rate="2.5")
    ListingFactory(instrument_id=isin, venue_id="XPAR", first_trade_date=None)
    FigiMappingFactory(isin=isin)
    TransparencyFactory(identifier=isin, record={"Sttstcs": {"AvrgDalyTrnvr": "12.5"}})
    return isin


def test_driver_cursor_and_logged_cursor_give_the_same_rows(isin):
    unlogged = instrument_detail(isin)
    with CaptureQueriesContext(connection) as queries:
        logged = instrument_detail(isin)
    assert len(queries) == 4  # instrument, listings, FIGIs, transparency: each seen by query logging
    assert logged == unlogged
    assert [listing["venue_id"] for listing in unlogged["listing_versions"]] == ["XETR", "XPAR"]
    assert unlogged["figi_mappings"] and unlogged["transparency_records"]


def test_every_composed_converter_maps_null_to_none(isin):
    instrument_detail(isin)  # prepares the four queries
    prepared = [query for (name, alias), query in prepared_queries._PREPARED.items() if alias == connection.alias]
    converters = [convert for query in prepared for _, convert in query.converters]
    assert len(converters) >= 3  # at least the JSON columns; on SQLite dates, decimals and booleans too
    for convert in converters:
        assert convert(None) is None  # so skipping NULLs changes nothing


@pytest.mark.parametrize("use_tz", [True, False])
def test_converted_values_match_the_orm(isin, settings, use_tz):
    settings.USE_TZ = use_tz  # date-times come back aware, or naive, as the ORM gives them
    detail = instrument_detail(isin)
    listings = Listing.objects.filter(instrument_id=isin, is_current=True).order_by("venue_id")
    assert [row["first_trade_date"] for row in detail["listing_versions"]] == [
        listing.first_trade_date for listing in listings
    ]
    assert (detail["listing_versions"][0]["first_trade_date"].tzinfo is not None) is use_tz
    instrument = Instrument.objects.get(isin=isin)
    for column in ("maturity_date", "fixed_rate", "underlying_isins", "updated_at"):
        assert detail[column] == getattr(instrument, column), column
        assert type(detail[column]) is type(getattr(instrument, column)), column
    source = listings.get(venue_id="XETR")
    assert detail["attributes"] == source.record
    read = detail["listing_versions"][0]
    for column in ("fixed_rate", "record", "valid_from", "first_trade_date"):
        assert read[column] == getattr(source, column) and type(read[column]) is type(getattr(source, column)), column


@pytest.mark.parametrize(
    "tree",
    [
        {"big": 2**70, "negative": -(2**65)},  # beyond 64-bit integers
        {"text": "Zürich € 😀", "nested": [{"a": [1, 2.5, None, True]}]},
        {"float": 1e-7, "exponent": 1.5e300},
    ],
)
def test_json_columns_read_as_the_orm_reads_them(tree):
    isin = InstrumentFactory(source_mic="XETR").isin
    ListingFactory(instrument_id=isin, venue_id="XETR", record=tree)
    read, stored = instrument_detail(isin)["attributes"], Instrument.objects.get(isin=isin).source_listing().record
    assert read == stored  # (PostgreSQL's jsonb may write numbers back differently from `tree`)
    assert [type(value) for value in read.values()] == [type(value) for value in stored.values()]
