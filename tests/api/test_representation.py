"""The fast paths of the detail endpoint give what DRF gives: row representers vs to_representation, orjson vs json."""

import datetime
import decimal
import uuid
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from django.utils.translation import gettext_lazy
from rest_framework import serializers
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
        source_mic="XETR",
    ).isin
    VenueFactory(mic="XETR", market_name="Xetra")
    ListingFactory(
        instrument_id=isin,
        venue_id="XETR",
        admission_approval_date=timezone.now(),
        cfi_code="DBFTFB",
        maturity_date="2031-02-15",
        strike_price="101.25",
        option_type="CALL",
        record={"DerivInstrmAttrbts": {"AsstClssSpcfcAttrbts": {"Cmmdty": {"Pdct": "AGRI"}}}, "Nm": STORED_TEXT},
    )
    ListingFactory(instrument_id=isin, venue_id="ZZZZ", first_trade_date=None, issuer_requested=True)
    ListingFactory(instrument_id=isin, venue_id="XPAR", is_current=False, valid_to=datetime.date(2024, 6, 30))
    FigiMappingFactory(isin=isin)
    TransparencyFactory(identifier=isin, pre_trade_lis_threshold="15000", record={"Sttstcs": {"AvrgDalyTrnvr": "12.5"}})
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


class Text(str):
    """A str subclass: CharField gives back a plain str of it."""


EDGE_VALUES = {  # per field kind, values DRF converts (or refuses the fast path for), beside None
    "text": [42, gettext_lazy("Not found."), Text("sub"), "", True],
    "flag": [1, 0, "yes", "false"],
    "decimal": [
        decimal.Decimal("1.5"),
        decimal.Decimal("1234567890.5"),  # more characters than places, but fewer places
        decimal.Decimal("0.00000000001"),
        decimal.Decimal("-0E-10"),
        decimal.Decimal("12345678901234567.0000000000"),
        decimal.Decimal("NaN"),
        decimal.Decimal("1E+3"),
        2.25,
        7,
        "3.10",
    ],
    "date": [datetime.date(2024, 2, 29), "2024-02-29", ""],
    "datetime": [
        datetime.datetime(2024, 3, 31, 0, 30, 0, 5, tzinfo=datetime.UTC),
        datetime.datetime(2024, 10, 27, 1, 30, tzinfo=ZoneInfo("Europe/Paris")),
        datetime.datetime(2024, 1, 1, 12, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=-5))),
        datetime.datetime(2024, 7, 1, 12, 0),  # naive: made aware in the current zone
        "2024-07-01T12:00:00Z",
        "",
    ],
}
ZONES = ["UTC", "Europe/Paris", "Asia/Kolkata", "Etc/UTC", datetime.UTC, None]


def field_kind(field) -> str | None:
    """The EDGE_VALUES key of a serializer field, None for a field these values do not fit."""
    for kind, field_class in [
        ("datetime", serializers.DateTimeField),
        ("date", serializers.DateField),
        ("decimal", serializers.DecimalField),
        ("flag", serializers.BooleanField),
        ("text", serializers.CharField),  # ChoiceField is no CharField: below
        ("text", serializers.ChoiceField),
    ]:
        if isinstance(field, field_class):
            return kind
    return None


def assert_same_output(serializer, data):
    """The row representer gives what DRF gives: equal values and, rendered, the same bytes (so the same key order);
    or the same error."""
    try:
        slow = serializer.to_representation(data)
    except Exception as error:  # a value DRF refuses, e.g. a decimal beyond the field's digits
        with pytest.raises(type(error)):
            row_representer(serializer)(data)
        return
    fast = row_representer(serializer)(data)
    assert fast == slow
    assert JSONRenderer().render(fast) == JSONRenderer().render(slow)


def edge_rows(serializer_class, row: dict):
    """The row with every field in turn None and then each edge value of its kind."""
    for field in serializer_class()._readable_fields:
        if field.source == "*" or field.source not in row:
            continue
        yield {**row, field.source: None}
        for value in EDGE_VALUES.get(field_kind(field), []):
            yield {**row, field.source: value}


