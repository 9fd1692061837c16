"""FITRS transparency in the API: transparency/ and transparency/subclasses/ lists, instruments/{isin}/transparency/
(current, as_of, history) and the instrument detail's transparency block, on loaded files."""

import datetime
import itertools
from pathlib import Path

import pytest

from ingestion.parsers.fitrs import NON_EQUITY
from ingestion.parsers.fitrs.writer import fitrs_file_write
from ingestion.pipelines.fitrs import fitrs_load_file, fitrs_load_paths
from instruments.models import Transparency
from tests.factories import InstrumentFactory, ListingFactory, TransparencyFactory, make_isin
from tests.ingestion.test_fitrs_load import bond

from .base import EndpointTests, ListEndpointTests

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "fitrs"
BRIEF = [
    "id",
    "identifier",
    "is_subclass",
    "is_equity",
    "file_type",
    "classification",
    "methodology",
    "period_from",
    "period_to",
    "liquid",
    "most_relevant_market",
    "standard_market_size",
    "average_daily_turnover",
    "average_daily_transactions",
    "pre_trade_lis_threshold",
    "post_trade_lis_threshold",
    "pre_trade_ssti_threshold",
    "post_trade_ssti_threshold",
    "threshold_currency",
    "asset_class",
    "subclass_description",
    "criteria",
    "valid_from",
    "valid_to",
    "source_file",
]
ISIN = "XS2749349564"
SUBCLASS_NUMBERS = itertools.count(1)


def bulk_transparency(count: int, **fields) -> list[str]:
    """`count` open calculations of distinct ISINs in one INSERT; their identifiers."""
    rows = TransparencyFactory.build_batch(count, **fields)
    Transparency.objects.bulk_create(rows)
    return [row.identifier for row in rows]


def load(tmp_path: Path, name: str, trees: list[dict]):
    path = tmp_path / name
    day = name.split("_")[1]
    fitrs_file_write(path, NON_EQUITY, trees, reporting_date=f"{day[:4]}-{day[4:6]}-{day[6:]}")
    run = fitrs_load_file(path)
    assert run.status == "succeeded", run.error
    return run


class TestTransparencyList(ListEndpointTests):
    list_url = "/api/v1/transparency/"
    key_field = "identifier"
    brief_fields = BRIEF

    def create_rows(self, count):
        return bulk_transparency(count)

    def filter_cases(self):
        shares = TransparencyFactory(classification="SHRS", methodology="SINT", most_relevant_market="XETR")
        bond_row = TransparencyFactory(
            classification="BOND", liquid=False, period_from="2025-04-01", period_to="2025-06-30", file_type="FULNCR"
        )
        closed = TransparencyFactory(classification="BOND", valid_to="2025-09-05")
        TransparencyFactory(is_subclass=True, identifier="COMM-0123456789abcdef01234567")  # never in this list
        return [
            ({"isin": shares.identifier.lower()}, {shares.identifier}),
            ({"classification": "bond"}, {bond_row.identifier}),
            ({"classification": "bond", "history": "true"}, {bond_row.identifier, closed.identifier}),
            ({"liquid": "false"}, {bond_row.identifier}),
            ({"liquid": "true", "history": "false"}, {shares.identifier}),
            ({"methodology": "SINT"}, {shares.identifier}),
            ({"mic": "xetr"}, {shares.identifier}),
            ({"file_type": "FULNCR"}, {bond_row.identifier}),
            ({"period": "2025-05-15"}, {bond_row.identifier}),
            ({"period": "2025-07-01"}, set()),
            ({"as_of": "2025-09-05", "classification": "BOND"}, {bond_row.identifier, closed.identifier}),
            ({"as_of": "2025-09-06", "classification": "BOND"}, {bond_row.identifier}),
        ]

    def test_bad_filter_values_are_400(self):
        for params in ({"period": "2025-13-01"}, {"as_of": "20250906"}, {"period": ""}, {"liquid": "null"}):
            assert self.get(self.list_url, **params).status_code == 400, params


