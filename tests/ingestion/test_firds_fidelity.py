"""Every FIRDS record kept whole: each venue's own terms, the instrument's state on any date, publication periods."""

from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from rest_framework.test import APIClient

from ingestion.parsers.firds.writer import firds_file_write
from ingestion.pipelines.firds import firds_load_file, firds_load_paths
from instruments.models import Instrument, Listing
from tests.api.access import role_user
from tests.factories import make_isin, make_lei

pytestmark = pytest.mark.django_db

SAMPLES = Path(__file__).resolve().parents[2] / "samples" / "firds"
ISIN = make_isin(4242, "DE")
LEI = make_lei(42)


def option_tree(mic: str, *, name: str, cfi: str, expiry: str, option_type: str, strike: str, period: dict) -> dict:
    """An option's FIRDS record at one venue (XEUR is the relevant venue)."""
    return {
        "FinInstrmGnlAttrbts": {
            "Id": ISIN,
            "FullNm": name,
            "ShrtNm": name[:20],
            "ClssfctnTp": cfi,
            "NtnlCcy": "EUR",
            "CmmdtyDerivInd": "false",
        },
        "Issr": LEI,
        "TradgVnRltdAttrbts": {"Id": mic, "IssrReq": "false", "FrstTradDt": "2025-01-02T08:00:00Z"},
        "DerivInstrmAttrbts": {
            "XpryDt": expiry,
            "PricMltplr": "100",
            "UndrlygInstrm": {"Sngl": {"ISIN": "DE0007164600"}},
            "OptnTp": option_type,
            "StrkPric": {"Pric": {"MntryVal": {"Amt": {"@Ccy": "EUR", "#text": strike}}}},
            "OptnExrcStyle": "EURO",
            "DlvryTp": "PHYS",
        },
        "TechAttrbts": {"RlvntCmptntAuthrty": "DE", "PblctnPrd": period, "RlvntTradgVn": "XEUR"},
    }


XEUR = {"name": "SAP SE call 2026", "cfi": "OCESPS", "expiry": "2026-12-18", "option_type": "CALL", "strike": "200"}
XMAD = {"name": "SAP opcion compra", "cfi": "OPESPS", "expiry": "2027-03-19", "option_type": "PUTO", "strike": "180.5"}


@pytest.fixture
def loaded(tmp_path):
    """A FULINS of 2025-09-01 with the option at XMAD (first in the file) and at XEUR, the relevant venue."""
    path = tmp_path / "FULINS_O_20250901_01of01.zip"
    trees = [
        option_tree("XMAD", **XMAD, period={"FrDt": "2025-09-01"}),
        option_tree("XEUR", **XEUR, period={"FrDt": "2025-09-01"}),
    ]
    firds_file_write(path, "FULINS", trees, reporting_date="2025-09-01")
    run = firds_load_file(path)
    assert (run.status, run.records_inserted) == ("succeeded", 2)
    return tmp_path


@pytest.fixture
def api():
    client = APIClient()
    client.force_authenticate(role_user("analyst"))
    return lambda url, **params: client.get(url, params)


def detail(api, **params) -> dict:
    response = api(f"/api/v1/instruments/{ISIN}/", **params)
    assert response.status_code == 200, response.content
    return response.json()


def by_mic(body: dict) -> dict:
    return {listing["mic"]: listing for listing in body["listings"]}


def delta(folder: Path, day: str, *records: tuple[str, dict]) -> None:
    """Load a DLTINS of `day` holding the (record type, tree) pairs."""
    path = folder / f"DLTINS_{day.replace('-', '')}_01of01.zip"
    firds_file_write(path, "DLTINS", list(records), reporting_date=day)
    assert firds_load_file(path).status == "succeeded"


