"""FITRS loader and pipeline on a real database: the 112 real records, history and deltas, idempotence, rejects,
bad input, the command."""

import csv
from collections import Counter
from datetime import date
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.forms.models import model_to_dict

from benchmarks.fitrs_load import fitrs_synth_trees, fitrs_synth_write
from ingestion.loaders.fitrs import DATA_COLUMNS
from ingestion.models import IngestionRun
from ingestion.parsers.fitrs import EQUITY, NON_EQUITY
from ingestion.parsers.fitrs.writer import fitrs_file_write
from ingestion.pipelines.fitrs import fitrs_load_file, fitrs_load_paths, fitrs_paths, fitrs_sort_key
from instruments.models import Transparency
from instruments.transparency_services import TRANSPARENCY_DATA_COLUMNS
from tests.factories import make_isin

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "fitrs"
REAL = FIXTURES / "real"
SAMPLES = ROOT / "samples" / "fitrs"
FIRDS_SAMPLE = ROOT / "samples" / "firds" / "FULINS_E_20250830_01of01.zip"
THRESHOLDS = {
    "PreTradLrgInScaleThrshld": "pre_trade_lis_threshold",
    "PstTradLrgInScaleThrshld": "post_trade_lis_threshold",
    "PreTradInstrmSzSpcfcThrshld": "pre_trade_ssti_threshold",
    "PstTradInstrmSzSpcfcThrshld": "post_trade_ssti_threshold",
}

pytestmark = pytest.mark.django_db


def table_state() -> list[dict]:
    """Every Transparency row as plain values, ids and timestamps left out."""
    rows = [
        {name: value for name, value in model_to_dict(row).items() if name != "id"}
        for row in Transparency.objects.all()
    ]
    return sorted(
        rows, key=lambda row: (row["identifier"], row["methodology"], str(row["period_from"]), row["valid_from"])
    )


def flattened(tree: dict) -> dict:
    """A record as the CSV flattened it: leaf names in document order, a repeated leaf suffixed _2, _3; thresholds as
    <Threshold>_Amt / _Nb; attributes left out."""
    flat, seen = {}, Counter()

    def walk(node, parent: str):
        for name, value in node.items():
            if name[0] in "@#":
                continue
            for item in value if isinstance(value, list) else [value]:
                if isinstance(item, dict) and "#text" not in item:
                    walk(item, name)
                    continue
                text = item["#text"] if isinstance(item, dict) else item
                key = f"{parent}_{name}" if parent in THRESHOLDS else name
                seen[key] += 1
                flat[key if seen[key] == 1 else f"{key}_{seen[key]}"] = text

    walk(tree, "")
    return flat


