"""FIRDS loader and pipeline on a real database: samples, delta rules, idempotence, rejects, bad input, command."""

from datetime import date
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.forms.models import model_to_dict

from benchmarks.firds_synth import isin_make, lei_make, synth_trees, synth_write
from ingestion.models import IngestionRun
from ingestion.parsers.firds.writer import firds_file_write
from ingestion.pipelines.firds import firds_load_file, firds_load_paths, firds_paths
from instruments.models import Instrument, Listing
from instruments.selectors import listing_history, listing_list_as_of
from tests.factories import make_isin

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "samples" / "firds"

pytestmark = pytest.mark.django_db


def table_state(with_stamps: bool = True) -> dict:
    """Every Instrument and Listing row as plain values (ids and, unless asked, timestamps left out)."""
    skip = {"id"} if with_stamps else {"id", "created_at", "updated_at"}

    def rows(model, key):
        return sorted(
            (
                {name: value for name, value in model_to_dict(obj).items() if name not in skip}
                | ({"created_at": obj.created_at, "updated_at": obj.updated_at} if with_stamps else {})
                for obj in model.objects.all()
            ),
            key=key,
        )

    return {
        "instruments": rows(Instrument, lambda row: row["isin"]),
        "listings": rows(Listing, lambda row: (row["instrument"], row["venue"], row["valid_from"])),
    }


def firds_tree(isin: str, mic: str, start: str, *, name: str = "Example AG", relevant: str = "", **changes) -> dict:
    """A small equity record tree for (ISIN, MIC) published from `start`."""
    tree = {
        "FinInstrmGnlAttrbts": {
            "Id": isin,
            "FullNm": name,
            "ShrtNm": name[:35],
            "ClssfctnTp": changes.pop("cfi", "ESVUFR"),
            "NtnlCcy": "EUR",
            "CmmdtyDerivInd": "false",
        },
        "Issr": changes.pop("lei", "529900W18LQJJN6SJ336"),
        "TradgVnRltdAttrbts": {"Id": mic, "IssrReq": "false", "FrstTradDt": "2020-01-02T08:00:00Z"},
        "TechAttrbts": {"RlvntCmptntAuthrty": "DE", "PblctnPrd": {"FrDt": start}, "RlvntTradgVn": relevant or mic},
    }
    if "termination" in changes:
        tree["TradgVnRltdAttrbts"]["TermntnDt"] = changes.pop("termination")
    assert not changes, changes
    return tree


def write_full(folder: Path, trees: list[dict], day: str = "20250830", letter: str = "E") -> Path:
    path = folder / f"FULINS_{letter}_{day}_01of01.zip"
    firds_file_write(path, "FULINS", trees, reporting_date=f"{day[:4]}-{day[4:6]}-{day[6:]}")
    return path


def write_delta(folder: Path, records: list[tuple[str, dict]], day: str) -> Path:
    path = folder / f"DLTINS_{day}_01of01.zip"
    firds_file_write(path, "DLTINS", records, reporting_date=f"{day[:4]}-{day[4:6]}-{day[6:]}")
    return path


ISIN = "DE0007164600"  # SAP SE
OTHER = "NL0000235190"  # Airbus


def test_sample_set_loads_every_file_in_esma_order():
    """The shipped samples: FULINS per letter, then the DLTINS; fields land in their columns."""
    assert [path.name[:8] for path in firds_paths([SAMPLES])][-1] == "DLTINS_2"
    runs = firds_load_paths([SAMPLES])
    assert [run.status for run in runs] == ["succeeded"] * 11
    assert sum(run.records_read for run in runs) == 146
    assert sum(run.records_rejected for run in runs) == 0
    bond = Instrument.objects.get(isin="XS2911096670")
    assert (bond.category, bond.instrument_type, bond.currency) == ("D", "debt", "USD")
    assert bond.maturity_date == date(2025, 9, 4)
    assert bond.fixed_rate == Decimal("4.15")
    assert bond.total_issued_nominal == Decimal("220000000")
    assert bond.debt_seniority == "SNDB"
    assert bond.source_listing().record["DebtInstrmAttrbts"]["TtlIssdNmnlAmt"] == {"@Ccy": "USD", "#text": "220000000"}
    # HK0405033157: relevant venue FRAB is among its records, so the instrument comes from FRAB.
    reit = Instrument.objects.get(isin="HK0405033157")
    assert reit.source_listing().record["TradgVnRltdAttrbts"]["Id"] == "FRAB" == reit.relevant_venue
    # XS0107289323: relevant venue FRAB is not among its records (AURO, BTFE): the lowest MIC is used.
    assert Instrument.objects.get(isin="XS0107289323").source_listing().record["TradgVnRltdAttrbts"]["Id"] == "AURO"
    options = Instrument.objects.filter(category="O", strike_price_type__isnull=False)
    assert options.exists()
    for option in options:
        strike = option.source_listing().record["DerivInstrmAttrbts"]["StrkPric"]
        if option.strike_price_type == "MONETARY":
            assert abs(option.strike_price) == Decimal(strike["Pric"]["MntryVal"]["Amt"]["#text"])
    kingfish = listing_list_as_of("NL00150001S5", date(2025, 12, 1)).get(venue_id="EBLX")
    assert kingfish.short_name == "KINGFISH ZEELAN/SH VTG FPD" and kingfish.record_type == "MODIFIED"
    assert listing_list_as_of("NL00150001S5", date(2025, 9, 1)).get(venue_id="EBLX").valid_to == date(2025, 11, 17)


