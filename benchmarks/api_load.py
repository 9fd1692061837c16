"""API load benchmark: FIRDS listings loaded through the real loader, served by gunicorn, measured with wrk.

Fills a database with --listings synthetic FULINS records (benchmarks.firds_synth, loaded by
ingestion.pipelines.firds.firds_load_file), starts gunicorn with benchmarks.api_settings (the project's
settings and URLs plus a bare Django view; rate limits raised so that they are counted but never refuse),
and measures with wrk, at --connections connections, throughput and p50/p99 latency of:

  bare       a Django view returning a constant JSON body (the framework's ceiling on the same server)
  detail     instruments/{isin}/ cold: each request a different ISIN (each wrk thread walks its own slice of
             COLD_ISINS random ISINs), so the response cache never answers (API key authentication)
  detail_warm  instruments/{isin}/ over 1,000 ISINs each requested once beforehand: what the response cache
             gives, measured only when it is on (API_DETAIL_CACHE_SECONDS; by default with --redis-url)
  filtered   a filtered list page: instruments/?category=D&currency=EUR
  first      the first page of instruments/
  deep       a page of instruments/ 1,000 pages deep (the cursor followed from the first page); first and
             deep are also timed as single requests made in turn (medians), which background load skews alike

Targets: detail >= 0.5 x bare's requests/s with p99 < 50 ms (cold and warm); the deep page as fast as the first.
The database is kept in --work (default var/bench_api) and reused when it already holds the listings. Before each
measured run it is read into the OS page cache (and, on PostgreSQL, its buffers with pg_prewarm), as a server's
memory holds a database this size: the cold ISINs stay unseen by the response cache and by SQLite's own page cache.
With --page-cache as-is nothing is read beforehand, and the figures include reading evicted pages back from disk
(on machines whose memory manager drops file pages left idle for a while, e.g. DAMON reclaim, most of the database).

Run: .venv/bin/python -m benchmarks.api_load --listings 1000000 [--database postgresql] [--duration 15]
     [--redis-url redis://127.0.0.1:6379/9] [--page-cache as-is]
"""

import argparse
import json
import os
import random
import re
import shutil
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

LISTENING = re.compile(r"Listening at: http://127\.0\.0\.1:(\d+)")
UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}
DEEP_PAGES = 1000
COLD_ISINS = 60_000
WARM_ISINS = 1000


