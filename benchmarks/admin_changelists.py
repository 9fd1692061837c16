"""Admin changelist benchmark: how long the instruments, listings and entities changelists (and the pages around
them) take on a database of N listings.

Fills a scratch database (SQLite file or PostgreSQL database, kept in --work and reused) with --listings synthetic
listing versions (four venues per ISIN on average, a closed older version for one in ten, a record of about 1 KB
each), one instrument per ISIN and one legal entity per 20 instruments, then asks each page through Django's test
client as a logged-in superuser: one warm-up, then --repeat timed requests; prints the median and the slowest, the
number of SQL queries and the result count shown. Also times the dashboard refresh, which runs in the background
after each load (the index itself only reads its snapshot).

The target is under 1 s per changelist page at 10M listings. Searching instrument names (`q=` words) uses trigram
indexes on PostgreSQL and scans the names on SQLite.

Run: .venv/bin/python -m benchmarks.admin_changelists [--listings 200000] [--database sqlite|postgresql]
     [--repeat 5] [--work var/bench_admin]   (10M: --listings 10000000, about 10 min to fill; not run in CI)
"""

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

BATCH = 5000
VENUES = (
    "XETR XFRA XPAR XAMS XBRU XLIS XMIL XMAD XSTO XHEL XCSE XWAR XDUB XVIE XPRA XBUD EBLX ENTW ERFQ FRAB "
    "FRAV BERB STUB MUNB HAMB DUSB TRWB AURO HBFR BTFE XMSM MERK EBSF XEUM XEUR IFEU NDEX XOSL MTAA SGMX"
).split()
CATEGORIES = {"E": "ESVUFR", "D": "DBFTFB", "R": "RWSNCA", "O": "OCAFPS", "S": "SESTXC", "F": "FFICSX", "C": "CBCGXQ"}
WORDS = "Bank Holding Energy Capital Finance Motor Telecom Pharma Retail Logistics Insurance Steel Chemicals".split()


