"""FIRDS load benchmark: one synthetic FULINS, measured four ways in one run, plus the delta scaling.

(a) parse-only ceiling: lxml iterparse extracting the loaded fields, nothing stored;
(b) raw sqlite3 ceiling: the same extraction, executemany into one table;
(c) `manage.py load_firds` end to end on a fresh SQLite database (subprocess; its peak RSS);
(d) the same on PostgreSQL (a scratch database, dropped afterwards; skipped when unreachable);
(e) raw psycopg COPY ceiling: the same extraction, COPY into one PostgreSQL table with a primary key, one
    transaction.
Then a DLTINS of several sizes applied to databases of two sizes: time follows the delta, not the database.

Run: .venv/bin/python -m benchmarks.firds_load --records 200000 [--rss-records 500000] [--no-postgres]
"""

import argparse
import os
import re
import secrets
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

from lxml import etree

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.firds_synth import synth_trees, synth_write  # noqa: E402
from ingestion.parsers.firds.writer import firds_file_write  # noqa: E402

# The fields load_firds stores, as paths below RefData.
FIELDS = [
    "FinInstrmGnlAttrbts/Id",
    "FinInstrmGnlAttrbts/FullNm",
    "FinInstrmGnlAttrbts/ShrtNm",
    "FinInstrmGnlAttrbts/ClssfctnTp",
    "FinInstrmGnlAttrbts/NtnlCcy",
    "FinInstrmGnlAttrbts/CmmdtyDerivInd",
    "Issr",
    "TradgVnRltdAttrbts/Id",
    "TradgVnRltdAttrbts/IssrReq",
    "TradgVnRltdAttrbts/AdmssnApprvlDtByIssr",
    "TradgVnRltdAttrbts/ReqForAdmssnDt",
    "TradgVnRltdAttrbts/FrstTradDt",
    "TradgVnRltdAttrbts/TermntnDt",
    "DebtInstrmAttrbts/TtlIssdNmnlAmt",
    "DebtInstrmAttrbts/MtrtyDt",
    "DebtInstrmAttrbts/NmnlValPerUnit",
    "DebtInstrmAttrbts/IntrstRate/Fxd",
    "DebtInstrmAttrbts/IntrstRate/Fltg/RefRate/Indx",
    "DebtInstrmAttrbts/IntrstRate/Fltg/RefRate/Nm",
    "DebtInstrmAttrbts/IntrstRate/Fltg/BsisPtSprd",
    "DebtInstrmAttrbts/DebtSnrty",
    "DerivInstrmAttrbts/XpryDt",
    "DerivInstrmAttrbts/PricMltplr",
    "DerivInstrmAttrbts/UndrlygInstrm/Sngl/ISIN",
    "DerivInstrmAttrbts/UndrlygInstrm/Sngl/Indx/ISIN",
    "DerivInstrmAttrbts/OptnTp",
    "DerivInstrmAttrbts/StrkPric/Pric/MntryVal/Amt",
    "DerivInstrmAttrbts/StrkPric/Pric/Pctg",
    "DerivInstrmAttrbts/OptnExrcStyle",
    "DerivInstrmAttrbts/DlvryTp",
    "TechAttrbts/RlvntCmptntAuthrty",
    "TechAttrbts/PblctnPrd/FrDt",
    "TechAttrbts/RlvntTradgVn",
]


def _xml_stream(path: Path):
    archive = zipfile.ZipFile(path)
    return archive.open(archive.namelist()[0])


def parse_rows(path: Path):
    """(a): every RefData's fields as a tuple, streaming and clearing as load_firds does.

    One pass over each record's elements keyed by section and leaf name (faster than a findtext per field).
    """
    names: dict[str, str] = {}
    keys = [(field.split("/")[0], field.split("/")[-1]) for field in FIELDS]
    keys = [section if section == leaf else f"{section}/{leaf}" for section, leaf in keys]
    with _xml_stream(path) as stream:
        for _, element in etree.iterparse(stream, tag="{*}RefData"):
            values = {}
            for section in element:
                name = names.get(section.tag) or names.setdefault(section.tag, section.tag.rpartition("}")[2])
                if not len(section):
                    values[name] = section.text
                    continue
                for leaf in section.iter():
                    if not len(leaf):
                        tag = names.get(leaf.tag) or names.setdefault(leaf.tag, leaf.tag.rpartition("}")[2])
                        values[f"{name}/{tag}"] = leaf.text
            yield tuple(values.get(key) for key in keys)
            element.clear()
            while element.getprevious() is not None:
                del element.getparent()[0]


def bench_parse(path: Path) -> tuple[int, float]:
    started = time.perf_counter()
    count = sum(1 for _ in parse_rows(path))
    return count, time.perf_counter() - started