def real_rows() -> list[dict]:
    with open(FIXTURES / "FITRS_20250830_sample_rows_flattened.csv", newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def write(folder: Path, name: str, trees: list[dict]) -> Path:
    """A FITRS file of these record trees; kind and date from its ESMA name."""
    kind = EQUITY if "ECR" in name else NON_EQUITY
    day = name.split("_")[1]
    path = folder / name
    fitrs_file_write(path, kind, trees, reporting_date=f"{day[:4]}-{day[4:6]}-{day[6:]}")
    return path


def bond(isin: str, start: str, end: str, number: int = 1, **elements) -> dict:
    """A non-equity ISIN record with its sub-class and the elements given (Lqdty, thresholds as amounts)."""
    tree = {
        "TechRcrdId": str(number),
        "Id": {
            "ISINAndSubClss": {
                "ISIN": isin,
                "DerivSubClss": {"Desc": "Corporate bond", "SgmttnCrit": [{"CritNm": "SACL", "CritVal": "BOND5"}]},
                "FinInstrmClssfctn": "BOND",
            }
        },
        "RptgPrd": {"FrDtToDt": {"FrDt": start, "ToDt": end}},
    }
    for name, value in elements.items():
        tree[name] = {"Amt": {"@Ccy": "EUR", "#text": value}} if name in THRESHOLDS else value
    return tree


ISIN = "XS2749349564"
OTHER = "FR001400M8T2"


def test_every_field_of_the_112_real_records_lands_where_it_belongs():
    runs = fitrs_load_paths([REAL])
    assert [run.status for run in runs] == ["succeeded"] * 38
    assert sum(run.records_inserted for run in runs) == 112 and not any(run.records_rejected for run in runs)
    stored = {
        (row.source_file.removesuffix(".xml"), row.record["TechRcrdId"]): row for row in Transparency.objects.all()
    }
    rows = real_rows()
    assert len(stored) == len(rows) == 112
    for row in rows:
        given = {name: value for name, value in row.items() if value and name != "source_file"}
        record = stored[(row["source_file"], row["TechRcrdId"])]
        where = f"{row['source_file']} record {row['TechRcrdId']}"
        assert flattened(record.record) == given, where  # the whole record, every field the CSV holds
        equity = row["source_file"].startswith("FULECR")
        assert (record.is_equity, record.is_subclass, record.valid_to) == (equity, False, None), where
        assert record.file_type == row["source_file"][:6] and record.valid_from == date(2025, 8, 30), where
        assert record.identifier == (row["Id"] if equity else row["ISIN"]), where
        assert record.classification == row["FinInstrmClssfctn"], where
        assert record.methodology == row["Mthdlgy"], where
        assert (str(record.period_from), str(record.period_to)) == (row["FrDt"], row["ToDt"]), where
        assert record.liquid == {"true": True, "false": False, "": None}[row["Lqdty"]], where
        for element, column in THRESHOLDS.items():
            value = row[f"{element}_Amt"] or row[f"{element}_Nb"]
            assert getattr(record, column) == (Decimal(value) if value else None), (where, column)
        assert record.threshold_currency == ("EUR" if row["PreTradLrgInScaleThrshld_Amt"] else ""), where
        assert record.subclass_description == row["Desc"], where
        pairs = [(row[f"CritNm{s}"], row[f"CritVal{s}"]) for s in ["", "_2", "_3", "_4", "_5", "_6", "_7"]]
        assert record.criteria == [{"name": n, "value": v} for n, v in pairs if n], where
        assert (record.most_relevant_market, record.standard_market_size, record.average_daily_turnover) == (
            row["Id_2"],
            Decimal(row["StdMktSz"]) if row["StdMktSz"] else None,
            Decimal(row["AvrgDalyTrnvr"]) if row["AvrgDalyTrnvr"] else None,
        ), where


def test_hand_written_records_fill_every_promoted_column():
    fitrs_load_paths([FIXTURES / "FULECR_20260404_E_1of1_full_statistics.xml"])
    fitrs_load_paths([FIXTURES / "FULNCR_20260404_O_1of1_subclasses.xml"])
    year = Transparency.objects.get(identifier="DE0007164600", methodology="YEAR")
    assert (year.liquid, year.most_relevant_market, year.classification) == (True, "XETR", "SHRS")
    assert (year.standard_market_size, year.average_daily_turnover) == (Decimal("20000"), Decimal("412345678.12345"))
    assert year.average_daily_transactions == Decimal("27065.41")
    assert year.valid_from == date(2026, 4, 4)  # no date in the name: the header's (its RptgPrd end is 2025-12-31)
    estimate = Transparency.objects.get(identifier="DE0007164600", methodology="ESTM")
    assert (estimate.period_from, estimate.standard_market_size) == (None, Decimal("10000"))
    subclass = Transparency.objects.get(is_subclass=True)
    assert (subclass.asset_class, subclass.pre_trade_lis_threshold, subclass.threshold_currency) == (
        "COMM",
        Decimal("250"),
        "",
    )


def test_the_sample_set_loads_in_esma_order_with_its_delta():
    assert [path.name for path in fitrs_paths([SAMPLES])][-1] == "DLTNCR_20250906_1of1.zip"
    out = StringIO()
    call_command("load_fitrs", str(SAMPLES), stdout=out)
    assert "files 39, records read 114, inserted 112, updated 2, unchanged 0, rejected 0" in out.getvalue()
    versions = list(Transparency.objects.filter(identifier=OTHER, period_from=date(2025, 4, 1)).order_by("valid_from"))
    assert [(v.liquid, v.valid_from, v.valid_to) for v in versions] == [
        (False, date(2025, 8, 30), date(2025, 9, 5)),
        (True, date(2025, 9, 6), None),
    ]


def test_a_newer_calculation_closes_the_older_one_and_the_same_changes_nothing(tmp_path):
    first = write(
        tmp_path,
        "FULNCR_20250830_D_1of1.xml",
        [
            bond(ISIN, "2024-01-01", "2024-12-31", 1, PreTradLrgInScaleThrshld="1500000"),
            bond(ISIN, "2025-04-01", "2025-06-30", 2, Lqdty="false"),
            bond(OTHER, "2025-04-01", "2025-06-30", 3, Lqdty="false"),
        ],
    )
    later = write(
        tmp_path,
        "FULNCR_20251129_D_1of1.xml",
        [
            bond(ISIN, "2024-01-01", "2024-12-31", 7, PreTradLrgInScaleThrshld="1800000"),  # recalculated
            bond(ISIN, "2025-04-01", "2025-06-30", 8, Lqdty="false"),  # the same (another TechRcrdId)
            bond(OTHER, "2025-07-01", "2025-09-30", 9, Lqdty="true"),  # a new period: a new key
        ],
    )
    assert fitrs_load_file(first).records_inserted == 3
    run = fitrs_load_file(later)
    assert (run.records_inserted, run.records_updated, run.records_unchanged) == (1, 1, 1)
    versions = Transparency.objects.filter(identifier=ISIN, period_from=date(2024, 1, 1)).order_by("valid_from")
    assert [(v.pre_trade_lis_threshold, v.valid_from, v.valid_to, v.source_file) for v in versions] == [
        (Decimal("1500000"), date(2025, 8, 30), date(2025, 11, 28), first.name),
        (Decimal("1800000"), date(2025, 11, 29), None, later.name),
    ]
    same = Transparency.objects.get(identifier=ISIN, period_from=date(2025, 4, 1))
    assert (same.valid_from, same.valid_to, same.record["TechRcrdId"]) == (date(2025, 8, 30), None, "2")
    assert Transparency.objects.filter(identifier=OTHER, valid_to__isnull=True).count() == 2  # both periods open


def test_a_delta_applies_the_same_rules_and_an_older_file_changes_nothing(tmp_path):
    fitrs_load_file(write(tmp_path, "FULECR_20250830_E_1of1.xml", list(fitrs_synth_trees(EQUITY, 30, seed=5))))
    changed = list(fitrs_synth_trees(EQUITY, 3, seed=5))
    changed[0]["Sttstcs"] = {"TtlNbOfTxsExctd": "1", "TtlVolOfTxsExctd": "2.5"} | (
        {"StdMktSz": "30000"} if "StdMktSz" in changed[0].get("Sttstcs", {}) else {}
    )
    delta = write(tmp_path, "DLTECR_20250902_1of1.xml", changed)
    run = fitrs_load_file(delta)
    assert (run.file_type, run.records_updated, run.records_unchanged, run.records_inserted) == ("DLTECR", 1, 2, 0)
    isin = changed[0]["Id"]
    versions = Transparency.objects.filter(identifier=isin, methodology=changed[0]["Mthdlgy"]).order_by("valid_from")
    assert [(v.valid_from, v.valid_to, v.file_type) for v in versions] == [
        (date(2025, 8, 30), date(2025, 9, 1), "FULECR"),
        (date(2025, 9, 2), None, "DLTECR"),
    ]
    before = table_state()
    older = write(tmp_path, "DLTECR_20250801_1of1.xml", [changed[0] | {"Sttstcs": {"TtlNbOfTxsExctd": "9"}}])
    assert fitrs_load_file(older).records_unchanged == 1  # a calculation older than the stored one is left out
    assert table_state() == before


def test_the_same_key_twice_in_a_file_or_on_a_day_keeps_the_last(tmp_path):
    path = write(
        tmp_path,
        "FULNCR_20250830_D_1of1.xml",
        [
            bond(ISIN, "2024-01-01", "2024-12-31", 1, Lqdty="false"),
            bond(ISIN, "2024-01-01", "2024-12-31", 2, Lqdty="true"),
        ],
    )
    fitrs_load_file(path)
    same_day = write(tmp_path, "DLTNCR_20250830_1of1.xml", [bond(ISIN, "2024-01-01", "2024-12-31", 1, Lqdty="false")])
    assert [(v.liquid, v.valid_to) for v in Transparency.objects.all()] == [(True, None)]
    run = fitrs_load_file(same_day)
    assert run.records_updated == 1
    assert [(v.liquid, v.valid_from, v.valid_to) for v in Transparency.objects.all()] == [
        (False, date(2025, 8, 30), None)
    ]


def test_loading_twice_changes_nothing_also_with_force(tmp_path):
    path = tmp_path / "FULNCR_20250830_X_1of1.zip"
    fitrs_synth_write(path, 3000, seed=8)
    first = fitrs_load_file(path)
    assert (first.status, first.records_inserted) == ("succeeded", 3000 - first.records_unchanged)
    state = table_state()
    again = fitrs_load_file(path)
    assert (again.status, again.records_unchanged) == ("skipped", 3000)
    forced = fitrs_load_file(path, force=True)
    assert (forced.status, forced.records_inserted, forced.records_updated, forced.records_unchanged) == (
        "succeeded",
        0,
        0,
        3000,
    )
    assert table_state() == state


def test_invalid_records_are_rejected_with_reasons_the_rest_loads(tmp_path):
    path = write(
        tmp_path,
        "FULNCR_20250830_D_1of1.xml",
        [
            bond(ISIN, "2024-01-01", "2024-12-31", 1),
            bond("XS2749349565", "2024-01-01", "2024-12-31", 2),  # wrong check digit
            bond("QZ0000000001", "2024-01-01", "2024-12-31", 3),
            bond(OTHER, "2024-01-01", "2023-12-31", 4),
            bond(OTHER, "2024-01-01", "2024-12-31", 5, Lqdty="ja"),
        ],
    )
    run = fitrs_load_file(path)
    assert (run.status, run.records_read, run.records_inserted, run.records_rejected) == ("succeeded", 5, 1, 4)
    reasons = {sample["record"]: sample["reason"] for sample in run.rejected_sample}
    assert reasons["record 2 (line 4) XS2749349565"].startswith("ISIN 'XS2749349565'")
    assert "country prefix 'QZ'" in reasons["record 3 (line 5) QZ0000000001"]
    assert reasons["record 4 (line 6) FR001400M8T2"] == "RptgPrd: ToDt 2023-12-31 is before FrDt 2024-01-01"
    assert reasons["record 5 (line 7) FR001400M8T2"] == "Lqdty 'ja' is not true or false"
    assert list(Transparency.objects.values_list("identifier", flat=True)) == [ISIN]


@pytest.mark.parametrize(
    "fault", ["truncated zip", "malformed XML", "a FIRDS file", "equity records in an NCR file", "empty file"]
)
def test_file_faults_fail_the_run_and_lose_nothing_stored(tmp_path, fault):
    fitrs_load_file(write(tmp_path, "FULNCR_20250830_D_1of1.xml", [bond(ISIN, "2024-01-01", "2024-12-31")]))
    before = table_state()
    path = tmp_path / "FULNCR_20250906_D_1of1.zip"
    if fault == "truncated zip":
        fitrs_synth_write(path, 6000, seed=9)
        data = path.read_bytes()
        path.write_bytes(data[: len(data) * 2 // 3])  # cut mid-stream: records before the cut were read
    elif fault == "malformed XML":
        path = path.with_suffix(".xml")
        fitrs_synth_write(path, 50, seed=9)
        text = path.read_text(encoding="utf-8")
        path.write_text(text.replace("</NonEqtyTrnsprncyData>", "</NonEqty>", 30), encoding="utf-8")
    elif fault == "a FIRDS file":
        path = tmp_path / FIRDS_SAMPLE.name
        path.write_bytes(FIRDS_SAMPLE.read_bytes())
    elif fault == "equity records in an NCR file":
        path = tmp_path / "FULNCR_20250906_E_1of1.xml"
        fitrs_file_write(path, EQUITY, fitrs_synth_trees(EQUITY, 5), reporting_date="2025-09-06")
    else:
        path.write_bytes(b"")
    run = fitrs_load_file(path)
    assert run.status == "failed"
    assert path.name in run.error
    assert "line" in run.error or "record" in run.error or "holds" in run.error or "empty" in run.error
    if fault == "a FIRDS file":
        assert "wrong message type: FinInstrmRptgRefDataRpt is not a FITRS transparency report" in run.error
    if fault == "equity records in an NCR file":
        assert "wrong message type: a FULNCR file holds equity records" in run.error
    assert table_state() == before
    assert IngestionRun.objects.filter(status="failed", file_name=path.name, source="fitrs").count() == 1


def test_command_summary_dates_and_failure_exit(tmp_path):
    with pytest.raises(CommandError, match=r"FULINS_E_20250830_01of01.zip failed: FitrsFileError: .*wrong message"):
        call_command("load_fitrs", str(FIRDS_SAMPLE), stdout=StringIO())
    with pytest.raises(CommandError, match="either PATH"):
        call_command("load_fitrs", stdout=StringIO())
    nameless = write(tmp_path, "FULECR_20250830_E_1of1.xml", [bond(ISIN, "2024-01-01", "2024-12-31")])
    renamed = nameless.rename(tmp_path / "calculations.xml")
    renamed.write_text(renamed.read_text().replace("<RptgPrd><Dt>2025-08-30</Dt></RptgPrd>", ""))
    with pytest.raises(CommandError, match="calculations.xml failed: .*no publication date"):
        call_command("load_fitrs", str(renamed), stdout=StringIO())


def test_esma_names_sort_by_date_full_before_delta():
    names = [
        "DLTNCR_20250906_1of1.zip",
        "FULNCR_20250906_E_1of1.zip",
        "FULNCR_20250830_O_10of13.zip",
        "FULNCR_20250830_O_2of13.zip",
        "FULECR_20250830_R_1of1.zip",
    ]
    assert sorted(names, key=fitrs_sort_key) == [
        "FULECR_20250830_R_1of1.zip",
        "FULNCR_20250830_O_2of13.zip",
        "FULNCR_20250830_O_10of13.zip",
        "FULNCR_20250906_E_1of1.zip",
        "DLTNCR_20250906_1of1.zip",
    ]


def test_the_loader_and_the_service_agree_on_the_column_order():
    assert DATA_COLUMNS == TRANSPARENCY_DATA_COLUMNS


def test_fresh_isins_of_the_generator_are_valid(tmp_path):
    path = tmp_path / "FULECR_20250830_X_1of1.zip"
    fitrs_synth_write(path, 500, seed=2)
    run = fitrs_load_file(path)
    assert (run.records_read, run.records_rejected) == (500, 0)
    assert make_isin(1)  # the factories' ISINs and the generator's share the check digit rule


def test_a_growing_load_refreshes_the_planner_statistics_of_the_lookup_columns(monkeypatch, tmp_path):
    """On PostgreSQL the loader analyses the table's look-up columns as a file grows it (after 20k rows, then at each
    doubling), so the open-version look-up probes the key index instead of scanning; elsewhere it is a no-op."""
    from django.db import connection

    from ingestion.loaders import fitrs as loader

    def analysed() -> set[str]:
        with connection.cursor() as cursor:
            cursor.execute("SELECT attname FROM pg_stats WHERE tablename = %s", [Transparency._meta.db_table])
            return {name for (name,) in cursor.fetchall()}

    monkeypatch.setattr(loader, "ANALYZE_FROM_ROWS", 100)  # 300 records stand in for a large file
    postgresql = connection.vendor == "postgresql"
    if postgresql:
        assert analysed() == set()
    path = tmp_path / "FULNCR_20250830_X_1of1.xml"
    fitrs_synth_write(path, 300, seed=6)
    run = fitrs_load_file(path)
    assert run.status == "succeeded" and run.records_inserted > 100
    if postgresql:
        assert analysed() == {"identifier", "valid_to"}