@pytest.mark.parametrize("zone", ZONES, ids=str)
def test_row_representers_give_what_the_serializers_give_on_edge_values(full_record, zone):
    parts = [
        (InstrumentSerializer, full_record),
        (DebtSerializer, full_record),
        (DerivativeSerializer, full_record),
        (LegalEntityBriefSerializer, full_record["issuer"]),
        (ListingSerializer, full_record["listing_versions"][0]),
        (FigiMappingSerializer, full_record["figi_mappings"][0]),
        (TransparencySerializer, full_record["transparency_records"][0]),
    ]
    with timezone.override(zone):
        for serializer_class, row in parts:
            for edge_row in edge_rows(serializer_class, row):
                assert_same_output(serializer_class(), edge_row)
                assert_same_output(serializer_class(many=True), [row, edge_row])


def test_missing_nested_rows_give_what_the_serializer_gives(full_record):
    bare = {
        **full_record,
        "issuer": None,
        "listing_versions": [],
        "figi_mappings": [],
        "transparency_records": [],
        "cfi_code": "",
        "category": "E",
        "maturity_date": None,
        "total_issued_nominal": None,
        "expiry_date": None,
        "option_type": None,
        "attributes": None,
    }
    assert_same_output(InstrumentSerializer(), bare)
    assert row_representer(InstrumentSerializer())(bare)["issuer"] is None


def test_without_time_zones_datetimes_are_written_as_drf_writes_them(full_record, settings):
    settings.USE_TZ = False
    for serializer_class, row in [
        (InstrumentSerializer, full_record),
        (ListingSerializer, full_record["listing_versions"][0]),
    ]:
        for edge_row in edge_rows(serializer_class, row):
            if not any(isinstance(value, datetime.datetime) and value.tzinfo is None for value in edge_row.values()):
                assert_same_output(serializer_class(), edge_row)  # DRF refuses naive values without USE_TZ too


def test_keys_come_in_the_serializers_field_order(full_record):
    data = row_representer(InstrumentSerializer())(full_record)
    assert list(data) == list(InstrumentSerializer().fields)
    assert list(data["listings"][0]) == list(ListingSerializer().fields)
    assert list(data["derivative"]) == list(DerivativeSerializer().fields)


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


@pytest.mark.parametrize("path", ["/api/v1/instruments/{isin}/", "/api/v1/instruments/{isin}/history/"])
@pytest.mark.parametrize(
    ("query", "accept"),
    [
        ("", None),
        ("", "application/json"),
        ("", "*/*"),
        ("", "application/json; indent=2"),
        ("", "text/html"),
        ("?format=json", None),
        ("?format=api", None),
        ("?as_of=2024-01-01", None),
    ],
)
def test_responses_rendered_at_once_equal_drf_responses(full_record, path, query, accept, monkeypatch):
    from rest_framework.response import Response

    from instruments.api import views
    from tests.api.base import client_for, make_user

    client = client_for(make_user("analyst"))
    url = path.format(isin=full_record["isin"]) + query
    headers = {"HTTP_ACCEPT": accept} if accept else {}
    fast = client.get(url, **headers)
    monkeypatch.setattr(views, "rendered_response", lambda request, data: Response(data))
    drf = client.get(url, **headers)
    assert fast.status_code == drf.status_code == 200
    rendered_at_once = accept in (None, "application/json", "*/*") and "format=api" not in query
    assert (not isinstance(fast, Response)) is rendered_at_once
    if fast["Content-Type"].startswith("text/html"):  # the browsable API: a Response both times (CSRF tokens differ)
        assert fast["Content-Type"] == drf["Content-Type"]
        return
    assert fast.content == drf.content
    assert sorted(fast.items()) == sorted(drf.items())


def test_serializer_without_fields_kept_as_stored_is_planned(full_record):
    class DatesOnly(serializers.Serializer):
        maturity_date = serializers.DateField()
        updated_at = serializers.DateTimeField()

    assert row_representer(DatesOnly())(full_record) == DatesOnly().to_representation(full_record)
