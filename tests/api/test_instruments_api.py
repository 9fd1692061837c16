"""instruments/: list, filters, ordering, detail (as_of), history, lookup and CSV export."""

import csv
import datetime
import io

from django.db import connection
from django.test.utils import CaptureQueriesContext

from entities.models import IsinLeiMapping
from instruments.models import Instrument
from tests.factories import (
    FigiMappingFactory,
    InstrumentFactory,
    LegalEntityFactory,
    ListingFactory,
    TransparencyFactory,
    VenueFactory,
    make_isin,
    make_lei,
)

from .base import CodeDetailEndpointTests, EndpointTests, ListEndpointTests, client_for, make_user, path_of

BRIEF = ["isin", "full_name", "short_name", "cfi_code", "category", "instrument_type", "currency", "issuer_lei"]
URL = "/api/v1/instruments/"


def bulk_instruments(count: int, **fields) -> list[str]:
    """Create `count` instruments in one INSERT; return their ISINs."""
    rows = InstrumentFactory.build_batch(count, **fields)
    Instrument.objects.bulk_create(rows)
    return [row.isin for row in rows]


class TestInstrumentList(ListEndpointTests):
    list_url = URL
    key_field = "isin"
    brief_fields = BRIEF

    def create_rows(self, count):
        return bulk_instruments(count)

    def filter_cases(self):
        """Instruments whose current listings state the terms the filters match (each venue its own)."""
        issuer = make_lei(7)
        equity = InstrumentFactory(cfi_code="ESVUFR", issuer_id=issuer).isin
        bond = InstrumentFactory(
            cfi_code="DBFTFB", instrument_type="debt", currency="USD", maturity_date=datetime.date(2030, 1, 1)
        ).isin
        future = InstrumentFactory(
            cfi_code="FFICSX", instrument_type="future", full_name="Euro-Bund Future", expiry_date="2026-03-20"
        ).isin
        option = InstrumentFactory(cfi_code="OCASPS", instrument_type="listed_option", expiry_date="2027-06-18").isin
        ListingFactory(instrument_id=equity, venue_id="XETR", cfi_code="ESVUFR", currency="EUR", issuer_lei=issuer)
        ListingFactory(
            instrument_id=bond, venue_id="XETR", cfi_code="DBFTFB", currency="USD", maturity_date="2030-01-01"
        )
        ListingFactory(
            instrument_id=bond,
            venue_id="XPAR",
            cfi_code="DBFTFB",
            is_current=False,
            valid_to="2024-12-31",
            currency="CHF",
            maturity_date="2035-01-01",
        )
        ListingFactory(instrument_id=future, venue_id="XEUR", cfi_code="FFICSX", expiry_date="2026-03-20")
        ListingFactory(instrument_id=option, venue_id="XEUR", cfi_code="OCASPS", expiry_date="2027-06-18")
        # a second venue whose own record disagrees with the one the instrument is derived from
        ListingFactory(
            instrument_id=option, venue_id="XMAD", cfi_code="OCAFPS", currency="GBP", expiry_date="2028-01-01"
        )
        FigiMappingFactory(isin=equity, figi="BBG000EQ0001", composite_figi="BBG000EQCOMP")
        FigiMappingFactory(isin=bond, mic="", figi="BBG000BD0001", share_class_figi="BBG000BDSHCL")
        return [
            ({"cfi": "E"}, {equity}),
            ({"cfi": "dbf"}, {bond}),
            ({"cfi": "OCAF"}, {option}),
            ({"category": "D"}, {bond}),
            ({"type": "future"}, {future}),
            ({"currency": "usd"}, {bond}),
            ({"currency": "gbp"}, {option}),
            ({"currency": "chf"}, set()),  # only a closed version says CHF
            ({"mic": "XETR"}, {equity, bond}),
            ({"mic": "XPAR"}, set()),
            ({"issuer": issuer}, {equity}),
            ({"maturity_after": "2029-12-31"}, {bond}),
            ({"maturity_after": "2031-01-01"}, set()),
            ({"maturity_before": "2029-12-31"}, set()),
            ({"expiry_after": "2026-03-20", "expiry_before": "2026-12-31"}, {future}),
            ({"expiry_after": "2026-03-21"}, {option}),
            ({"expiry_after": "2027-12-01"}, {option}),  # only at XMAD
            ({"q": "bund"}, {future}),
            ({"q": equity}, {equity}),
            ({"cfi": "O", "expiry_before": "2030-01-01"}, {option}),
            ({"figi": "bbg000eq0001"}, {equity}),
            ({"figi": "BBG000EQCOMP"}, {equity}),
            ({"figi": "BBG000BDSHCL"}, {bond}),
            ({"figi": "BBG000NONE00"}, set()),
        ]

    def test_issuer_filter_matches_firds_listings_or_gleifs_mapping(self):
        issuer, other, unrelated = make_lei(21), make_lei(22), make_lei(23)
        named = InstrumentFactory(issuer_id=issuer).isin  # FIRDS names the issuer on a current listing
        ListingFactory(instrument_id=named, venue_id="XETR", issuer_lei=issuer)
        mapped = InstrumentFactory(issuer_id=None).isin  # FIRDS names none; GLEIF's mapping links it
        ListingFactory(instrument_id=mapped, venue_id="XETR", issuer_lei=None)
        IsinLeiMapping.objects.create(isin=mapped, lei=issuer)
        closed = InstrumentFactory(issuer_id=None).isin  # only a closed listing version named the issuer
        ListingFactory(
            instrument_id=closed, venue_id="XPAR", issuer_lei=issuer, is_current=False, valid_to="2024-12-31"
        )
        IsinLeiMapping.objects.create(isin=named, lei=other)  # the mapping disagrees with FIRDS: both match
        IsinLeiMapping.objects.create(isin=make_isin(99), lei=unrelated)  # an ISIN with no instrument
        for lei, expected in (
            (issuer, {named, mapped}),
            (issuer.lower(), {named, mapped}),
            (other, {named}),
            (unrelated, set()),
            (make_lei(24), set()),
        ):
            assert set(self.keys(self.get(URL, issuer=lei))) == expected, lei
            export = b"".join(self.get(URL + "export/", issuer=lei, fields="isin").streaming_content).decode()
            assert {row["isin"] for row in csv.DictReader(io.StringIO(export))} == expected, lei
        assert set(self.keys(self.get(URL, issuer=issuer, cfi="X"))) == set()  # and with the other filters
        assert self.get(URL, issuers=issuer).status_code == 400  # still strict about unknown parameters

    def test_unknown_query_parameters_are_400_naming_them(self):
        response = self.get(URL, figy="BBG000EQ0001", cfi="E", page_size=5)
        assert response.status_code == 400
        details = response.json()["error"]["details"]
        assert list(details) == ["figy"] and "figi" in details["figy"][0]
        export = self.get(URL + "export/", isn="x")
        assert export.status_code == 400 and list(export.json()["error"]["details"]) == ["isn"]
        assert self.get(URL, cfi="E", page_size=5, ordering="isin", format="json").status_code == 200
        twice = self.client.get(URL, {"cfi": ["E", "D"]})
        assert twice.status_code == 400 and list(twice.json()["error"]["details"]) == ["cfi"]

    def test_bad_filter_values_are_400(self):
        for params in ({"maturity_after": "not-a-date"}, {"maturity_after": "20300101"}, {"expiry_before": ""}):
            assert self.get(URL, **params).status_code == 400, params
        assert self.get(URL, category="Z").status_code == 400

    def test_empty_choice_means_no_filter_and_nul_characters_are_dropped(self):
        isins = bulk_instruments(2)
        assert set(self.keys(self.get(URL, category="", type=""))) == set(isins)
        assert self.keys(self.get(URL, q=isins[0] + "\x00")) == [isins[0]]

    def test_ordering_on_a_nullable_column_pages_both_ways(self):
        maturities = [None, "2030-01-01", "2028-01-01", None, "2028-01-01", "2029-05-05", None]
        isins = [InstrumentFactory(maturity_date=m).isin for m in maturities]
        by_maturity = sorted(
            zip(maturities, isins, strict=True), key=lambda pair: (pair[0] is None, pair[0] or "", pair[1])
        )
        for ordering, expected in (
            ("maturity_date", [isin for _, isin in by_maturity]),
            (
                "-maturity_date",
                [isin for _, isin in sorted(by_maturity[:4], reverse=True)] + sorted(isins[i] for i in (0, 3, 6))[::-1],
            ),
        ):
            pages, url = [], f"{URL}?ordering={ordering}&page_size=2"
            while url:
                body = self.get(url).json()
                pages.append([row["isin"] for row in body["results"]])
                url = body["next"] and path_of(body["next"])
            assert [isin for page in pages for isin in page] == expected, ordering
            back = self.get(path_of(body["previous"])).json()
            assert [row["isin"] for row in back["results"]] == pages[-2]

    def test_a_cursor_of_another_ordering_is_refused(self):
        bulk_instruments(3)
        next_link = self.get(URL, page_size=1).json()["next"]
        assert self.get(path_of(next_link) + "&ordering=-isin").status_code == 404