def test_each_venue_keeps_its_own_record_and_the_instrument_is_the_relevant_venues(loaded, api):
    stored = {listing.venue_id: listing for listing in Listing.objects.filter(instrument_id=ISIN)}
    for mic, terms in (("XEUR", XEUR), ("XMAD", XMAD)):
        listing = stored[mic]
        assert (listing.full_name, listing.cfi_code, listing.option_type) == (
            terms["name"],
            terms["cfi"],
            terms["option_type"],
        )
        assert listing.expiry_date == date.fromisoformat(terms["expiry"])
        assert listing.strike_price == Decimal(terms["strike"]) and listing.strike_currency == "EUR"
        assert listing.underlying_isin == "DE0007164600" and listing.exercise_style == "EURO"
        assert listing.record["DerivInstrmAttrbts"]["XpryDt"] == terms["expiry"]
        assert listing.debt_seniority is None and listing.maturity_date is None  # absent: NULL, not ""
    body = detail(api)
    served = by_mic(body)
    for mic, terms in (("XEUR", XEUR), ("XMAD", XMAD)):
        listing = served[mic]
        assert (listing["full_name"], listing["cfi_code"]) == (terms["name"], terms["cfi"])
        derivative = listing["derivative"]
        assert (derivative["expiry_date"], derivative["option_type"]) == (terms["expiry"], terms["option_type"])
        assert Decimal(derivative["strike_price"]) == Decimal(terms["strike"])
        assert listing["record"]["FinInstrmGnlAttrbts"]["FullNm"] == terms["name"]
        assert listing["debt"] is None
    # The instrument speaks with the relevant venue's record, although XMAD came first in the file.
    assert (body["full_name"], body["cfi_code"], body["source_mic"]) == (XEUR["name"], XEUR["cfi"], "XEUR")
    assert body["derivative"]["expiry_date"] == XEUR["expiry"] and body["derivative"]["option_type"] == "CALL"
    assert body["attributes"]["TradgVnRltdAttrbts"]["Id"] == "XEUR"
    assert body["derivative"]["strike_price_type"] == "MONETARY"


def test_a_delta_changing_another_venues_expiry_is_kept_and_the_old_value_served_as_of_before(loaded, api):
    changed = {**XMAD, "expiry": "2027-06-18"}
    delta(loaded, "2025-09-10", ("MODIFIED", option_tree("XMAD", **changed, period={"FrDt": "2025-09-10"})))
    assert by_mic(detail(api))["XMAD"]["derivative"]["expiry_date"] == "2027-06-18"
    assert by_mic(detail(api, as_of="2025-09-09"))["XMAD"]["derivative"]["expiry_date"] == XMAD["expiry"]
    assert by_mic(detail(api, as_of="2025-09-10"))["XMAD"]["derivative"]["expiry_date"] == "2027-06-18"
    versions = Listing.objects.filter(instrument_id=ISIN, venue_id="XMAD").order_by("valid_from")
    assert [(v.valid_from, v.valid_to, v.is_current) for v in versions] == [
        (date(2025, 9, 1), date(2025, 9, 9), False),
        (date(2025, 9, 10), None, True),
    ]
    history = api(f"/api/v1/instruments/{ISIN}/history/").json()
    assert [(row["mic"], row["derivative"]["expiry_date"]) for row in history] == [
        ("XEUR", XEUR["expiry"]),
        ("XMAD", XMAD["expiry"]),
        ("XMAD", "2027-06-18"),
    ]
    assert detail(api)["derivative"]["expiry_date"] == XEUR["expiry"]  # the relevant venue's term is unchanged


def test_as_of_gives_the_name_before_a_renaming_delta_and_the_new_one_after(loaded, api):
    renamed = {**XEUR, "name": "SAP SE call Dec 2026", "cfi": "OCESCS"}
    delta(loaded, "2025-09-10", ("MODIFIED", option_tree("XEUR", **renamed, period={"FrDt": "2025-09-10"})))
    assert (detail(api)["full_name"], detail(api)["cfi_code"]) == (renamed["name"], "OCESCS")
    before = detail(api, as_of="2025-09-09")
    assert (before["full_name"], before["cfi_code"], before["source_mic"]) == (XEUR["name"], XEUR["cfi"], "XEUR")
    assert before["cfi"]["code"] == XEUR["cfi"]
    assert detail(api, as_of="2025-09-10")["full_name"] == renamed["name"]
    assert Instrument.objects.get(isin=ISIN).full_name == renamed["name"]
    missing = api(f"/api/v1/instruments/{ISIN}/", as_of="2025-08-31")  # before any record of it
    assert missing.status_code == 404 and "2025-08-31" in missing.json()["error"]["message"]