def test_loading_twice_changes_nothing_also_with_force():
    """Second load: skipped by checksum, then forced: all unchanged and identical tables (timestamps too)."""
    firds_load_paths([SAMPLES])
    before = table_state()
    skipped = firds_load_paths([SAMPLES])
    assert {run.status for run in skipped} == {"skipped"}
    assert sum(run.records_unchanged for run in skipped) == 146
    forced = firds_load_paths([SAMPLES], force=True)
    assert {run.status for run in forced} == {"succeeded"}
    assert sum(run.records_unchanged for run in forced) == 146
    assert sum(run.records_inserted + run.records_updated for run in forced) == 0
    assert table_state() == before


def test_new_modified_same_and_later_date(tmp_path):
    """NewRcrd inserts; ModfdRcrd on a later FrDt closes and inserts; on the same FrDt it replaces."""
    full = write_full(tmp_path, [firds_tree(ISIN, "XETR", "2025-01-10"), firds_tree(ISIN, "XFRA", "2025-01-10")])
    firds_load_file(full)
    later = firds_tree(ISIN, "XETR", "2025-09-01", name="SAP SE renamed")
    same = firds_tree(ISIN, "XFRA", "2025-01-10", name="SAP SE corrected")
    new = firds_tree(OTHER, "XPAR", "2025-09-01", name="Airbus SE")
    run = firds_load_file(write_delta(tmp_path, [("MODIFIED", later), ("MODIFIED", same), ("NEW", new)], "20250901"))
    assert (run.records_inserted, run.records_updated, run.records_unchanged) == (1, 2, 0)
    xetr = list(listing_history(ISIN).filter(venue_id="XETR"))
    assert [(v.valid_from, v.valid_to, v.is_current, v.full_name) for v in xetr] == [
        (date(2025, 1, 10), date(2025, 8, 31), False, "Example AG"),
        (date(2025, 9, 1), None, True, "SAP SE renamed"),
    ]
    assert xetr[1].record_type == "MODIFIED"
    xfra = list(listing_history(ISIN).filter(venue_id="XFRA"))
    assert [(v.valid_from, v.valid_to, v.full_name) for v in xfra] == [(date(2025, 1, 10), None, "SAP SE corrected")]
    assert Listing.objects.get(instrument_id=OTHER).record_type == "NEW"
    # The instrument follows its relevant venue's record (XETR for the XETR record).
    assert Instrument.objects.get(isin=ISIN).full_name == "SAP SE renamed"


def test_listings_as_of_a_date_before_and_after_a_delta(tmp_path):
    """'Listings of ISIN X on date D' answers from the versions: before the delta, after it, at its edges."""
    firds_load_file(write_full(tmp_path, [firds_tree(ISIN, "XETR", "2025-01-10")]))
    firds_load_file(
        write_delta(
            tmp_path,
            [
                ("MODIFIED", firds_tree(ISIN, "XETR", "2025-09-01", name="New")),
                ("NEW", firds_tree(ISIN, "XMUN", "2025-09-01")),
            ],
            "20250901",
        )
    )

    def names(day):
        return [(row.venue_id, row.full_name) for row in listing_list_as_of(ISIN, day)]

    assert names(date(2025, 1, 9)) == []
    assert names(date(2025, 8, 31)) == [("XETR", "Example AG")]
    assert names(date(2025, 9, 1)) == [("XETR", "New"), ("XMUN", "Example AG")]


