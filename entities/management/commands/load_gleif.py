"""load_gleif: load GLEIF golden-copy files (LEI-CDF, RR-CDF, reporting exceptions; xml, zip or folders)."""

import sys
import time

from django.core.management.base import BaseCommand, CommandError

from ingestion.choices import RunStatus
from ingestion.loaders.gleif import BATCH_SIZE
from ingestion.pipelines.gleif import gleif_load_paths
from ingestion.services import LoadCounts

QUIET_INTERVAL = 30  # seconds between progress lines when not on a terminal


class Command(BaseCommand):
    """load_gleif PATH ... [--force]: stream golden-copy files into legal entities, relationships and exceptions."""

    requires_system_checks = []  # a load needs the models, not the URL and admin checks
    help = (
        "Load GLEIF golden-copy files: LEI-CDF (entities), RR-CDF (relationships) and reporting exceptions, "
        "full files or deltas, .xml or .zip, or folders of them."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", help="xml or zip files, or folders of them")
        parser.add_argument("--force", action="store_true", help="load files even when their checksum was loaded")
        parser.add_argument(
            "--batch-size", type=int, default=BATCH_SIZE, help=f"records per upsert batch (default {BATCH_SIZE})"
        )

    def handle(self, *args, paths, force, batch_size, **options):
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1")
        progress = _Progress(self.stdout, options.get("verbosity", 1))
        started = time.monotonic()
        try:
            runs = gleif_load_paths(paths, force=force, progress=progress, batch_size=batch_size)
        finally:
            progress.close()
        if not runs:
            raise CommandError(f"no .xml or .zip file in {', '.join(paths)}")
        total = LoadCounts()
        for run in runs:
            total.add(
                LoadCounts(
                    read=run.records_read,
                    inserted=run.records_inserted,
                    updated=run.records_updated,
                    unchanged=run.records_unchanged,
                    rejected=run.records_rejected,
                )
            )
            older = getattr(run, "older", 0)
            self.stdout.write(
                f"{run.file_name} ({run.file_type or '?'}): {run.status}, read {run.records_read}, "
                f"inserted {run.records_inserted}, updated {run.records_updated}, unchanged {run.records_unchanged}"
                + (f" (of which {older} older than the stored records, kept)" if older else "")
                + f", rejected {run.records_rejected}"
            )
            for sample in run.rejected_sample[: 50 if options.get("verbosity", 1) > 1 else 5]:
                self.stdout.write(self.style.WARNING(f"  rejected {sample['record']}: {sample['reason']}"))
        elapsed = time.monotonic() - started
        self.stdout.write(
            f"files {len(runs)}, records read {total.read}, inserted {total.inserted}, updated {total.updated}, "
            f"unchanged {total.unchanged}, rejected {total.rejected}, elapsed {elapsed:.1f}s"
        )
        failed = [run for run in runs if run.status == RunStatus.FAILED]
        if failed:
            raise CommandError(f"{failed[0].file_name} failed: {failed[0].error.splitlines()[0]}")


class _Progress:
    """A tqdm bar with records/s on a terminal; a line every QUIET_INTERVAL seconds otherwise."""

    def __init__(self, stdout, verbosity: int):
        self.stdout = stdout
        self.verbosity = verbosity
        self.terminal = verbosity > 0 and sys.stdout.isatty() and getattr(stdout, "_out", None) is sys.stdout
        self.bar = None
        self.file = None
        self.seen = 0
        self.last_line = time.monotonic()

    def __call__(self, file_name: str, read: int, total: int | None) -> None:
        if file_name != self.file:
            self.close()
            self.file, self.seen = file_name, 0
            if self.terminal:
                from tqdm import tqdm

                self.bar = tqdm(desc=file_name, total=total, unit=" records", unit_scale=True, dynamic_ncols=True)
        if self.bar is not None:
            self.bar.update(read - self.seen)
        elif self.verbosity > 0 and time.monotonic() - self.last_line >= QUIET_INTERVAL:
            self.stdout.write(f"{file_name}: {read}" + (f" of {total}" if total else "") + " records read")
            self.last_line = time.monotonic()
        self.seen = read

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None
