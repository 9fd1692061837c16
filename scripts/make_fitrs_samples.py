"""Build the FITRS sample set (samples/fitrs/) and test fixtures (tests/fixtures/fitrs/real/) from real ESMA records.

Input: tests/fixtures/fitrs/FITRS_20250830_sample_rows_flattened.csv, 112 real records (the first three of each of
the 38 FULECR/FULNCR parts of 2025-08-30), flattened to leaf names (a repeated leaf suffixed _2, _3; thresholds as
<Threshold>_Amt / _Nb). Each row is rebuilt as its record in the schema's shape (auth.044.001.02
EqtyTrnsprncyData, auth.045.001.03 NonEqtyTrnsprncyData) and written to a file of its source's name: XML in
tests/fixtures/fitrs/real/, zipped in samples/fitrs/. The flattening dropped the amounts' Ccy attribute: it is
written as EUR, the currency ESMA publishes thresholds in. One delta after them (DLTNCR_20250906_1of1) carries a
newer calculation for two of the real keys (values changed, so marked derived). Run:
.venv/bin/python scripts/make_fitrs_samples.py
"""

import csv
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ingestion.parsers.fitrs import EQUITY, NON_EQUITY  # noqa: E402
from ingestion.parsers.fitrs.writer import fitrs_file_write  # noqa: E402

FIXTURES = ROOT / "tests" / "fixtures" / "fitrs"
CSV = FIXTURES / "FITRS_20250830_sample_rows_flattened.csv"
XML_OUT = FIXTURES / "real"
ZIP_OUT = ROOT / "samples" / "fitrs"
DATE = "2025-08-30"
THRESHOLDS = (
    "PreTradLrgInScaleThrshld",
    "PstTradLrgInScaleThrshld",
    "PreTradInstrmSzSpcfcThrshld",
    "PstTradInstrmSzSpcfcThrshld",
)
CURRENCY = "EUR"


def _period(row: dict) -> dict:
    return {"RptgPrd": {"FrDtToDt": {"FrDt": row["FrDt"], "ToDt": row["ToDt"]}}} if row["FrDt"] else {}


def _amount(value: str) -> dict:
    return {"@Ccy": CURRENCY, "#text": value}


def equity_tree(row: dict) -> dict:
    """An EqtyTrnsprncyData record (TransparencyDataReport17) from a flattened FULECR row."""
    tree = {"TechRcrdId": row["TechRcrdId"], "Id": row["Id"], "FinInstrmClssfctn": row["FinInstrmClssfctn"]}
    tree |= _period(row)
    for name in ("Lqdty", "Mthdlgy"):
        if row[name]:
            tree[name] = row[name]
    statistics = {}
    for name in ("AvrgDalyTrnvr", "AvrgTxVal"):
        if row[name]:
            statistics[name] = _amount(row[name])
    for name in ("LrgInScale", "StdMktSz", "AvrgDalyNbOfTxs", "TtlNbOfTxsExctd", "TtlVolOfTxsExctd"):
        if row[name]:
            statistics[name] = row[name]
    if statistics or row["Sttstcs"]:
        tree["Sttstcs"] = statistics or row["Sttstcs"]
    if row["Id_2"]:
        tree["RlvntMkt"] = {"Id": row["Id_2"]} | (
            {"AvrgDalyNbOfTxs": row["AvrgDalyNbOfTxs_2"]} if row["AvrgDalyNbOfTxs_2"] else {}
        )
    return tree


def non_equity_tree(row: dict) -> dict:
    """A NonEqtyTrnsprncyData record (TransparencyDataReport20) from a flattened FULNCR row."""
    criteria = []
    for suffix in ["", *(f"_{n}" for n in range(2, 8))]:
        if row.get(f"CritNm{suffix}"):
            criteria.append({"CritNm": row[f"CritNm{suffix}"], "CritVal": row[f"CritVal{suffix}"]})
    subclass = ({"Desc": row["Desc"]} if row["Desc"] else {}) | {"SgmttnCrit": criteria}
    identification = {"ISIN": row["ISIN"], "DerivSubClss": subclass, "FinInstrmClssfctn": row["FinInstrmClssfctn"]}
    tree = {"TechRcrdId": row["TechRcrdId"], "Id": {"ISINAndSubClss": identification}}
    tree |= _period(row)
    if row["Lqdty"]:
        tree["Lqdty"] = row["Lqdty"]
    for name in THRESHOLDS:
        if row[f"{name}_Amt"]:
            tree[name] = {"Amt": _amount(row[f"{name}_Amt"])}
        elif row[f"{name}_Nb"]:
            tree[name] = {"Nb": row[f"{name}_Nb"]}
    if row["TtlNbOfTxsExctd"]:
        tree["Sttstcs"] = {"TtlNbOfTxsExctd": row["TtlNbOfTxsExctd"], "TtlVolOfTxsExctd": row["TtlVolOfTxsExctd"]}
    return tree


def real_rows() -> dict[str, list[dict]]:
    """The CSV's rows by source file, in file order."""
    files = defaultdict(list)
    with open(CSV, newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            files[row["source_file"]].append(row)
    return files


def derived_delta() -> list[dict]:
    """Newer calculations for two real keys: FR001400M8T2's quarter turned liquid, XS2749349564's 2024 thresholds."""
    rows = {row["ISIN"] + row["FrDt"]: row for rows in real_rows().values() for row in rows if row["ISIN"]}
    liquid = non_equity_tree(rows["FR001400M8T22025-04-01"] | {"Lqdty": "true"})
    thresholds = non_equity_tree(rows["XS27493495642024-01-01"] | {"PreTradInstrmSzSpcfcThrshld_Amt": "700000"})
    return [liquid | {"TechRcrdId": "1"}, thresholds | {"TechRcrdId": "2"}]


def main() -> None:
    XML_OUT.mkdir(parents=True, exist_ok=True)
    ZIP_OUT.mkdir(parents=True, exist_ok=True)
    total = 0
    for name, rows in real_rows().items():
        kind = EQUITY if name.startswith("FULECR") else NON_EQUITY
        trees = [equity_tree(row) if kind == EQUITY else non_equity_tree(row) for row in rows]
        for folder, suffix in ((XML_OUT, ".xml"), (ZIP_OUT, ".zip")):
            fitrs_file_write(folder / f"{name}{suffix}", kind, trees, reporting_date=DATE)
        total += len(trees)
    fitrs_file_write(ZIP_OUT / "DLTNCR_20250906_1of1.zip", NON_EQUITY, derived_delta(), reporting_date="2025-09-06")
    print(f"{total} real records in {len(real_rows())} files, and one delta")


if __name__ == "__main__":
    main()