def test_as_of_derives_the_instrument_from_the_venues_valid_that_day(loaded, api):
    """When the relevant venue's record ends, the instrument speaks with the next venue's record on later dates."""
    ended = option_tree("XEUR", **XEUR, period={"FrDtToDt": {"FrDt": "2025-09-01", "ToDt": "2025-09-15"}})
    delta(loaded, "2025-09-01", ("MODIFIED", ended))
    assert detail(api, as_of="2025-09-15")["source_mic"] == "XEUR"
    later = detail(api, as_of="2025-09-16")
    assert (later["source_mic"], later["full_name"], later["derivative"]["option_type"]) == (
        "XMAD",
        XMAD["name"],
        "PUTO",
    )
    assert list(by_mic(later)) == ["XMAD"]


def test_a_publication_period_with_an_end_closes_the_version_at_its_end(tmp_path, api):
    end = date.today() - timedelta(days=30)
    start = end - timedelta(days=60)
    period = {"FrDtToDt": {"FrDt": start.isoformat(), "ToDt": end.isoformat()}}
    path = tmp_path / f"FULINS_O_{start:%Y%m%d}_01of01.zip"
    firds_file_write(
        path,
        "FULINS",
        [option_tree("XEUR", **XEUR, period=period), option_tree("XMAD", **XMAD, period={"FrDt": start.isoformat()})],
        reporting_date=start.isoformat(),
    )
    assert firds_load_file(path).records_inserted == 2
    closed = Listing.objects.get(instrument_id=ISIN, venue_id="XEUR")
    assert closed.valid_to == end
    assert Listing.objects.get(instrument_id=ISIN, venue_id="XMAD").valid_to is None
    assert list(by_mic(detail(api))) == ["XMAD"]  # FIRDS closed XEUR's record before today
    assert by_mic(detail(api, as_of=end.isoformat()))["XEUR"]["valid_to"] == end.isoformat()
    assert list(by_mic(detail(api, as_of=(end + timedelta(days=1)).isoformat()))) == ["XMAD"]
    again = firds_load_file(path, force=True)  # the same file again changes nothing
    assert (again.records_unchanged, again.records_updated, again.records_inserted) == (2, 0, 0)


def test_a_period_ending_before_it_starts_is_rejected_with_the_field_named(tmp_path):
    period = {"FrDtToDt": {"FrDt": "2025-09-10", "ToDt": "2025-09-01"}}
    path = tmp_path / "FULINS_O_20250910_01of01.zip"
    firds_file_write(path, "FULINS", [option_tree("XEUR", **XEUR, period=period)], reporting_date="2025-09-10")
    run = firds_load_file(path)
    assert run.records_rejected == 1 and not Listing.objects.exists()
    assert "FrDtToDt: ToDt 2025-09-01 is before FrDt 2025-09-10" in str(run.rejected_sample)


def test_real_structured_products_outside_the_derivative_categories_show_their_underlying(api):
    """Real records (samples/, from ESMA's 2025-08-30 files): a capped bonus certificate filed under E (EYCYMS) and
    a discount certificate under D (DEAYRS) carry DerivInstrmAttrbts/UndrlygInstrm."""
    runs = firds_load_paths([SAMPLES])
    assert {run.status for run in runs} == {"succeeded"}
    certificate = api("/api/v1/instruments/DE000FA1V883/").json()
    assert certificate["cfi_code"] == "EYCYMS"
    assert certificate["derivative"]["underlying_isin"] == "DE0006231004"
    assert certificate["derivative"]["underlying_isins"] == ["DE0006231004"]
    venues = by_mic(certificate)
    assert set(venues) == {"FRAB", "STUB"}
    assert all(listing["derivative"]["underlying_isin"] == "DE0006231004" for listing in venues.values())
    # the venues name it differently; each keeps its own name, the instrument the relevant venue's (FRAB)
    assert venues["FRAB"]["full_name"] != venues["STUB"]["full_name"]
    assert certificate["full_name"] == venues["FRAB"]["full_name"] and certificate["source_mic"] == "FRAB"
    discount = api("/api/v1/instruments/DE000MG41W86/").json()
    assert discount["cfi_code"] == "DEAYRS" and discount["debt"] is not None
    assert discount["derivative"]["underlying_isin"] == "US2546871060"
