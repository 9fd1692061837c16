"""stats: what the database holds (per category, venue and source), the last loads, coverage and size."""

import json

from django.core.management.base import BaseCommand
from rich.console import Console
from rich.table import Table

from marketdata.dashboard import dashboard_compute, failed_runs_latest
from marketdata.selectors import database_size_bytes


class Command(BaseCommand):
    requires_system_checks = []
    help = "Counts per CFI category, venue and source, the latest loads and failures, coverage and database size."

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", dest="as_json", help="the figures as JSON instead of tables")

    def handle(self, *args, as_json: bool = False, **options):
        data = {**dashboard_compute(), "database_bytes": database_size_bytes()}
        data["failed_runs"] = [
            {
                "id": run.pk,
                "source": run.source,
                "file": run.file_name,
                "started_at": run.started_at.isoformat(),
                "error": (run.error.splitlines() or [""])[0],
            }
            for run in failed_runs_latest()
        ]
        if as_json:
            self.stdout.write(json.dumps(data, indent=2))
            return
        console = Console(file=self.stdout, width=120, color_system="auto" if self.stdout.isatty() else None)
        for table in _tables(data):
            console.print(table)


def _tables(data: dict) -> list[Table]:
    """The figures as rich tables: sources, categories, venues, coverage, failures."""
    sources = Table(title="Sources", title_justify="left")
    for column in ("source", "records", "successful loads", "last load"):
        sources.add_column(column)
    for source in data["sources"]:
        records = ", ".join(f"{t['count']:,} {t['name']}" for t in source["tables"])
        sources.add_row(source["label"], records, str(source["runs"]), source["last_load"] or "never")
    categories = Table(title="Instruments per CFI category", title_justify="left")
    categories.add_column("category")
    categories.add_column("instruments", justify="right")
    for row in data["categories"]:
        categories.add_row(f"{row['code']} {row['name']}", f"{row['count']:,}")
    venues = Table(title="Current listings per venue", title_justify="left")
    venues.add_column("MIC")
    venues.add_column("venue")
    venues.add_column("listings", justify="right")
    for row in data["venues"]:
        venues.add_row(row["mic"], row["name"], f"{row['count']:,}")
    coverage = data["coverage"]
    covered = Table(title=f"Coverage of {coverage['instruments']:,} instruments", title_justify="left")
    for column in ("with", "instruments", "share"):
        covered.add_column(column, justify="right" if column != "with" else "left")
    for key, label in (("issuer", "issuer's LEI record"), ("figi", "a FIGI"), ("transparency", "transparency")):
        covered.add_row(label, f"{coverage[key]['count']:,}", f"{coverage[key]['share']:.1%}")
    size = data["database_bytes"]
    footer = Table(title="Database and failures", title_justify="left")
    footer.add_column("what")
    footer.add_column("value")
    footer.add_row("database size", f"{size / 1e6:,.1f} MB" if size is not None else "unknown")
    for run in data["failed_runs"]:
        footer.add_row(f"failed {run['source']} run {run['id']}", f"{run['file']}: {run['error']}"[:100])
    return [sources, categories, venues, covered, footer]