class TestInstrumentDetail(CodeDetailEndpointTests):
    detail_url = URL + "{key}/"
    detail_fields = [*BRIEF, "cfi", "debt", "derivative", "issuer", "listings", "figi", "transparency", "attributes"]
    unknown_key = make_isin(987654321)
    malformed_key = "XS0000000018"
    malformed_reason = "check digit is 8, expected 7"
    max_detail_queries = 5  # instrument + issuer, listings, venues, FIGIs, transparency

    def create_object(self):
        issuer = LegalEntityFactory()
        isin = InstrumentFactory(issuer_id=issuer.lei).isin
        VenueFactory(mic="XETR", market_name="Xetra")
        ListingFactory(instrument_id=isin, venue_id="XETR")
        ListingFactory(instrument_id=isin, venue_id="ZZZZ")
        FigiMappingFactory(isin=isin)
        TransparencyFactory(identifier=isin)
        return isin

    def test_full_record_content(self):
        isin = self.create_object()
        body = self.get(self.detail_url.format(key=isin)).json()
        assert body["cfi"]["category_name"] == "Equities"
        assert [a["value"] for a in body["cfi"]["attributes"]] == list("VUFR")
        assert body["issuer"]["lei"] == body["issuer_lei"]
        assert {(row["mic"], row["venue_name"]) for row in body["listings"]} == {("XETR", "Xetra"), ("ZZZZ", None)}
        assert body["figi"][0]["figi"].startswith("BBG")
        assert body["transparency"][0]["liquid"] is True
        assert body["debt"] is None and body["derivative"] is None

    def test_issuer_not_loaded_is_null_and_debt_block_is_filled(self):
        isin = InstrumentFactory(
            cfi_code="DBFTFB",
            issuer_id=make_lei(4242),
            maturity_date="2031-02-15",
            fixed_rate="2.5",
            debt_seniority="SNDB",
        ).isin
        body = self.get(self.detail_url.format(key=isin)).json()
        assert body["issuer"] is None and body["issuer_lei"] == make_lei(4242)
        assert body["debt"]["maturity_date"] == "2031-02-15"
        assert body["debt"]["debt_seniority"] == "SNDB"
        assert body["listings"] == [] and body["derivative"] is None

    def test_as_of_gives_the_versions_valid_that_day(self):
        isin = InstrumentFactory().isin
        ListingFactory(
            instrument_id=isin, full_name="Old", valid_from="2024-01-01", valid_to="2024-06-30", is_current=False
        )
        ListingFactory(instrument_id=isin, full_name="New", valid_from="2024-07-01")
        url = self.detail_url.format(key=isin)
        assert [row["full_name"] for row in self.get(url).json()["listings"]] == ["New"]
        assert [row["full_name"] for row in self.get(url, as_of="2024-03-01").json()["listings"]] == ["Old"]
        assert [row["full_name"] for row in self.get(url, as_of="2024-06-30").json()["listings"]] == ["Old"]
        before = self.get(url, as_of="2023-12-31")  # no record of it valid then
        assert before.status_code == 404 and "2023-12-31" in before.json()["error"]["message"]
        assert self.get(url, as_of="yesterday").status_code == 400
        assert self.get(url, as_of="2024-W10-1").status_code == 400

    def test_history_lists_every_version(self):
        isin = InstrumentFactory().isin
        ListingFactory(instrument_id=isin, venue_id="XPAR", valid_from="2024-02-01")
        ListingFactory(
            instrument_id=isin, full_name="Old", valid_from="2024-01-01", valid_to="2024-06-30", is_current=False
        )
        ListingFactory(instrument_id=isin, full_name="New", valid_from="2024-07-01")
        body = self.get(f"{URL}{isin}/history/").json()
        assert [(row["mic"], row["valid_from"]) for row in body] == [
            ("XETR", "2024-01-01"),
            ("XETR", "2024-07-01"),
            ("XPAR", "2024-02-01"),
        ]
        assert self.get(f"{URL}XS0000000018/history/").status_code == 400