def test_terminated_and_cancelled_records(tmp_path):
    """TermntdRcrd closes and inserts the terminated version (or replaces on the same FrDt); CancRcrd cancels."""
    trees = [firds_tree(ISIN, mic, "2025-01-10") for mic in ("XETR", "XFRA", "XMUN")]
    firds_load_file(write_full(tmp_path, trees))
    terminated = firds_tree(ISIN, "XETR", "2025-09-01", termination="2025-09-15T23:59:59Z")
    terminated_same_day = firds_tree(ISIN, "XFRA", "2025-01-10", termination="2025-09-15T23:59:59Z")
    cancelled = firds_tree(ISIN, "XMUN", "2025-09-01")
    delta = write_delta(
        tmp_path,
        [("TERMINATED", terminated), ("TERMINATED", terminated_same_day), ("CANCELLED", cancelled)],
        "20250901",
    )
    run = firds_load_file(delta)
    assert run.records_updated == 3
    xetr = list(listing_history(ISIN).filter(venue_id="XETR"))
    assert [(v.valid_to, v.is_current, v.record_type) for v in xetr] == [
        (date(2025, 8, 31), False, "FULL"),
        (None, True, "TERMINATED"),
    ]
    assert xetr[1].termination_date.isoformat() == "2025-09-15T23:59:59+00:00"
    [xfra] = listing_history(ISIN).filter(venue_id="XFRA")
    assert xfra.record_type == "TERMINATED" and xfra.termination_date is not None and xfra.is_current
    [xmun] = listing_history(ISIN).filter(venue_id="XMUN")
    assert (xmun.is_cancelled, xmun.is_current, xmun.valid_to, xmun.record_type) == (
        True,
        False,
        date(2025, 8, 31),
        "CANCELLED",
    )
    assert [row.venue_id for row in listing_list_as_of(ISIN, date(2025, 9, 2))] == ["XETR", "XFRA"]
    again = firds_load_file(delta, force=True)
    assert (again.records_unchanged, again.records_updated) == (3, 0)


def test_fulcan_cancels_listings(tmp_path):
    """A FULCAN (auth.102) record cancels the open version of its listing."""
    firds_load_file(write_full(tmp_path, [firds_tree(ISIN, "XETR", "2025-01-10")]))
    path = tmp_path / "FULCAN_20250901_01of01.zip"
    firds_file_write(path, "FULCAN", [firds_tree(ISIN, "XETR", "2025-09-01")], reporting_date="2025-09-01")
    assert firds_load_file(path).records_updated == 1
    assert Listing.objects.get(instrument_id=ISIN).is_cancelled
    assert not listing_list_as_of(ISIN, date(2025, 3, 1)).exists()


def test_invalid_records_are_rejected_with_reasons_valid_ones_load(tmp_path):
    """Invalid ISIN, LEI and CFI records are counted as rejected, with reasons, and the rest loads."""
    good = firds_tree(ISIN, "XETR", "2025-01-10")
    bad_isin = firds_tree("DE0007164601", "XETR", "2025-01-10")
    bad_lei = firds_tree(OTHER, "XPAR", "2025-01-10", lei="529900W18LQJJN6SJ337")
    bad_cfi = firds_tree("FR0000120271", "XPAR", "2025-01-10", cfi="E1VUFR")
    bad_currency = firds_tree("FR0000120271", "XETR", "2025-01-10")
    bad_currency["FinInstrmGnlAttrbts"]["NtnlCcy"] = "EÜR"  # three characters, not ISO 4217
    bad_prefix = firds_tree(make_isin(5, "QZ"), "XETR", "2025-01-10")  # check digit right, no such country
    records = [bad_isin, good, bad_lei, bad_cfi, bad_currency, bad_prefix]
    run = firds_load_file(write_full(tmp_path, records))
    assert run.status == "succeeded"
    assert (run.records_read, run.records_inserted, run.records_rejected) == (6, 1, 5)
    reasons = [item["reason"] for item in run.rejected_sample]
    assert "check digit" in reasons[0] and "DE0007164601" in run.rejected_sample[0]["record"]
    assert "LEI '529900W18LQJJN6SJ337'" in reasons[1]
    assert "invalid CFI 'E1VUFR'" in reasons[2]
    assert "NtnlCcy: currency 'EÜR' is not an ISO 4217 code" in reasons[3]
    assert "country prefix 'QZ'" in reasons[4]
    assert list(Listing.objects.values_list("instrument_id", flat=True)) == [ISIN]