def bench_sqlite_raw(path: Path, work: Path) -> tuple[int, float]:
    """(b): the extraction plus executemany into one table (WAL, one transaction), like a hand-written loader."""
    database = work / "raw.sqlite3"
    connection = sqlite3.connect(database, isolation_level=None)
    connection.executescript("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA cache_size=-64000;")
    columns = ", ".join(f"c{index} TEXT" for index in range(len(FIELDS)))
    connection.execute(f"CREATE TABLE refdata ({columns})")
    sql = f"INSERT INTO refdata VALUES ({', '.join('?' * len(FIELDS))})"
    started = time.perf_counter()
    connection.execute("BEGIN")
    batch, count = [], 0
    for row in parse_rows(path):
        batch.append(row)
        if len(batch) == 2000:
            connection.executemany(sql, batch)
            count += len(batch)
            batch = []
    connection.executemany(sql, batch)
    count += len(batch)
    connection.execute("COMMIT")
    elapsed = time.perf_counter() - started
    connection.close()
    return count, elapsed


def bench_postgres_copy(path: Path, name: str) -> tuple[int, float]:
    """(e): the extraction plus psycopg COPY into one table with a primary key (one transaction)."""
    import psycopg

    columns = ", ".join(f"c{index} text" for index in range(len(FIELDS)))
    with psycopg.connect(f"host=127.0.0.1 user={os.environ.get('POSTGRES_USER', 'postgres')} dbname={name}") as db:
        db.execute(f"CREATE TABLE refdata (id bigint PRIMARY KEY, {columns})")
        started = time.perf_counter()
        count = 0
        names = ", ".join(f"c{index}" for index in range(len(FIELDS)))
        with db.cursor() as cursor, cursor.copy(f"COPY refdata (id, {names}) FROM STDIN") as copy:
            for count, row in enumerate(parse_rows(path), 1):
                copy.write_row((count, *row))
        db.commit()
        return count, time.perf_counter() - started


def _manage(args: list[str], env: dict) -> str:
    """Run manage.py and return its output; stop the benchmark when it fails."""
    result = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True)
    if result.returncode:
        raise SystemExit(f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


def _run_measured(args: list[str], env: dict) -> tuple[float, float, str]:
    """Run manage.py and read its peak RSS (ru_maxrss, includes its reaped parser process) with wait4."""
    started = time.perf_counter()
    with tempfile.TemporaryFile() as out:
        process = subprocess.Popen([sys.executable, "manage.py", *args], cwd=ROOT, env=env, stdout=out, stderr=out)
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
        elapsed = time.perf_counter() - started
        out.seek(0)
        text = out.read().decode()
    if process.returncode:
        raise SystemExit(f"manage.py {' '.join(args)} failed:\n{text}")
    return elapsed, usage.ru_maxrss / 1024, text


def _load_elapsed(text: str) -> float:
    """The elapsed time load_firds reports in its summary (the load itself, without start-up)."""
    return float(re.search(r"elapsed ([0-9.]+)s", text).group(1))


BENCH_SECRET_KEY = secrets.token_urlsafe(32)


def sqlite_env(database: Path) -> dict:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "DJANGO_DEBUG": "false",  # no query log; settings without DEBUG need a key of their own
        "DJANGO_SECRET_KEY": os.environ.get("DJANGO_SECRET_KEY") or BENCH_SECRET_KEY,
        "DATABASE_TYPE": "sqlite",
        "SQLITE_DB_PATH": str(database),
    }


def postgres_env(name: str) -> dict:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "DJANGO_DEBUG": "false",  # no query log; settings without DEBUG need a key of their own
        "DJANGO_SECRET_KEY": os.environ.get("DJANGO_SECRET_KEY") or BENCH_SECRET_KEY,
        "DATABASE_TYPE": "postgresql",
        "POSTGRES_DB": name,
        "POSTGRES_USER": os.environ.get("POSTGRES_USER", "postgres"),
    }


def bench_load(path: Path, env: dict) -> tuple[float, float, float]:
    """(c)/(d): migrate (not timed), then load_firds; return (load seconds, wall seconds, peak RSS MB)."""
    _manage(["migrate", "--no-input", "-v", "0", "--skip-checks"], env)
    wall, rss, text = _run_measured(["load_firds", str(path)], env)
    return _load_elapsed(text), wall, rss


def _postgres(sql: str) -> bool:
    try:
        import psycopg

        with psycopg.connect("host=127.0.0.1 user=postgres dbname=postgres", autocommit=True) as connection:
            connection.execute(sql)
        return True
    except Exception as error:  # noqa: BLE001 - report and skip (d)
        print(f"  PostgreSQL unavailable: {error}")
        return False