class TestInstrumentLookup(EndpointTests):
    url = URL + "lookup/"

    def test_found_not_found_and_invalid(self):
        found = bulk_instruments(3)
        unknown = make_isin(999_000_001)
        body = self.client.post(
            self.url, {"isins": [found[0], found[1].lower(), found[2], unknown, "XS0000000018", "foo"]}, format="json"
        ).json()
        assert [row["isin"] for row in body["found"]] == found
        assert list(body["found"][0]) == BRIEF
        assert body["not_found"] == [unknown]
        assert [row["isin"] for row in body["invalid"]] == ["XS0000000018", "foo"]
        assert "check digit" in body["invalid"][0]["reason"]

    def test_a_thousand_isins_in_one_query(self):
        isins = bulk_instruments(1000)
        with CaptureQueriesContext(connection) as queries:
            response = self.client.post(self.url, {"isins": isins}, format="json")
        assert response.status_code == 200
        assert len(response.json()["found"]) == 1000
        assert len(queries) == 1

    def test_more_than_a_thousand_or_a_bad_body_is_400(self):
        for body in ({"isins": [12]}, {"isins": [], "extra": 1}, ["XS0000000017"]):
            assert self.client.post(self.url, body, format="json").status_code == 400, body
        assert self.client.post(self.url, {"isins": "XS0000000017"}).status_code == 415  # JSON only
        assert (
            self.client.post(self.url, {"isins": [make_isin(i) for i in range(1001)]}, format="json").status_code == 400
        )
        assert self.client.post(self.url, {"isins": "XS0000000017"}, format="json").status_code == 400
        assert self.client.post(self.url, {}, format="json").status_code == 400

    def test_every_reader_role_may_look_up_but_not_anonymous(self):
        for role in ("curator", "admin"):
            assert client_for(make_user(role)).post(self.url, {"isins": []}, format="json").status_code == 200
        assert client_for().post(self.url, {"isins": []}, format="json").status_code == 401

    def test_lookup_and_export_are_marked_expensive(self):
        from instruments.api.views import InstrumentViewSet

        assert InstrumentViewSet.lookup.kwargs["throttle_scope"] == "expensive"
        assert InstrumentViewSet.export.kwargs["throttle_scope"] == "expensive"