@pytest.mark.parametrize("fault", ["truncated zip", "malformed XML", "empty file", "wrong message type"])
def test_file_faults_fail_the_run_and_leave_the_database_as_it_was(tmp_path, fault):
    """A bad file fails with its name and position in the run's error; nothing it read is kept."""
    firds_load_file(write_full(tmp_path, [firds_tree(ISIN, "XETR", "2025-01-10")]))
    before = table_state()
    path = tmp_path / "FULINS_D_20250906_01of01.zip"
    if fault == "truncated zip":
        synth_write(path, 3000, seed=9)
        data = bytearray(path.read_bytes())
        data[len(data) // 2 : len(data) // 2 + 64] = bytes(64)  # damaged mid-stream: records before it were read
        path.write_bytes(bytes(data))
    elif fault == "malformed XML":
        path = path.with_suffix(".xml")
        synth_write(path, 50, seed=9)
        path.write_text(path.read_text(encoding="utf-8").replace("</RefData>", "</Ref>", 30), encoding="utf-8")
    elif fault == "empty file":
        path.write_bytes(b"")
    else:
        path = path.with_suffix(".xml")
        path.write_text(
            "<Document><FinInstrmRptgTradgTrnsprncyRpt><RptHdr/></FinInstrmRptgTradgTrnsprncyRpt></Document>"
        )
    run = firds_load_file(path)
    assert run.status == "failed"
    assert path.name in run.error
    assert ("line" in run.error) or ("record" in run.error)
    assert table_state() == before
    assert IngestionRun.objects.filter(status="failed", file_name=path.name).count() == 1


def test_command_summary_and_failure_exit(tmp_path):
    """load_firds prints a summary; a failing file makes it exit with an error naming the file."""
    out = StringIO()
    call_command("load_firds", str(SAMPLES), stdout=out)
    text = out.getvalue()
    assert "files 11, records read 146, inserted 144, updated 2, unchanged 0, rejected 0" in text
    assert "FULINS_E_20250830_01of01.zip: succeeded" in text
    bad = tmp_path / "DLTINS_20251201_01of01.xml"
    bad.write_text("<BizData><Pyld><Document><FinInstrmRptgRefDataDltaRpt><FinInstrm>", encoding="utf-8")
    with pytest.raises(CommandError, match="DLTINS_20251201_01of01.xml"):
        call_command("load_firds", str(bad), stdout=StringIO())
    with pytest.raises(CommandError, match="FULINS_E_20991231_01of01.zip failed: .*file not found"):
        call_command("load_firds", str(tmp_path / "FULINS_E_20991231_01of01.zip"), stdout=StringIO())
    with pytest.raises(CommandError, match="either PATH"):
        call_command("load_firds", stdout=StringIO())


def test_generated_file_loads_every_record_into_its_columns(tmp_path):
    """Every generated record becomes a listing holding its own tree; instruments are derived from one of them."""
    path = tmp_path / "FULINS_X_20250830_01of01.zip"
    synth_write(path, 400, seed=11)
    run = firds_load_file(path)
    assert (run.records_read, run.records_inserted, run.records_rejected) == (400, 400, 0)
    trees = {(t["FinInstrmGnlAttrbts"]["Id"], t["TradgVnRltdAttrbts"]["Id"]): t for t in synth_trees(400, seed=11)}
    listings = {(row.instrument_id, row.venue_id): row for row in Listing.objects.all()}
    assert listings.keys() == trees.keys()
    for key, tree in trees.items():
        listing = listings[key]
        assert listing.full_name == tree["FinInstrmGnlAttrbts"]["FullNm"]
        assert listing.cfi_code == tree["FinInstrmGnlAttrbts"]["ClssfctnTp"]
        assert listing.relevant_venue == tree["TechAttrbts"]["RlvntTradgVn"]
        assert listing.record == tree
    for instrument in Instrument.objects.all():
        tree = trees[(instrument.isin, instrument.source_mic)]
        venues = [mic for isin, mic in trees if isin == instrument.isin]
        relevant = tree["TechAttrbts"]["RlvntTradgVn"]
        assert instrument.source_mic == (relevant if relevant in venues else min(venues))
        assert instrument.full_name == tree["FinInstrmGnlAttrbts"]["FullNm"]
    assert set(Instrument.objects.values_list("category", flat=True)) == set("CDEFHIJORS")


def test_fresh_isins_and_leis_from_the_generator_are_valid():
    """The generator's identifiers pass the project's validators (used by the reject rules)."""
    import random

    from marketdata.identifiers import is_valid_isin, is_valid_lei

    rng = random.Random(3)
    assert all(is_valid_isin(isin_make(rng)) for _ in range(200))
    assert all(is_valid_lei(lei_make(rng)) for _ in range(200))


def test_a_large_load_refreshes_the_planner_statistics(monkeypatch):
    """Past ANALYZE_AFTER_ROWS inserted records, PostgreSQL gets fresh statistics for instruments and listings."""
    from django.db import connection

    from ingestion.pipelines import firds as pipeline

    def statistics() -> int:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stats WHERE tablename IN (%s, %s)",
                [Instrument._meta.db_table, Listing._meta.db_table],
            )
            return cursor.fetchone()[0]

    monkeypatch.setattr(pipeline, "ANALYZE_AFTER_ROWS", 5)  # the sample file stands in for a large one
    postgresql = connection.vendor == "postgresql"
    if postgresql:
        assert statistics() == 0
    run = firds_load_file(SAMPLES / "FULINS_E_20250830_01of01.zip")
    assert run.status == "succeeded" and run.records_inserted > 5
    if postgresql:
        assert statistics() > 0