def parse_args():
    """Command line options."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--listings", type=int, default=1_000_000, help="FULINS records (= listings) to load")
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--work", default=str(ROOT / "var" / "bench_api"), help="folder for the file and database")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--duration", type=int, default=15, help="seconds per wrk run")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument("--redis-url", default="", help="use Redis as the cache (rate limit counters), e.g. db 9")
    parser.add_argument(
        "--page-cache",
        choices=("warm", "as-is"),
        default="warm",
        help="read the database into memory before each run (warm), or leave the OS page cache as it is",
    )
    return parser.parse_args()


def configure(args) -> dict:
    """Point this process (and the gunicorn it starts) at the benchmark database; return that environment."""
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    env = {"DJANGO_SETTINGS_MODULE": "benchmarks.api_settings", "DATABASE_TYPE": args.database, "REDIS_URL": ""}
    if args.database == "sqlite":
        env["SQLITE_DB_PATH"] = str(work / f"api_{args.listings}.sqlite3")
    else:
        env.update(POSTGRES_DB=f"marketdata_bench_api_{args.listings}", POSTGRES_USER="postgres")
        _postgres_database_ensure(env["POSTGRES_DB"])
    if args.redis_url:
        env["REDIS_URL"] = args.redis_url
    os.environ.update(env)
    import django

    django.setup()
    return {**os.environ, **env}


def _postgres_database_ensure(name: str) -> None:
    """Create the scratch PostgreSQL database when it does not exist."""
    import psycopg

    with psycopg.connect("host=127.0.0.1 user=postgres dbname=postgres", autocommit=True) as connection:
        if not connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            connection.execute(f'CREATE DATABASE "{name}"')


def fill(args, work: Path) -> dict:
    """Migrate, then load a synthetic FULINS of --listings records through the real loader (once per database)."""
    from django.core.management import call_command

    from instruments.models import Instrument, Listing

    call_command("migrate", verbosity=0, interactive=False)
    listings = Listing.objects.count()
    figures = {"listings": listings, "instruments": Instrument.objects.count(), "load_seconds": None}
    if listings >= args.listings:
        print(f"database already holds {listings:,} listings; not loading again")
        return figures
    from benchmarks.firds_synth import synth_write
    from ingestion.pipelines.firds import firds_load_file

    path = work / f"FULINS_E_20250830_01of01_{args.listings}.zip"
    if not path.exists():
        started = time.perf_counter()
        synth_write(path, args.listings)
        print(f"wrote {path.name} ({path.stat().st_size / 1e6:.0f} MB) in {time.perf_counter() - started:.0f} s")
    started = time.perf_counter()
    run = firds_load_file(path, force=True)
    figures["load_seconds"] = round(time.perf_counter() - started, 1)
    print(
        f"loaded: {run.status}, read {run.records_read:,}, inserted {run.records_inserted:,} in "
        f"{figures['load_seconds']} s"
    )
    figures.update(listings=Listing.objects.count(), instruments=Instrument.objects.count())
    return figures


def api_key() -> str:
    """A fresh API key of a benchmark superuser."""
    import secrets

    from marketdata.services import admin_user_ensure, api_key_issue

    user, _ = admin_user_ensure("api-benchmark", secrets.token_urlsafe(16))
    return api_key_issue(user=user, name="api_load benchmark")[1]


def sample_isins(count: int = COLD_ISINS + WARM_ISINS) -> list[str]:
    """Random distinct ISINs that are in the database."""
    from instruments.models import Instrument

    isins = list(Instrument.objects.values_list("isin", flat=True))
    return random.Random(1).sample(isins, min(count, len(isins)))


@contextmanager
def gunicorn(env: dict, workers: int):
    """A gunicorn serving the benchmark settings on a free port; yields its base URL."""
    command = [sys.executable, "-m", "gunicorn", "config.wsgi:application", "-b", "127.0.0.1:0", "-w", str(workers)]
    command += ["--log-level", "info", "--error-logfile", "-"]  # info: the "Listening at" line
    process = subprocess.Popen(command, cwd=ROOT, env=env, stderr=subprocess.PIPE, text=True)
    try:
        command_log = []
        while True:
            line = process.stderr.readline()
            if not line and process.poll() is not None:
                raise RuntimeError("gunicorn exited:\n" + "".join(command_log))
            command_log.append(line)
            if match := LISTENING.search(line):
                break
        threading.Thread(target=process.stderr.read, daemon=True).start()
        yield f"http://127.0.0.1:{match.group(1)}"
    finally:
        process.terminate()
        process.wait(timeout=30)


def deep_page_path(client, base: str) -> tuple[str, str]:
    """(first page path, path of the page DEEP_PAGES pages after it), following the `next` links."""
    first = "/api/v1/instruments/"
    url = base + first
    for _ in range(DEEP_PAGES):
        page = client.get(url)
        page.raise_for_status()
        url = page.json()["next"]
        if url is None:
            raise SystemExit(f"fewer than {DEEP_PAGES + 1} pages of instruments: load more listings")
    return first, url.removeprefix(base).removeprefix("http://testserver")


def wrk(args, url: str, key: str | None, paths: list[str] | None = None) -> dict:
    """Run wrk against url (or over paths, each wrk thread walking its own slice in turn); return requests/s,
    p50/p99 in ms, non-2xx count, and whether a thread may have come round to a path again."""
    command = ["wrk", "-t", str(args.threads), "-c", str(args.connections), "-d", f"{args.duration}s", "--latency"]
    if key:
        command += ["-H", f"Authorization: Api-Key {key}"]
    if paths:
        script = Path(args.work) / f"paths_{len(paths)}.lua"
        quoted = ",\n".join(json.dumps(path) for path in paths)
        script.write_text(
            f"local paths = {{\n{quoted}\n}}\nlocal threads = {args.threads}\nlocal created = 0\n"
            "function setup(thread)\n  thread:set('slice', created)\n  created = created + 1\nend\n"
            "function init(args)\n  size = math.floor(#paths / threads)\n  first = slice * size\n  i = 0\nend\n"
            'function request()\n  i = i % size + 1\n  return wrk.format("GET", paths[first + i])\nend\n'
        )
        command += ["-s", str(script)]
    output = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout

    def latency(percent: str) -> float:
        value, unit = re.search(rf"^\s+{percent}%\s+([\d.]+)(us|ms|s)\s*$", output, re.M).groups()
        return round(float(value) * UNITS[unit], 2)

    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    requests = int(re.search(r"(\d+) requests in", output).group(1))
    return {
        "requests": requests,
        "repeats_possible": bool(paths) and requests > len(paths) // args.threads * args.threads,
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        "p50_ms": latency("50"),
        "p99_ms": latency("99"),
        "non_2xx": int(errors.group(1)) if errors else 0,
    }


def main() -> None:
    """Fill, serve, measure, print the figures and the targets."""
    args = parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed (Debian: apt-get install -y wrk)")
    env = configure(args)
    figures = fill(args, Path(args.work))
    key, isins = api_key(), sample_isins()
    warm_paths = [f"/api/v1/instruments/{isin}/" for isin in isins[:WARM_ISINS]]
    cold_paths = [f"/api/v1/instruments/{isin}/" for isin in isins[WARM_ISINS:]]
    from django.conf import settings

    from marketdata.services import data_version_bump

    data_version_bump()  # what a previous run left in a shared cache is stale now
    figures["detail_cache_seconds"] = settings.API_DETAIL_CACHE_SECONDS
    figures["load_average"] = os.getloadavg()[0]  # other work on the machine skews the figures
    import httpx

    results = {}
    with gunicorn(env, args.workers) as base, httpx.Client(headers={"Authorization": f"Api-Key {key}"}) as client:
        first, deep = deep_page_path(client, base)
        # name: (url path, credential, paths wrk walks or None, paths requested once beforehand)
        targets = {
            "bare": ("/bench/bare/", None, None, ["/bench/bare/"] * 50),
            "detail": ("/api/v1/instruments/", key, cold_paths, warm_paths[:50]),  # the cold ISINs stay unseen
            "filtered": ("/api/v1/instruments/?category=D&currency=EUR", key, None, None),
            "first": (first, key, None, None),
            "deep": (deep, key, None, None),
        }
        if settings.API_DETAIL_CACHE_SECONDS:
            targets["detail_warm"] = ("/api/v1/instruments/", key, warm_paths, warm_paths)
        for name, (path, credential, paths, warm_up) in targets.items():
            if args.page_cache == "warm":
                database_prewarm(args)
            for warm_path in warm_up or [path] * 50:
                client.get(base + warm_path).raise_for_status()
            results[name] = wrk(args, base + path, credential, paths)
            print(f"{name:11} {results[name]}")
        figures["alternating_median_ms"] = alternating_medians(client, base, {"first": first, "deep": deep})
        print(f"alternating single requests, median ms: {figures['alternating_median_ms']}")
    report(args, figures, results)


def database_prewarm(args) -> None:
    """Read the benchmark database into memory: SQLite's files through the OS page cache, PostgreSQL's relations
    into its buffers (pg_prewarm)."""
    from django.db import connection

    if args.database == "sqlite":
        for path in (Path(connection.settings_dict["NAME"]), Path(f"{connection.settings_dict['NAME']}-wal")):
            if path.exists():
                with path.open("rb") as database_file:
                    while database_file.read(1 << 20):
                        pass
        return
    with connection.cursor() as cursor:
        cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_prewarm")
        cursor.execute(
            "SELECT sum(pg_prewarm(c.oid)) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'i')"
        )


def alternating_medians(client, base: str, paths: dict[str, str], rounds: int = 200) -> dict[str, float]:
    """Median latency of each path over `rounds` single requests made in turn (background load hits all alike)."""
    timings = {name: [] for name in paths}
    for _ in range(rounds):
        for name, path in paths.items():
            started = time.perf_counter()
            client.get(base + path).raise_for_status()
            timings[name].append((time.perf_counter() - started) * 1000)
    return {name: round(sorted(values)[len(values) // 2], 2) for name, values in timings.items()}


def report(args, figures: dict, results: dict) -> None:
    """Print the table and whether the targets are met; save the figures next to the database."""
    bare = results["bare"]
    print(
        f"\n{figures['listings']:,} listings, {figures['instruments']:,} instruments ({args.database}); "
        f"gunicorn {args.workers} sync workers, wrk {args.threads} threads x {args.connections} connections, "
        f"{args.duration} s each, all on this machine ({os.cpu_count()} cores, load average before the run "
        f"{figures['load_average']:.2f}); page cache {args.page_cache}; detail response cache "
        f"{figures['detail_cache_seconds'] or 'off'}{' s' if figures['detail_cache_seconds'] else ''}"
    )
    print(f"{'endpoint':12}{'req/s':>10}{'p50 ms':>10}{'p99 ms':>10}{'x bare':>9}{'non-2xx':>9}")
    for name, row in results.items():
        print(
            f"{name:12}{row['rps']:>10.0f}{row['p50_ms']:>10.2f}{row['p99_ms']:>10.2f}"
            f"{row['rps'] / bare['rps']:>9.2f}{row['non_2xx']:>9}"
        )
    alternating = figures["alternating_median_ms"]
    deep_vs_first = alternating["deep"] / alternating["first"]
    print()
    for name in ("detail", "detail_warm"):
        if name not in results:
            continue
        row, ratio = results[name], results[name]["rps"] / bare["rps"]
        if name == "detail" and row["repeats_possible"]:
            print(f"warning: {name} made more requests than it has ISINs; some were repeats")
        print(f"target {name} >= 0.5 x bare: {ratio:.2f} -> {'met' if ratio >= 0.5 else 'NOT met'}")
        print(f"target {name} p99 < 50 ms: {row['p99_ms']} ms -> {'met' if row['p99_ms'] < 50 else 'NOT met'}")
    print(
        f"target deep page as fast as the first (single requests in turn, median): {alternating['deep']} vs "
        f"{alternating['first']} ms (x{deep_vs_first:.2f}) -> {'met' if deep_vs_first <= 1.2 else 'NOT met'}"
    )
    out = Path(args.work) / f"api_load_{args.database}_{figures['listings']}.json"
    out.write_text(json.dumps({"args": vars(args), "figures": figures, "results": results}, indent=2))
    print(f"figures saved to {out}")


if __name__ == "__main__":
    main()
