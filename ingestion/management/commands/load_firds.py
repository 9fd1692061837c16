"""load_firds: load ESMA FIRDS files (zips, XML or folders), or a publication date's files from the registry."""

import sys
import time
from datetime import date

from django.core.management.base import BaseCommand, CommandError

from ingestion.choices import RunStatus
from ingestion.pipelines.firds import FILE_TYPES, firds_load_date, firds_load_paths
from ingestion.services import LoadCounts
from ingestion.sources.http import SourceError

QUIET_INTERVAL = 30  # seconds between progress lines when not on a terminal


class Command(BaseCommand):
    requires_system_checks = []  # a load needs the models, not the URL and admin checks
    help = "Load ESMA FIRDS files (FULINS, DLTINS, FULCAN): paths to zips, XML or folders, or --date from the registry."

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="*", help="zip or XML files, or folders of them")
        parser.add_argument("--date", type=date.fromisoformat, help="publication date to fetch from ESMA's registry")
        parser.add_argument("--type", choices=FILE_TYPES, dest="file_type", help="only files of this type (--date)")
        parser.add_argument("--cfi", help="only files of this CFI category letter (--date)")
        parser.add_argument("--force", action="store_true", help="load files even when their checksum was loaded")

    def handle(self, *args, paths, date, file_type, cfi, force, **options):
        if bool(paths) == bool(date):
            raise CommandError("give either PATH arguments or --date")
        progress = _Progress(self.stdout, options.get("verbosity", 1))
        started = time.monotonic()
        try:
            if date:
                runs = firds_load_date(date, file_type, cfi, force=force, progress=progress)
            else:
                runs = firds_load_paths(paths, force=force, progress=progress)
        except SourceError as error:  # registry or download failed: nothing was loaded
            raise CommandError(str(error)) from error
        finally:
            progress.close()
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
            self.stdout.write(
                f"{run.file_name}: {run.status}, read {run.records_read}, inserted {run.records_inserted}, "
                f"updated {run.records_updated}, unchanged {run.records_unchanged}, rejected {run.records_rejected}"
            )
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

    def __call__(self, file_name: str, read: int) -> None:
        if file_name != self.file:
            self.close()
            self.file, self.seen = file_name, 0
            if self.terminal:
                from tqdm import tqdm

                self.bar = tqdm(desc=file_name, unit=" records", unit_scale=True, dynamic_ncols=True)
        if self.bar is not None:
            self.bar.update(read - self.seen)
        elif self.verbosity > 0 and time.monotonic() - self.last_line >= QUIET_INTERVAL:
            self.stdout.write(f"{file_name}: {read} records read")
            self.last_line = time.monotonic()
        self.seen = read

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None