def parse_args():
    """Command line options."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--listings", type=int, default=200_000, help="listing versions to generate")
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--repeat", type=int, default=5, help="timed requests per page")
    parser.add_argument("--work", default=str(ROOT / "var" / "bench_admin"), help="folder for the SQLite file")
    return parser.parse_args()


def configure(args) -> None:
    """Point this process at the scratch database, with production-like settings (DEBUG off, no Redis)."""
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    env = {
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": "benchmark-only-" + "x" * 40,
        "DATABASE_TYPE": args.database,
        "REDIS_URL": "",
        "CELERY_TASK_ALWAYS_EAGER": "true",
    }
    if args.database == "sqlite":
        env["SQLITE_DB_PATH"] = str(work / f"admin_{args.listings}.sqlite3")
    else:
        env.update(POSTGRES_DB=f"marketdata_bench_admin_{args.listings}", POSTGRES_USER="postgres")
        _postgres_database_ensure(env["POSTGRES_DB"])
    os.environ.update(env)
    import warnings

    import django

    warnings.filterwarnings("ignore", message="No directory at")  # no collected static files: none are served
    django.setup()
    from django.test.utils import setup_test_environment

    setup_test_environment()  # responses keep their template context (the count a changelist shows)


def _postgres_database_ensure(name: str) -> None:
    """Create the scratch PostgreSQL database when it does not exist."""
    import psycopg

    with psycopg.connect("host=127.0.0.1 user=postgres dbname=postgres", autocommit=True) as connection:
        if not connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            connection.execute(f'CREATE DATABASE "{name}"')


def _isin(number: int) -> str:
    from marketdata.identifiers import isin_check_digit

    body = f"XS{number:09d}"
    return body + str(isin_check_digit(body))


def _lei(number: int) -> str:
    body = f"BNCH00{number:012d}"
    value = int("".join(str(int(char, 36)) for char in body + "00"))
    return f"{body}{98 - value % 97:02d}"


def _record(isin: str, mic: str, name: str, cfi: str, start: dt.date) -> dict:
    """About 1 KB of FIRDS-shaped record."""
    return {
        "FinInstrmGnlAttrbts": {"Id": isin, "FullNm": name, "ShrtNm": name[:35], "ClssfctnTp": cfi, "NtnlCcy": "EUR"},
        "Issr": "",
        "TradgVnRltdAttrbts": {
            "Id": mic,
            "IssrReq": "false",
            "AdmssnApprvlDtByIssr": "2019-03-01T00:00:00Z",
            "ReqForAdmssnDt": "2019-03-01T00:00:00Z",
            "FrstTradDt": "2019-03-04T08:00:00Z",
        },
        "DebtInstrmAttrbts": {
            "TtlIssdNmnlAmt": {"@Ccy": "EUR", "#text": "500000000"},
            "MtrtyDt": "2030-06-15",
            "NmnlValPerUnit": {"@Ccy": "EUR", "#text": "1000"},
            "IntrstRate": {"Fxd": "1.625"},
            "DebtSnrty": "SNDB",
        },
        "TechAttrbts": {"RlvntCmptntAuthrty": "DE", "PblctnPrd": {"FrDt": start.isoformat()}, "RlvntTradgVn": mic},
        "Padding": "x" * 400,
    }


def _row_maker(model):
    """A function making a row (tuple, every concrete field but the id and stamps, in `.names` order) of the model's
    defaults and the values given: rows go in through marketdata.bulk.rows_insert (COPY on PostgreSQL), about four
    times faster than bulk_create."""
    defaults = {
        field.attname: field.get_default()
        for field in model._meta.concrete_fields
        if not field.primary_key and not getattr(field, "auto_now", False) and not getattr(field, "auto_now_add", False)
    }
    names = tuple(defaults)

    def row(**values) -> tuple:
        merged = {**defaults, **values}
        return tuple(merged[name] for name in names)

    row.names = names
    return row


def fill(args) -> dict:
    """Migrate and generate the rows (once per database); the counts found."""
    from django.core.management import call_command
    from django.db import connection, transaction

    from entities.models import LegalEntity
    from instruments.models import Instrument, Listing
    from marketdata.bulk import rows_insert
    from venues.models import Venue

    call_command("migrate", verbosity=0, interactive=False)
    if Listing.objects.exists():
        print("database already filled; not generating again")
        return {"listings": Listing.objects.count(), "instruments": Instrument.objects.count()}
    rng = random.Random(1)
    started = time.perf_counter()
    Venue.objects.bulk_create(
        [Venue(mic=mic, kind="OPRT", market_name=f"Benchmark market {mic}", country="DE") for mic in VENUES]
    )
    isins = max(1, args.listings // 4)
    entities = max(1, isins // 20)
    for start in range(0, entities, BATCH):
        LegalEntity.objects.bulk_create(
            [
                LegalEntity(
                    lei=_lei(n),
                    legal_name=f"{rng.choice(WORDS)} {rng.choice(WORDS)} {n} AG",
                    legal_address_country=rng.choice(["DE", "FR", "NL", "IT", "ES"]),
                    entity_status="ACTIVE",
                    registration_status="ISSUED",
                )
                for n in range(start, min(entities, start + BATCH))
            ]
        )
    instrument_row = _row_maker(Instrument)
    listing_row = _row_maker(Listing)
    written, number = 0, 0
    while written < args.listings:
        instruments, listings = [], []
        with transaction.atomic():
            while len(listings) < BATCH and written + len(listings) < args.listings:
                isin = _isin(number)
                letter = rng.choice(list(CATEGORIES))
                name = f"{rng.choice(WORDS)} {rng.choice(WORDS)} {number} {letter}"
                venues = rng.sample(VENUES, rng.choice([1, 2, 3, 4, 5, 7]))
                issuer = _lei(rng.randrange(entities)) if rng.random() < 0.7 else None
                instruments.append(
                    instrument_row(
                        isin=isin,
                        full_name=name,
                        cfi_code=CATEGORIES[letter],
                        category=letter,
                        currency=rng.choice(["EUR", "EUR", "USD", "GBP"]),
                        issuer_id=issuer,
                        source_mic=venues[0],
                    )
                )
                start = dt.date(2019, 1, 1) + dt.timedelta(days=rng.randrange(2000))
                for mic in venues:
                    if rng.random() < 0.1:  # an older, closed version
                        listings.append(
                            listing_row(
                                instrument_id=isin,
                                venue_id=mic,
                                full_name=name + " old",
                                cfi_code=CATEGORIES[letter],
                                currency="EUR",
                                valid_from=start - dt.timedelta(days=400),
                                valid_to=start - dt.timedelta(days=1),
                                is_current=False,
                                record=_record(isin, mic, name, CATEGORIES[letter], start),
                            )
                        )
                    listings.append(
                        listing_row(
                            instrument_id=isin,
                            venue_id=mic,
                            full_name=name,
                            cfi_code=CATEGORIES[letter],
                            currency="EUR",
                            valid_from=start,
                            issuer_lei=issuer,
                            record=_record(isin, mic, name, CATEGORIES[letter], start),
                        )
                    )
                number += 1
            rows_insert(Instrument, instrument_row.names, instruments)
            rows_insert(Listing, listing_row.names, listings)
        written += len(listings)
        if written % 100_000 < BATCH:
            print(f"  {written:,} listings, {time.perf_counter() - started:.0f} s", flush=True)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"generated {written:,} listings, {number:,} instruments in {time.perf_counter() - started:.0f} s")
    return {"listings": written, "instruments": number}


def pages(sample_isin: str, sample_lei: str, top_mic: str) -> list[tuple[str, str]]:
    """(label, URL) of each page measured."""
    instruments, listings, entities = (
        "/admin/instruments/instrument/",
        "/admin/instruments/listing/",
        "/admin/entities/legalentity/",
    )
    return [
        ("instruments", instruments),
        ("instruments ?category=E", instruments + "?category__exact=E"),
        ("instruments ?currency=USD", instruments + "?currency=USD"),
        (f"instruments ?mic={top_mic}", instruments + f"?mic={top_mic}"),
        ("instruments page 100", instruments + "?p=100"),
        ("instruments sorted ISIN desc", instruments + "?o=-1"),
        ("instruments q=ISIN", instruments + f"?q={sample_isin}"),
        ("instruments q=issuer LEI", instruments + f"?q={sample_lei}"),
        ("instruments q=name words", instruments + "?q=Telecom+Pharma"),
        ("listings", listings),
        ("listings ?is_current=1", listings + "?is_current__exact=1"),
        (f"listings ?venue={top_mic}", listings + f"?venue__exact={top_mic}&is_current__exact=1"),
        ("listings q=ISIN", listings + f"?q={sample_isin}"),
        ("listings page 100", listings + "?p=100"),
        ("entities", entities),
        ("entities ?country=DE", entities + "?legal_address_country=DE"),
        ("entities q=LEI", entities + f"?q={sample_lei}"),
        ("entities q=name words", entities + "?q=Telecom+Pharma"),
        ("index (dashboard)", "/admin/"),
    ]


def measure(client, url: str, repeat: int) -> dict:
    """Median and slowest of `repeat` requests after one warm-up, with the query count and the count shown."""
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    response = client.get(url)
    if response.status_code != 200:
        raise SystemExit(f"{url}: HTTP {response.status_code}")
    times = []
    for _ in range(repeat):
        reset_queries()
        started = time.perf_counter()
        client.get(url)
        times.append(time.perf_counter() - started)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    shown = ""
    if response.context and "cl" in response.context:
        paginator = response.context["cl"].paginator
        estimate = getattr(paginator, "estimate", None)
        shown = (
            f"~{estimate:,}"
            if estimate
            else (f">{paginator.count - 1:,}" if paginator.is_capped else f"{paginator.count:,}")
        )
    return {"median": statistics.median(times), "max": max(times), "queries": len(queries), "shown": shown}


def main() -> None:
    args = parse_args()
    configure(args)
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client

    from marketdata.dashboard import dashboard_refresh

    counts = fill(args)
    started = time.perf_counter()
    snapshot = dashboard_refresh()
    refresh_seconds = time.perf_counter() - started
    top_mic = snapshot.data["venues"][0]["mic"]
    user, _ = get_user_model().objects.get_or_create(username="bench-admin", defaults={"is_staff": True})
    user.is_staff = user.is_superuser = True
    user.save()
    client = Client(HTTP_HOST="localhost")
    client.force_login(user)
    sample_isin = _isin(counts["instruments"] // 2)
    from instruments.models import Instrument

    sample_lei = Instrument.objects.filter(issuer_id__isnull=False).values_list("issuer_id", flat=True).first() or ""
    print(
        f"\n{connection.vendor}: {counts['listings']:,} listings, {counts['instruments']:,} instruments; "
        f"dashboard refresh (background, after each load) {refresh_seconds:.2f} s\n"
    )
    print(f"{'page':38} {'median s':>9} {'max s':>7} {'queries':>8}  shown")
    for label, url in pages(sample_isin, sample_lei, top_mic):
        figures = measure(client, url, args.repeat)
        flag = "" if figures["median"] < 1.0 or "scan" in label else "  OVER 1 s"
        print(
            f"{label:38} {figures['median']:9.3f} {figures['max']:7.3f} {figures['queries']:8d}  "
            f"{figures['shown']}{flag}"
        )


if __name__ == "__main__":
    main()
