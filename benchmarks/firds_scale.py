"""FIRDS scale run: several FULINS parts loaded in turn into one database, each part's rate and peak RSS.

Shows whether a load slows down or grows in memory as the database grows, on SQLite and on PostgreSQL, and
extrapolates the weekly full set's time (11.2M records) from the rate of the last part.

Run: .venv/bin/python -m benchmarks.firds_scale [--parts 4] [--records 500000] [--no-postgres]
"""

import argparse
import os
import tempfile
import time
from pathlib import Path

from benchmarks.firds_load import _load_elapsed, _manage, _postgres, _run_measured, postgres_env, sqlite_env
from benchmarks.firds_synth import synth_write

FULL_SET_RECORDS = 11_200_000


def scale_run(label: str, env: dict, parts: list[Path], records: int) -> None:
    """Migrate, then load each part into the same database; print its records/s and the process's peak RSS."""
    _manage(["migrate", "--no-input", "-v", "0", "--skip-checks"], env)
    rates = []
    for number, part in enumerate(parts, 1):
        _, rss, text = _run_measured(["load_firds", str(part)], env)
        load_s = _load_elapsed(text)
        rates.append(records / load_s)
        print(f"  {label} part {number}: {rates[-1]:>8.0f} records/s  ({load_s:.1f}s)  peak RSS {rss:.0f} MB")
    print(
        f"  {label}: last part at {rates[-1] / rates[0]:.2f}x the first's rate; full set of {FULL_SET_RECORDS:,} "
        f"records at the last rate: {FULL_SET_RECORDS / rates[-1] / 60:.0f} min"
    )


def main() -> None:
    """Generate the parts, load them on each database, print."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--parts", type=int, default=4)
    parser.add_argument("--records", type=int, default=500_000)
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="firds-scale-") as folder:
        work = Path(folder)
        parts = []
        started = time.perf_counter()
        for number in range(1, args.parts + 1):
            part = work / f"FULINS_X_20250830_{number:02d}of{args.parts:02d}.zip"
            synth_write(part, args.records, seed=100 + number)
            parts.append(part)
        print(f"{args.parts} parts of {args.records} records ({time.perf_counter() - started:.0f}s to write)")
        scale_run("SQLite", sqlite_env(work / "scale.sqlite3"), parts, args.records)
        if not args.no_postgres:
            name = f"firds_scale_{os.getpid()}"
            if _postgres(f"CREATE DATABASE {name}"):
                try:
                    scale_run("PostgreSQL", postgres_env(name), parts, args.records)
                finally:
                    _postgres(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


if __name__ == "__main__":
    main()
