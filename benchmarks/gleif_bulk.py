"""GLEIF golden-copy bulk load: records/s of parsing alone (the ceiling) and of the full load, and memory.

Builds a synthetic LEI-CDF file of N records (the real sample records with generated, valid LEIs), then
parses it, then loads it twice (insert, then all unchanged) into a scratch database created for the run
(DATABASE_TYPE picks the backend). Resident memory is sampled as the load goes: a streaming load stays flat.
Run: .venv/bin/python -m benchmarks.gleif_bulk --records 50000
"""

import argparse
import copy
import os
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")

from lxml import etree  # noqa: E402

SAMPLE = ROOT / "samples" / "gleif" / "1-lei-cdf.xml"
ALNUM = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def lei_with_check(body: str) -> str:
    """An 18-character body with its two ISO 17442 check digits."""
    digits = "".join(str(int(char, 36)) for char in body + "00")
    return f"{body}{98 - int(digits) % 97:02d}"


def synth_file(path: Path, records: int) -> None:
    """Write an LEI-CDF file of `records` records cloned from the sample with fresh LEIs."""
    tree = etree.parse(str(SAMPLE))
    root = tree.getroot()
    box = next(el for el in root if etree.QName(el).localname == "LEIRecords")
    templates = list(box)
    for el in templates:
        box.remove(el)
    ns = etree.QName(root).namespace
    header = next(el for el in root if etree.QName(el).localname == "LEIHeader")
    header.find(f"{{{ns}}}RecordCount").text = str(records)
    rng = random.Random(17442)
    head, _, tail = etree.tostring(root, encoding="unicode").partition("<lei:LEIRecords/>")
    with open(path, "w", encoding="utf-8") as out:
        out.write('<?xml version="1.0" encoding="UTF-8"?>\n' + head + "<lei:LEIRecords>")
        for number in range(records):
            record = copy.deepcopy(templates[number % len(templates)])
            record.find(f"{{{ns}}}LEI").text = lei_with_check("".join(rng.choice(ALNUM) for _ in range(18)))
            out.write(etree.tostring(record, encoding="unicode"))
        out.write("</lei:LEIRecords>" + tail)


def rss_mb() -> float:
    """Resident memory of this process in MB."""
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=50_000)
    args = parser.parse_args()

    import django

    django.setup()
    from django.db import connection

    from benchmarks.scratch import scratch_database
    from ingestion.parsers.gleif import gleif_open, gleif_stream_parse
    from ingestion.pipelines.gleif import gleif_load_file

    with tempfile.TemporaryDirectory(prefix="gleif-bench-") as folder:
        path = Path(folder) / "lei-cdf-synthetic.xml"
        synth_file(path, args.records)
        print(f"file: {args.records} LEI records, {path.stat().st_size / 1e6:.1f} MB")

        started = time.perf_counter()
        with gleif_open(path) as streams:
            for name, stream in streams:
                parsed = sum(1 for item in gleif_stream_parse(stream, name) if isinstance(item, tuple))
        parse_rate = parsed / (time.perf_counter() - started)
        print(f"parse only (ceiling): {parse_rate:,.0f} records/s")

        with scratch_database(folder, "bench_gleif"):
            samples = []

            def progress(_name, read, _total):
                samples.append((read, rss_mb()))

            for label in ("first load (inserts)", "second load (unchanged)"):
                samples.clear()
                started = time.perf_counter()
                run = gleif_load_file(path, force=True, progress=progress)
                elapsed = time.perf_counter() - started
                rate = run.records_read / elapsed
                quarter = next((mb for read, mb in samples if read >= args.records // 4), samples[0][1])
                print(
                    f"{label} on {connection.vendor}: {rate:,.0f} records/s ({rate / parse_rate:.0%} of parse-only), "
                    f"inserted {run.records_inserted}, unchanged {run.records_unchanged}; "
                    f"RSS at 25% {quarter:.0f} MB, at end {samples[-1][1]:.0f} MB"
                )


if __name__ == "__main__":
    main()
