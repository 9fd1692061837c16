"""FITRS parser and record checks on small files, without a database: hand-written schema fixtures, the real rows
rebuilt as XML, the generator round trip, bad input."""

import csv
import zipfile
from collections import defaultdict
from pathlib import Path

import orjson
import pytest

from benchmarks.fitrs_load import fitrs_synth_trees, fitrs_synth_write
from ingestion.loaders.fitrs import DATA_COLUMNS, RecordProblem, batches_prepare_fitrs, record_values
from ingestion.parsers.fitrs import EQUITY, NON_EQUITY, FitrsFileError, FitrsFileInfo, FitrsRecord, iter_records
from ingestion.parsers.fitrs.stream import iter_batches
from ingestion.parsers.fitrs.writer import fitrs_file_write
from tests.factories import make_isin

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "fitrs"
EQUITY_FILE = FIXTURES / "FULECR_20260404_E_1of1_full_statistics.xml"
SUBCLASS_FILE = FIXTURES / "FULNCR_20260404_O_1of1_subclasses.xml"
FIRDS_SAMPLE = ROOT / "samples" / "firds" / "FULINS_E_20250830_01of01.zip"


THRESHOLD_COLUMNS = [
    "pre_trade_lis_threshold",
    "post_trade_lis_threshold",
    "pre_trade_ssti_threshold",
    "post_trade_ssti_threshold",
]


def _values(record: FitrsRecord) -> dict:
    return dict(zip(DATA_COLUMNS, record_values(record), strict=True))


def _one_unwrapped(value):
    """A tree as the reader gives it back: a list of one element is that element (XML does not say list)."""
    if isinstance(value, list):
        return _one_unwrapped(value[0]) if len(value) == 1 else [_one_unwrapped(item) for item in value]
    if isinstance(value, dict):
        return {key: _one_unwrapped(item) for key, item in value.items()}
    return value


def test_an_equity_record_comes_out_whole_whatever_the_namespace_prefixes():
    info = FitrsFileInfo()
    first, second = list(iter_records(EQUITY_FILE, info))
    assert (info.kind, info.message_type, info.business_message_id) == (
        EQUITY,
        "auth.044.001.02",
        "FULECR_20260404_E_1of1",
    )
    assert info.reporting_date == "2025-12-31" and info.submitted == "2026-04-04T05:00:00Z"
    assert (first.number, first.line, second.number) == (1, 8, 2)
    assert first.tree == {
        "TechRcrdId": "1",
        "Id": "DE0007164600",
        "FinInstrmClssfctn": "SHRS",
        "FullNm": "SAP SE",
        "RptgPrd": {"FrDtToDt": {"FrDt": "2025-01-01", "ToDt": "2025-12-31"}},
        "Lqdty": "true",
        "Mthdlgy": "YEAR",
        "Sttstcs": {
            "AvrgDalyTrnvr": {"@Ccy": "EUR", "#text": "412345678.12345"},
            "AvrgTxVal": {"@Ccy": "EUR", "#text": "15234.5"},
            "LrgInScale": "1200000",
            "StdMktSz": "20000",
            "AvrgDalyNbOfTxs": "27065.41",
            "TtlNbOfTxsExctd": "6901680",
            "TtlVolOfTxsExctd": "105148147890.5",
            "TtlNbOfTradgDays": "255",
        },
        "RlvntMkt": {"Id": "XETR", "AvrgDalyNbOfTxs": "19873.2"},
    }


def test_equity_promoted_values():
    first, second = list(iter_records(EQUITY_FILE))
    values = _values(first)
    assert values | {"record": None, "record_digest": None} == {
        "identifier": "DE0007164600",
        "is_subclass": False,
        "is_equity": True,
        "classification": "SHRS",
        "methodology": "YEAR",
        "period_from": "2025-01-01",
        "period_to": "2025-12-31",
        "period_key": "2025-01-01/2025-12-31",
        "liquid": True,
        "most_relevant_market": "XETR",
        "standard_market_size": "20000",
        "average_daily_turnover": "412345678.12345",
        "average_daily_transactions": "27065.41",
        "pre_trade_lis_threshold": None,
        "post_trade_lis_threshold": None,
        "pre_trade_ssti_threshold": None,
        "post_trade_ssti_threshold": None,
        "threshold_currency": "",
        "asset_class": "",
        "subclass_description": "",
        "criteria": "[]",
        "record": None,
        "record_digest": None,
    }
    assert orjson.loads(values["record"]) == first.tree
    estimate = _values(second)  # no period, no liquidity: an ESTM standard market size alone
    assert (estimate["methodology"], estimate["period_from"], estimate["period_key"]) == ("ESTM", None, "")
    assert estimate["liquid"] is None
    assert estimate["standard_market_size"] == "10000"