class TestTransparencySubclassList(ListEndpointTests):
    list_url = "/api/v1/transparency/subclasses/"
    key_field = "identifier"
    brief_fields = BRIEF

    def create_rows(self, count):
        rows = TransparencyFactory.build_batch(count, is_subclass=True, asset_class="INTR")
        for row in rows:
            row.identifier = f"INTR-{next(SUBCLASS_NUMBERS):024d}"
        Transparency.objects.bulk_create(rows)
        return [row.identifier for row in rows]

    def filter_cases(self):
        wheat = TransparencyFactory(
            is_subclass=True, identifier="COMM-1", asset_class="COMM", subclass_description="Agricultural futures"
        )
        rates = TransparencyFactory(
            is_subclass=True, identifier="INTR-1", asset_class="INTR", subclass_description="Swaps"
        )
        TransparencyFactory()  # an ISIN calculation: never in this list
        return [
            ({"asset_class": "comm"}, {wheat.identifier}),
            ({"q": "agricul"}, {wheat.identifier}),
            ({"q": "swap", "asset_class": "INTR"}, {rates.identifier}),
        ]

    def test_a_loaded_subclass_is_served_with_its_criteria(self):
        fitrs_load_paths([FIXTURES / "FULNCR_20260404_O_1of1_subclasses.xml"])
        (row,) = self.get(self.list_url).json()["results"]
        assert row["identifier"].startswith("COMM-") and row["is_subclass"] is True
        assert row["criteria"] == [{"name": "SACL", "value": "COF01"}, {"name": "UINS", "value": "Wheat"}]
        assert row["pre_trade_lis_threshold"] == "250.0000000000" and row["threshold_currency"] == ""


class TestInstrumentTransparency(EndpointTests):
    url = "/api/v1/instruments/{isin}/transparency/"

    @pytest.fixture
    def loaded(self, tmp_path):
        """A bond's yearly thresholds recalculated on 2025-11-29 and its quarterly liquidity; no FIRDS load at all."""
        load(
            tmp_path,
            "FULNCR_20250830_D_1of1.xml",
            [
                bond(ISIN, "2024-01-01", "2024-12-31", 1, PreTradLrgInScaleThrshld="1500000"),
                bond(ISIN, "2023-01-01", "2023-12-31", 2, PreTradLrgInScaleThrshld="1000000"),
                bond(ISIN, "2025-01-01", "2025-03-31", 3, Lqdty="false"),
                bond(ISIN, "2025-04-01", "2025-06-30", 4, Lqdty="true"),
            ],
        )
        load(
            tmp_path,
            "DLTNCR_20251129_1of1.xml",
            [bond(ISIN, "2024-01-01", "2024-12-31", 1, PreTradLrgInScaleThrshld="1800000")],
        )

    def test_current_calculations_history_and_as_of(self, loaded):
        body = self.get(self.url.format(isin=ISIN)).json()
        assert (body["isin"], body["as_of"]) == (ISIN, None)
        current = [(row["period_from"], row["liquid"], row["pre_trade_lis_threshold"]) for row in body["current"]]
        assert current == [("2025-04-01", True, None), ("2024-01-01", None, "1800000.0000000000")]
        assert len(body["history"]) == 5
        assert body["current"][1]["record"]["PreTradLrgInScaleThrshld"]["Amt"]["#text"] == "1800000"
        before = self.get(self.url.format(isin=ISIN), as_of="2025-11-28").json()
        assert [row["pre_trade_lis_threshold"] for row in before["current"] if row["period_to"] == "2024-12-31"] == [
            "1500000.0000000000"
        ]
        assert before["as_of"] == "2025-11-28"
        assert self.get(self.url.format(isin=ISIN), as_of="2025-08-29").json()["current"] == []

    def test_errors(self, loaded):
        assert self.get(self.url.format(isin=make_isin(5))).status_code == 404
        assert self.get(self.url.format(isin=ISIN[:-1] + "5")).status_code == 400
        assert self.get(self.url.format(isin=ISIN), as_of="soon").status_code == 400

    def test_the_instrument_detail_shows_the_current_calculations(self, loaded):
        ListingFactory(instrument_id=InstrumentFactory(isin=ISIN).isin)  # valid from 2024-01-01
        detail = self.get(f"/api/v1/instruments/{ISIN}/").json()
        assert [row["period_from"] for row in detail["transparency"]] == ["2025-04-01", "2024-01-01"]
        assert detail["transparency"][1]["pre_trade_lis_threshold"] == "1800000.0000000000"
        then = self.get(f"/api/v1/instruments/{ISIN}/", as_of=str(datetime.date(2025, 9, 1))).json()
        assert then["transparency"][1]["pre_trade_lis_threshold"] == "1500000.0000000000"  # the block follows as_of
