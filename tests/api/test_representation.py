"""The fast paths of the detail endpoint give what DRF gives: row representers vs to_representation, orjson vs json."""

import datetime
import decimal
import uuid

import pytest
from django.utils import timezone
from django.utils.translation import gettext_lazy
from rest_framework.renderers import JSONRenderer

from entities.api.serializers import LegalEntityBriefSerializer
from instruments.api.serializers import (
    DebtSerializer,
    DerivativeSerializer,
    FigiMappingSerializer,
    InstrumentSerializer,
    ListingSerializer,
    TransparencySerializer,
)
from instruments.selectors import instrument_detail, instrument_history
from marketdata.api.renderers import OrjsonRenderer
from marketdata.api.representation import row_representer
from tests.factories import (
    FigiMappingFactory,
    InstrumentFactory,
    LegalEntityFactory,
    ListingFactory,
    TransparencyFactory,
    VenueFactory,
)

STORED_TEXT = 'Zürich € \u2028 line\u2029 "quoted" \\ tab\t \x1f \x7f 😀'  # PostgreSQL stores no NUL
TRICKY_TEXT = STORED_TEXT + " nul\x00"


@pytest.fixture
def full_record(db) -> dict:
    """A derivative with debt terms, an issuer, listings with and without dates, FIGIs and transparency."""
    issuer = LegalEntityFactory()
    isin = InstrumentFactory(
        cfi_code="DBFTFB",
        full_name=STORED_TEXT,
        issuer_id=issuer.lei,
        maturity_date="2031-02-15",
        fixed_rate="2.5",
        total_issued_nominal="1000000000",
        debt_seniority="SNDB",
        expiry_date="2030-12-31",
        option_type="CALL",
        strike_price="101.25",
        underlying_isins=["DE0005140008", "FR0000120271"],
        attributes={"DerivInstrmAttrbts": {"AsstClssSpcfcAttrbts": {"Cmmdty": {"Pdct": "AGRI"}}}, "Nm": STORED_TEXT},
    ).isin
    VenueFactory(mic="XETR", market_name="Xetra")
    ListingFactory(instrument_id=isin, venue_id="XETR", admission_approval_date=timezone.now())
    ListingFactory(instrument_id=isin, venue_id="ZZZZ", first_trade_date=None, issuer_requested=True)
    ListingFactory(instrument_id=isin, venue_id="XPAR", is_current=False, valid_to=datetime.date(2024, 6, 30))
    FigiMappingFactory(isin=isin)
    TransparencyFactory(identifier=isin, pre_trade_lis_threshold="15000", statistics={"adt": "12.5"})
    return instrument_detail(isin)


@pytest.mark.parametrize("zone", ["UTC", "Europe/Paris"])
def test_row_representers_give_what_the_serializers_give(full_record, zone):
    with timezone.override(zone):
        assert row_representer(InstrumentSerializer())(full_record) == InstrumentSerializer().to_representation(
            full_record
        )
        for serializer_class in (DebtSerializer, DerivativeSerializer):
            assert row_representer(serializer_class())(full_record) == serializer_class().to_representation(full_record)
        parts = [
            (LegalEntityBriefSerializer, [full_record["issuer"]]),
            (ListingSerializer, full_record["listing_versions"] + instrument_history(full_record["isin"])),
            (FigiMappingSerializer, full_record["figi_mappings"]),
            (TransparencySerializer, full_record["transparency_records"]),
        ]
        for serializer_class, rows in parts:
            assert rows, serializer_class
            many = serializer_class(many=True)
            assert row_representer(many)(rows) == many.to_representation(rows), serializer_class


def test_orjson_renderer_writes_the_bytes_json_renderer_writes(full_record):
    payloads = [
        {
            "record": InstrumentSerializer().to_representation(full_record),
            "text": TRICKY_TEXT,
            "numbers": [0, -1, 2**63 - 1, 0.1, 1234.5, True, False, None],
            "empty": [{}, [], ""],
        },
        [  # encoded by DRF's encoder
            datetime.datetime(2025, 1, 2, 3, 4, 5, 678901, tzinfo=datetime.UTC),
            datetime.date(2025, 1, 2),
            datetime.time(3, 4, 5),
            decimal.Decimal("1.50"),
            uuid.UUID("12345678-1234-5678-1234-567812345678"),
            gettext_lazy("Not found."),
            b"bytes",
        ],
        [2**70, TRICKY_TEXT],  # beyond 64 bits: left to json
        {1: TRICKY_TEXT},  # a key that is not a string: left to json
    ]
    for data in payloads:
        for accepted in ("application/json", "application/json; indent=4"):
            assert OrjsonRenderer().render(data, accepted) == JSONRenderer().render(data, accepted), (data, accepted)
    assert OrjsonRenderer().render(None) == JSONRenderer().render(None)