def test_a_subclass_record_without_isin_and_thresholds_as_numbers():
    subclass, bond = list(iter_records(SUBCLASS_FILE))
    values = _values(subclass)
    assert values["is_subclass"] and not values["is_equity"]
    assert values["identifier"].startswith("COMM-") and len(values["identifier"]) <= 60
    assert (values["asset_class"], values["classification"], values["liquid"]) == ("COMM", "DERV", True)
    assert values["subclass_description"] == "Agricultural commodity futures"
    assert orjson.loads(values["criteria"]) == [{"name": "SACL", "value": "COF01"}, {"name": "UINS", "value": "Wheat"}]
    assert [values[name] for name in THRESHOLD_COLUMNS] == ["250", "500", "200", "450"]
    assert values["threshold_currency"] == ""
    assert _values(subclass)["identifier"] == values["identifier"]  # stable: the same sub-class, the same key
    other = FitrsRecord(1, 1, NON_EQUITY, orjson.loads(orjson.dumps(subclass.tree)))
    other.tree["Id"]["AsstClssAndSubClss"]["DerivSubClss"]["SgmttnCrit"][1]["CritVal"] = "Maize"
    assert _values(other)["identifier"] != values["identifier"]
    bond_values = _values(bond)
    assert (bond_values["identifier"], bond_values["is_subclass"], bond_values["threshold_currency"]) == (
        "XS2749349564",
        False,
        "EUR",
    )
    assert [bond_values[name] for name in THRESHOLD_COLUMNS] == ["1500000", "3500000", "600000", "2000000"]
    assert bond_values["subclass_description"] == "Corporate bond"


def test_the_digest_ignores_the_technical_record_id_only():
    first, _ = list(iter_records(EQUITY_FILE))
    digest = _values(first)["record_digest"]
    first.tree["TechRcrdId"] = "99"
    assert _values(first)["record_digest"] == digest
    first.tree["Lqdty"] = "false"
    assert _values(first)["record_digest"] != digest


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (lambda tree: tree.update(Id="DE0007164601"), "ISIN 'DE0007164601'"),
        (lambda tree: tree.update(Lqdty="maybe"), "Lqdty 'maybe' is not true or false"),
        (lambda tree: tree["Sttstcs"].update(StdMktSz="lots"), "Sttstcs/StdMktSz 'lots' is not a number"),
        (lambda tree: tree["Sttstcs"].update(StdMktSz="1e30"), "Sttstcs/StdMktSz 1e30 is too large"),
        (lambda tree: tree["RptgPrd"]["FrDtToDt"].update(ToDt="2024-01-01"), "ToDt 2024-01-01 is before FrDt"),
        (lambda tree: tree["RptgPrd"]["FrDtToDt"].update(FrDt="2025-13-01"), "RptgPrd/FrDt '2025-13-01'"),
        (lambda tree: tree["RlvntMkt"].update(Id="X-1"), "RlvntMkt/Id 'X-1'"),
    ],
)
def test_values_that_cannot_be_stored_are_named(change, reason):
    first, _ = list(iter_records(EQUITY_FILE))
    change(first.tree)
    with pytest.raises(RecordProblem, match=reason.replace("(", r"\(")):
        record_values(first)


def test_rejected_records_travel_with_label_and_reason(tmp_path):
    path = tmp_path / "FULNCR_20260404_D_1of1.xml"
    trees = list(fitrs_synth_trees(NON_EQUITY, 3, seed=4))
    for tree in trees:
        tree["Id"] = {"ISINAndSubClss": {"ISIN": make_isin(7), "FinInstrmClssfctn": "BOND"}}
    trees[1]["Id"]["ISINAndSubClss"]["ISIN"] = "XS000000000"
    fitrs_file_write(path, NON_EQUITY, trees, reporting_date="2026-04-04")
    info = FitrsFileInfo()
    (batch,) = batches_prepare_fitrs(iter_records(path, info), info, 10)
    payload = orjson.loads(batch)
    assert (payload["kind"], payload["date"]) == (NON_EQUITY, "2026-04-04")
    assert (
        payload["read"] == 3 and [row[0] for row in payload["rows"]] == [trees[0]["Id"]["ISINAndSubClss"]["ISIN"]] * 2
    )
    assert all(len(row) == len(DATA_COLUMNS) for row in payload["rows"])
    ((label, reason),) = payload["rejected"]
    assert label == "record 2 (line 4) XS000000000"  # the header fills line 2
    assert reason.startswith("ISIN 'XS000000000'")