class TestInstrumentExport(EndpointTests):
    url = URL + "export/"

    def rows(self, response):
        assert response.status_code == 200
        assert response.streaming
        assert response["Content-Type"].startswith("text/csv")
        return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))

    def test_export_streams_the_filtered_list_as_csv(self):
        bonds = bulk_instruments(3, cfi_code="DBFTFB", category="D", instrument_type="debt")
        bulk_instruments(2)
        rows = self.rows(self.get(self.url, category="D"))
        assert rows[0] == BRIEF
        assert [row[0] for row in rows[1:]] == sorted(bonds)
        assert rows[1][3] == "DBFTFB"

    def test_export_of_more_rows_than_one_chunk_loses_none(self):
        isins = bulk_instruments(2500)
        rows = self.rows(self.get(self.url))
        assert [row[0] for row in rows[1:]] == sorted(isins)

    def test_bad_filter_is_400(self):
        assert self.get(self.url, maturity_before="31/12/2030").status_code == 400

    def test_export_takes_fields_and_one_row_per_listing(self):
        bond = InstrumentFactory(
            cfi_code="DBFTFB", category="D", instrument_type="debt", maturity_date=datetime.date(2030, 1, 1)
        )
        InstrumentFactory(cfi_code="ESVUFR", category="E")
        ListingFactory(instrument_id=bond.isin, venue_id="XPAR", maturity_date="2030-01-01", currency="EUR")
        ListingFactory(instrument_id=bond.isin, venue_id="XETR", maturity_date="2031-06-30", currency="USD")
        ListingFactory(instrument_id=bond.isin, venue_id="XMAD", is_current=False, valid_to="2024-12-31")
        rows = self.rows(self.get(self.url, fields="isin,maturity_date,issuer_lei", category="D"))
        assert rows == [["isin", "maturity_date", "issuer_lei"], [bond.isin, "2030-01-01", bond.issuer_id or ""]]
        per_venue = self.rows(
            self.get(self.url, rows="listings", fields="isin,listing.mic,listing.maturity_date,listing.currency")
        )
        assert per_venue == [
            ["isin", "listing.mic", "listing.maturity_date", "listing.currency"],
            [bond.isin, "XETR", "2031-06-30", "USD"],  # each venue's own terms, current listings only
            [bond.isin, "XPAR", "2030-01-01", "EUR"],
        ]
        default = self.rows(self.get(self.url, rows="listings", category="D"))
        assert default[0] == [*BRIEF, "listing.mic", "listing.valid_from"] and len(default) == 3

    def test_export_refuses_unknown_fields_naming_them(self):
        response = self.get(self.url, fields="isin,colour")
        assert response.status_code == 400
        message = response.json()["error"]["details"]["fields"][0]
        assert "colour" in message and "maturity_date" in message
        listing_field = self.rows(self.get(self.url, fields="isin,listing.mic"))  # a listing field: a row per listing
        assert listing_field == [["isin", "listing.mic"]]  # (no listings here)
        assert self.get(self.url, rows="venues").status_code == 400
        assert self.get(URL, fields="isin").status_code == 400  # the list takes no fields