def delta_file(path: Path, size: int, seed: int) -> None:
    """A DLTINS modifying the first `size` records of the synthetic full file (later FrDt, new name)."""

    def records():
        for tree in synth_trees(size, seed):
            tree["FinInstrmGnlAttrbts"]["FullNm"] += " (modified)"
            tree["TechAttrbts"]["PblctnPrd"] = {"FrDt": "2025-09-01"}
            yield "MODIFIED", tree

    firds_file_write(path, "DLTINS", records(), reporting_date="2025-09-01")


def bench_delta(work: Path, full_sizes: list[int], delta_sizes: list[int], seed: int) -> None:
    """Apply DLTINS of each size to SQLite databases holding each full size; print the load times."""
    print("\nDelta (DLTINS ModfdRcrd) apply time on SQLite, load_firds' own elapsed time:")
    print(f"  {'database records':>18} " + " ".join(f"{f'delta {size}':>20}" for size in delta_sizes))
    for full in full_sizes:
        source = work / f"FULINS_X_20250830_01of01_{full}.zip"
        synth_write(source, full, seed)
        base = work / f"delta_base_{full}.sqlite3"
        bench_load(source, sqlite_env(base))
        cells = []
        for size in delta_sizes:
            database = work / f"delta_{full}_{size}.sqlite3"
            shutil.copy(base, database)
            delta = work / f"DLTINS_20250901_01of01_{size}.zip"
            if not delta.exists():
                delta_file(delta, size, seed)
            _, _, text = _run_measured(["load_firds", str(delta)], sqlite_env(database))
            elapsed = _load_elapsed(text)
            cells.append(f"{elapsed:.2f}s ({size / elapsed:.0f}/s)".rjust(20))
            database.unlink()
        print(f"  {full:>18} " + " ".join(cells))
        base.unlink()


def main() -> None:
    """Generate, measure, print."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=200_000)
    parser.add_argument("--rss-records", type=int, default=0, help="also measure (c)'s peak RSS on this many records")
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--no-delta", action="store_true")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="firds-bench-") as folder:
        work = Path(folder)
        path = work / "FULINS_X_20250830_01of01.zip"
        started = time.perf_counter()
        count = synth_write(path, args.records, args.seed)
        print(
            f"synthetic FULINS: {count} records, {path.stat().st_size / 1e6:.1f} MB zipped "
            f"({time.perf_counter() - started:.1f}s to write)"
        )
        parsed, parse_s = bench_parse(path)
        print(f"(a) parse-only ceiling      {parsed / parse_s:>9.0f} records/s  ({parse_s:.1f}s)")
        rows, raw_s = bench_sqlite_raw(path, work)
        raw_rate = rows / raw_s
        print(f"(b) raw sqlite3 ceiling     {raw_rate:>9.0f} records/s  ({raw_s:.1f}s)")
        load_s, wall_s, rss = bench_load(path, sqlite_env(work / "c.sqlite3"))
        sqlite_rate = count / load_s
        print(
            f"(c) load_firds on SQLite    {sqlite_rate:>9.0f} records/s  ({load_s:.1f}s load, {wall_s:.1f}s with "
            f"start-up)  c/b = {sqlite_rate / raw_rate:.2f}  peak RSS {rss:.0f} MB"
        )
        if not args.no_postgres:
            name = f"firds_bench_{os.getpid()}"
            if _postgres(f"CREATE DATABASE {name}"):
                try:
                    load_s, wall_s, rss_pg = bench_load(path, postgres_env(name))
                    rate = count / load_s
                    copied, copy_s = bench_postgres_copy(path, name)
                    copy_rate = copied / copy_s
                    print(
                        f"(d) load_firds on PostgreSQL{rate:>9.0f} records/s  ({load_s:.1f}s load)  "
                        f"d/b = {rate / raw_rate:.2f}  d/e = {rate / copy_rate:.2f}  peak RSS {rss_pg:.0f} MB"
                    )
                    print(f"(e) raw psycopg COPY ceiling{copy_rate:>9.0f} records/s  ({copy_s:.1f}s)")
                finally:
                    _postgres(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        if args.rss_records:
            big = work / "FULINS_Y_20250830_01of01.zip"
            synth_write(big, args.rss_records, args.seed + 1)
            load_s, _, rss_big = bench_load(big, sqlite_env(work / "rss.sqlite3"))
            print(
                f"(c) on {args.rss_records} records: {args.rss_records / load_s:.0f} records/s, "
                f"peak RSS {rss_big:.0f} MB (vs {rss:.0f} MB on {count})"
            )
        if not args.no_delta:
            bench_delta(work, [max(1000, args.records // 10), args.records], [1000, 10000], args.seed)


if __name__ == "__main__":
    main()