def test_generator_round_trip_and_parallel_batches_match(tmp_path):
    path = tmp_path / "FULNCR_20250830_X_1of1.zip"
    fitrs_synth_write(path, 2500, seed=3)
    assert [record.tree for record in iter_records(path)] == [
        _one_unwrapped(tree) for tree in fitrs_synth_trees(NON_EQUITY, 2500, seed=3)
    ]
    in_process = list(iter_batches(path, prepare=batches_prepare_fitrs, batch_size=1000, parallel=False))
    info = FitrsFileInfo()
    parallel = list(iter_batches(path, prepare=batches_prepare_fitrs, batch_size=1000, parallel=True, info=info))
    assert parallel == in_process and len(parallel) == 3
    assert info.kind == NON_EQUITY and info.message_type == "auth.045.001.03"


def test_a_firds_file_is_the_wrong_message_type():
    with pytest.raises(FitrsFileError, match="wrong message type: FinInstrmRptgRefDataRpt is not a FITRS") as error:
        list(iter_records(FIRDS_SAMPLE))
    assert error.value.file_name.startswith("FULINS_E_20250830_01of01.zip")


def test_malformed_xml_names_file_line_and_record(tmp_path):
    text = SUBCLASS_FILE.read_text()
    cut = text.index("<TechRcrdId>2</TechRcrdId>")
    broken = tmp_path / "FULNCR_20260404_O_1of1.xml"
    broken.write_text(text[:cut] + "<Lqdty>true</Lqty>" + text[cut:])
    with pytest.raises(FitrsFileError, match="malformed XML") as error:
        list(iter_records(broken))
    assert (error.value.record, error.value.line) == (1, text[:cut].count("\n") + 1)
    assert "FULNCR_20260404_O_1of1.xml" in str(error.value) and "after record 1" in str(error.value)


def test_a_truncated_zip_is_a_file_error(tmp_path):
    whole = tmp_path / "whole.zip"
    fitrs_synth_write(tmp_path / "FULECR_20250830_X_1of1.zip", 3000, seed=2)
    data = (tmp_path / "FULECR_20250830_X_1of1.zip").read_bytes()
    whole.write_bytes(data[: len(data) // 2])
    with pytest.raises(FitrsFileError, match="truncated or corrupt"):
        list(iter_records(whole))


def test_a_doctype_is_refused(tmp_path):
    path = tmp_path / "FULECR_20260404_E_1of1.xml"
    text = EQUITY_FILE.read_text().replace("<h:BizData", '<!DOCTYPE x [<!ENTITY e "boom">]>\n<h:BizData', 1)
    path.write_text(text)
    with pytest.raises(FitrsFileError, match="DOCTYPE declaring the entities e"):
        list(iter_records(path))


def test_records_outside_a_transparency_report_are_refused(tmp_path):
    path = tmp_path / "x.xml"
    path.write_text(
        "<Document><Other><NonEqtyTrnsprncyData><TechRcrdId>1</TechRcrdId></NonEqtyTrnsprncyData></Other></Document>"
    )
    with pytest.raises(FitrsFileError, match="wrong message type: NonEqtyTrnsprncyData outside a FITRS report"):
        list(iter_records(path))


def test_the_real_rows_are_rebuilt_in_the_schema_shape():
    """Every rebuilt file is the kind its name says and holds the real records of its source, in order."""
    with open(FIXTURES / "FITRS_20250830_sample_rows_flattened.csv", newline="", encoding="utf-8") as handle:
        expected = defaultdict(list)
        for row in csv.DictReader(handle):
            expected[row["source_file"]].append(row["TechRcrdId"])
    paths = sorted((FIXTURES / "real").glob("*.xml"))
    assert [path.stem for path in paths] == sorted(expected) and len(paths) == 38
    for path in paths:
        info = FitrsFileInfo()
        records = list(iter_records(path, info))
        assert info.kind == (EQUITY if path.name.startswith("FULECR") else NON_EQUITY), path.name
        assert [record.tree["TechRcrdId"] for record in records] == expected[path.stem], path.name
    with zipfile.ZipFile(ROOT / "samples" / "fitrs" / "FULNCR_20250830_H_1of3.zip") as archive:
        assert archive.namelist() == ["FULNCR_20250830_H_1of3.xml"]
