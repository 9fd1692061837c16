"""FITRS load benchmark: a synthetic FULNCR and FULECR of N records each, load vs its parse-only ceiling, peak RSS.

Per file, in one run on the same file:
(a) parse-only ceiling: the loader's own parser and record checks (iter_records + batches_prepare_fitrs) in one
    process, nothing stored: what a load parsing in one process would reach if writing cost nothing (the load
    spreads the same work over a reader and a preparer process, so c/a can pass 1 on two cores);
(c) `manage.py load_fitrs` end to end on a fresh SQLite database (subprocess; its load time and peak RSS, which
    includes its reaped reader and preparer processes); c/a is the figure held to >= 0.8;
(d) the same on PostgreSQL when it is reachable (a scratch database, dropped afterwards).

Run: .venv/bin/python -m benchmarks.fitrs_load --records 500000 [--no-postgres] [--kinds FULNCR FULECR]
"""

import argparse
import os
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.firds_load import _manage, _postgres, _run_measured, postgres_env, sqlite_env  # noqa: E402
from ingestion.loaders.fitrs import batches_prepare_fitrs  # noqa: E402
from ingestion.parsers.fitrs import EQUITY, NON_EQUITY, FitrsFileInfo, iter_records  # noqa: E402
from ingestion.parsers.fitrs.writer import fitrs_file_write  # noqa: E402
from marketdata.identifiers import isin_check_digit  # noqa: E402

MICS = "XETR XPAR XAMS XMIL XMAD XSTO XHEL XCSE XWAR XDUB XVIE XBRU XLIS XOSL".split()
EQUITY_CLASSES = ("SHRS", "ETFS", "DPRS", "CRFT", "OTHR")
SUBCLASSES = [
    ("BOND", "Corporate bond", [("SACL", "BOND5")]),
    ("BOND", "Sovereign bond", [("SACL", "BOND1")]),
    ("DERV", "Swaptions", [("SACL", "IRD05"), ("UTYP", "XFSC"), ("NCSW", "EUR"), ("TTMO", "1"), ("TTMS", "28")]),
    ("DERV", "Stock options", [("SACL", "EQD03"), ("UINS", "DE0007164600")]),
    ("SDRV", "Securitised derivatives", [("SACL", "SDRV")]),
    ("ETCS", "Debt ETC (Exchange traded commodity)", [("SACL", "ETC")]),
]
PERIODS = [("2024-01-01", "2024-12-31"), ("2025-04-01", "2025-06-30"), ("2023-01-01", "2023-12-31")]


def _isin(rng: random.Random, country: str) -> str:
    body = country + "".join(rng.choice("0123456789ABCDEFGHJK") for _ in range(9))
    return body + str(isin_check_digit(body))


def _number(rng: random.Random, high: int) -> str:
    return f"{rng.uniform(0, high):.5f}".rstrip("0").rstrip(".")


def _period(start: str, end: str) -> dict:
    return {"RptgPrd": {"FrDtToDt": {"FrDt": start, "ToDt": end}}}


def equity_tree(rng: random.Random, number: int) -> dict:
    """An EqtyTrnsprncyData: SINT totals (two thirds, as in the 2025-08-30 set) or a yearly calculation in full."""
    isin = _isin(rng, rng.choice(("DE", "FR", "US", "IT")))
    tree = {"TechRcrdId": str(number), "Id": isin, "FinInstrmClssfctn": rng.choice(EQUITY_CLASSES)}
    if rng.random() < 0.67:
        return (
            tree
            | _period("2024-04-01", "2024-09-30")
            | {
                "Mthdlgy": "SINT",
                "Sttstcs": {"TtlNbOfTxsExctd": str(rng.randrange(1, 30000)), "TtlVolOfTxsExctd": _number(rng, 10**9)},
            }
        )
    return (
        tree
        | _period("2024-01-01", "2024-12-31")
        | {
            "Lqdty": rng.choice(("true", "false")),
            "Mthdlgy": "YEAR",
            "Sttstcs": {
                "AvrgDalyTrnvr": {"@Ccy": "EUR", "#text": _number(rng, 10**8)},
                "LrgInScale": str(rng.choice((15000, 60000, 650000))),
                "StdMktSz": str(rng.choice((10000, 20000, 30000))),
                "AvrgDalyNbOfTxs": _number(rng, 5000),
            },
            "RlvntMkt": {"Id": rng.choice(MICS), "AvrgDalyNbOfTxs": _number(rng, 3000)},
        }
    )


