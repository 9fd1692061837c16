"""Build the shipped FIRDS sample set (samples/firds/) from real ESMA records.

Input: tests/fixtures/firds/FULINS_20250830_sample_rows_flattened.csv (142 real RefData rows of the
2025-08-30 full set, flattened to Parent_Child column names) and the real XML fragments beside it.
Output: one FULINS zip per CFI category letter, and one DLTINS zip after them built from the real
later versions (the Kingfish ModfdRcrd of 2025-11-18, two real TermntdRcrd) plus a cancellation of one
sample row. Run: .venv/bin/python scripts/make_firds_samples.py
"""

import csv
import re
import sys
from collections import defaultdict
from pathlib import Path

from lxml import etree

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ingestion.parsers.firds.reader import element_tree  # noqa: E402
from ingestion.parsers.firds.writer import firds_file_write  # noqa: E402

FIXTURES = ROOT / "tests" / "fixtures" / "firds"
OUT = ROOT / "samples" / "firds"
FULL_DATE = "20250830"
DELTA_DATE = "20251118"
TOOL_ARTIFACTS = {"NOISINFOUND9"}  # written by the tool that flattened the CSV, not ESMA data
CURRENCY_AMOUNTS = {
    ("DebtInstrmAttrbts", "TtlIssdNmnlAmt"),
    ("DebtInstrmAttrbts", "NmnlValPerUnit"),
    ("DerivInstrmAttrbts", "StrkPric", "Pric", "MntryVal", "Amt"),
}


def xml_value(value: str) -> str:
    """Undo the CSV's type coercion: True/False to XML booleans, 1.0 to 1."""
    if value in ("True", "False"):
        return value.lower()
    if re.fullmatch(r"-?\d+\.0", value):
        return value[:-2]
    return value


def row_tree(row: dict) -> dict:
    """A CSV row (Parent_Child columns) as the record's attribute tree."""
    tree: dict = {}
    for column, value in row.items():
        if column == "source_file" or not value or value in TOOL_ARTIFACTS:
            continue
        path = ["FinInstrmGnlAttrbts", "Id"] if column == "Id" else column.split("_")
        node = tree
        for name in path[:-1]:
            node = node.setdefault(name, {})
        value = xml_value(value)
        if tuple(path) in CURRENCY_AMOUNTS:  # the CSV dropped the Ccy attribute: the notional currency
            value = {"@Ccy": row["FinInstrmGnlAttrbts_NtnlCcy"], "#text": value}
        node[path[-1]] = value
    return tree


def fragment_tree(name: str, tag: str) -> dict:
    """The attribute tree of the one `tag` record in a real XML fragment."""
    root = etree.parse(str(FIXTURES / name)).getroot()
    element = root if etree.QName(root).localname == tag else root.find(f".//{{*}}{tag}")
    return element_tree(element)


def main() -> None:
    """Write the sample zips."""
    OUT.mkdir(parents=True, exist_ok=True)
    with open(FIXTURES / "FULINS_20250830_sample_rows_flattened.csv", newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    by_letter = defaultdict(list)
    for row in rows:
        by_letter[row["source_file"].split("_")[1]].append(row_tree(row))
    for letter, trees in sorted(by_letter.items()):
        path = OUT / f"FULINS_{letter}_{FULL_DATE}_01of01.zip"
        count = firds_file_write(path, "FULINS", trees, reporting_date="2025-08-30")
        print(f"{path.relative_to(ROOT)}: {count} records")

    cancelled = next(row_tree(row) for row in rows if row["TradgVnRltdAttrbts_Id"] == "FRAV")
    cancelled["TechAttrbts"]["PblctnPrd"] = {"FrDt": "2025-11-18"}
    delta = [
        ("MODIFIED", fragment_tree("FULINS_E_20260815_RefData_Kingfish_fragment.xml", "RefData")),
        ("TERMINATED", fragment_tree("DLTINS_20210118_01of01_excerpt.xml", "TermntdRcrd")),
        ("TERMINATED", fragment_tree("DLTINS_2021_TermntdRcrd_KfW_bond_fragment.xml", "TermntdRcrd")),
        ("CANCELLED", cancelled),
    ]
    path = OUT / f"DLTINS_{DELTA_DATE}_01of01.zip"
    count = firds_file_write(path, "DLTINS", delta, reporting_date="2025-11-18")
    print(f"{path.relative_to(ROOT)}: {count} records")


if __name__ == "__main__":
    main()
