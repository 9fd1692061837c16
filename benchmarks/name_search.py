"""Name search benchmark: entities/resolve/ (entity_resolve) on a table of N entities, and whether it still ranks right.

Fills a scratch database (DATABASE_TYPE picks the backend) with the 94 real entities of the GLEIF samples plus N
synthetic ones whose names are built from the same words (so "Shell", "Puma", "Microsoft" have thousands of
near namesakes), then times each query of the test corpus (tests/entities/test_name_search.py: misspellings,
abbreviations, legal-form variants) and prints the median and slowest time and how many found the right LEI first.
Run: .venv/bin/python -m benchmarks.name_search --entities 200000
"""

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")

CORPUS_ENTITIES = ROOT / "tests" / "fixtures" / "gleif_api" / "name_search_entities.json"
FORMS = ["LIMITED", "PLC", "AG", "GMBH", "B.V.", "S.A.", "INC.", "LLC", "SE", "PTE. LTD.", "S.R.L.", "AB", "OY"]
ALNUM = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def synthetic_names(count: int, words: list[str]) -> list[str]:
    """Company-like names of two to four words from `words`, a legal form last."""
    rng = random.Random(10383)
    return [" ".join([*rng.sample(words, rng.randint(2, 4)), rng.choice(FORMS)]) for _ in range(count)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entities", type=int, default=200_000, help="synthetic entities beside the 94 real ones")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    import django

    django.setup()
    from django.db import connection

    from benchmarks.gleif_bulk import lei_with_check
    from benchmarks.scratch import scratch_database
    from entities.models import LegalEntity
    from entities.selectors import entity_resolve
    from entities.services import legal_entity_upsert_batch
    from ingestion.loaders.gleif import gleif_values
    from ingestion.sources.gleif import lei_record_from_json
    from marketdata.names import name_search_text
    from tests.entities.test_name_search import CORPUS

    with tempfile.TemporaryDirectory(prefix="name-search-bench-") as folder:
        with scratch_database(folder, "bench_names"):
            real = json.loads(CORPUS_ENTITIES.read_text())["data"]
            legal_entity_upsert_batch([gleif_values(lei_record_from_json(r)) for r in real])
            words = sorted({word for r in real for word in r["attributes"]["entity"]["legalName"]["name"].split()})
            rng = random.Random(17442)
            started = time.perf_counter()
            batch = []
            for name in synthetic_names(args.entities, words):
                lei = lei_with_check("".join(rng.choice(ALNUM) for _ in range(18)))
                batch.append(LegalEntity(lei=lei, legal_name=name, search_text=name_search_text(name, [])))
                if len(batch) == 5000:
                    LegalEntity.objects.bulk_create(batch)
                    batch = []
            LegalEntity.objects.bulk_create(batch)
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("ANALYZE entities_legalentity")
            print(
                f"{connection.vendor}: {LegalEntity.objects.count():,} entities "
                f"({time.perf_counter() - started:.0f}s to insert the synthetic ones)"
            )
            times, hits, misses = [], 0, []
            for query, lei in CORPUS:
                entity_resolve(query)  # warm
                runs = []
                for _ in range(args.repeat):
                    started = time.perf_counter()
                    found = entity_resolve(query)
                    runs.append(time.perf_counter() - started)
                times.append(statistics.median(runs))
                if found and found[0].entity.lei == lei:
                    hits += 1
                else:
                    misses.append(f"{query!r} -> {found[0].entity.legal_name if found else 'nothing'}")
            times.sort()
            print(
                f"resolve, {len(CORPUS)} corpus queries: median {1000 * statistics.median(times):.0f} ms, "
                f"90th percentile {1000 * times[int(0.9 * len(times))]:.0f} ms, slowest {1000 * times[-1]:.0f} ms; "
                f"right LEI first for {hits}/{len(CORPUS)}"
            )
            for miss in misses:
                print("  miss:", miss)


if __name__ == "__main__":
    main()