def non_equity_tree(rng: random.Random, number: int) -> dict:
    """A NonEqtyTrnsprncyData: an ISIN with its sub-class (thresholds or a quarterly liquidity flag), or 2 % of
    sub-class records without an ISIN."""
    classification, description, criteria = rng.choice(SUBCLASSES)
    subclass = {"Desc": description, "SgmttnCrit": [{"CritNm": name, "CritVal": value} for name, value in criteria]}
    if rng.random() < 0.02:
        subclass["SgmttnCrit"].append({"CritNm": "TTMB", "CritVal": str(rng.randrange(1, 400))})
        chosen = {"AsstClss": "INTR"}
        identification = {"AsstClssAndSubClss": chosen}
    else:
        chosen = {"ISIN": _isin(rng, rng.choice(("XS", "EZ", "FR", "DE")))}
        identification = {"ISINAndSubClss": chosen}
    chosen |= {"DerivSubClss": subclass, "FinInstrmClssfctn": classification}
    tree = {"TechRcrdId": str(number), "Id": identification} | _period(*rng.choice(PERIODS))
    if rng.random() < 0.4:
        return tree | {"Lqdty": rng.choice(("true", "false"))}
    amounts = sorted(rng.choice((20000, 50000, 600000, 1500000, 4000000)) * rng.randrange(1, 4) for _ in range(4))
    names = (
        "PreTradInstrmSzSpcfcThrshld",
        "PreTradLrgInScaleThrshld",
        "PstTradInstrmSzSpcfcThrshld",
        "PstTradLrgInScaleThrshld",
    )
    tree |= {name: {"Amt": {"@Ccy": "EUR", "#text": str(amount)}} for name, amount in zip(names, amounts, strict=True)}
    if rng.random() < 0.3:
        tree["Sttstcs"] = {"TtlNbOfTxsExctd": str(rng.randrange(0, 500)), "TtlVolOfTxsExctd": _number(rng, 10**8)}
    return tree


def fitrs_synth_trees(kind: str, records: int, seed: int = 1):
    """`records` synthetic record trees of a kind (EQUITY or NON_EQUITY), the same for the same seed."""
    rng = random.Random(seed)
    make = equity_tree if kind == EQUITY else non_equity_tree
    for number in range(1, records + 1):
        yield make(rng, number)


def fitrs_synth_write(path, records: int, seed: int = 1, reporting_date: str = "2025-08-30") -> int:
    """Write a synthetic FULECR/DLTECR or FULNCR/DLTNCR file (the kind from its name); returns the record count."""
    kind = EQUITY if "ECR" in Path(path).name.upper() else NON_EQUITY
    return fitrs_file_write(path, kind, fitrs_synth_trees(kind, records, seed), reporting_date=reporting_date)


def bench_parse(path: Path) -> tuple[int, float]:
    """(a): the load's own parsing and checks, in this one process, nothing stored."""
    started = time.perf_counter()
    info = FitrsFileInfo()
    count = 0
    for batch in batches_prepare_fitrs(iter_records(path, info), info, 2000):
        count += batch.count(b"],[") + 1
    return count, time.perf_counter() - started


def bench_load(path: Path, env: dict) -> tuple[float, float, float]:
    """(c)/(d): migrate (not timed), then load_fitrs; (load seconds from its summary, wall seconds, peak RSS MB)."""
    import re

    _manage(["migrate", "--no-input", "-v", "0", "--skip-checks"], env)
    wall, rss, text = _run_measured(["load_fitrs", str(path)], env)
    return float(re.search(r"elapsed ([0-9.]+)s", text).group(1)), wall, rss


def main() -> None:
    """Generate, measure, print."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=500_000)
    parser.add_argument("--kinds", nargs="+", default=["FULNCR", "FULECR"], choices=["FULNCR", "FULECR"])
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="fitrs-bench-") as folder:
        work = Path(folder)
        for kind in args.kinds:
            path = work / f"{kind}_20250830_X_1of1.zip"
            started = time.perf_counter()
            count = fitrs_synth_write(path, args.records, args.seed)
            print(
                f"\nsynthetic {kind}: {count} records, {path.stat().st_size / 1e6:.1f} MB zipped "
                f"({time.perf_counter() - started:.1f}s to write)"
            )
            parsed, parse_s = bench_parse(path)
            ceiling = parsed / parse_s
            print(f"(a) parse-only ceiling     {ceiling:>9.0f} records/s  ({parse_s:.1f}s)")
            load_s, wall_s, rss = bench_load(path, sqlite_env(work / f"{kind}.sqlite3"))
            rate = count / load_s
            print(
                f"(c) load_fitrs on SQLite   {rate:>9.0f} records/s  ({load_s:.1f}s load, {wall_s:.1f}s with start-up)"
                f"  c/a = {rate / ceiling:.2f} (target >= 0.8)  peak RSS {rss:.0f} MB (target < 200)"
            )
            if not args.no_postgres:
                name = f"fitrs_bench_{os.getpid()}"
                if _postgres(f"CREATE DATABASE {name}"):
                    try:
                        load_s, wall_s, rss_pg = bench_load(path, postgres_env(name))
                        rate = count / load_s
                        print(
                            f"(d) load_fitrs on PostgreSQL {rate:>7.0f} records/s  ({load_s:.1f}s load)  "
                            f"d/a = {rate / ceiling:.2f}  peak RSS {rss_pg:.0f} MB"
                        )
                    finally:
                        _postgres(f"DROP DATABASE IF EXISTS {name}")
            (work / f"{kind}.sqlite3").unlink(missing_ok=True)
            path.unlink()


if __name__ == "__main__":
    main()
