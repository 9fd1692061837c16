"""load_firds: load ESMA FIRDS files (zips, XML or folders), or a publication date's files from the registry."""

import time
from datetime import date

from django.core.management.base import BaseCommand, CommandError

from ingestion.pipelines.firds import FILE_TYPES, FilesOnRecordMissing, firds_load_date, firds_load_paths, firds_rebuild
from ingestion.reporting import CommandProgress, runs_report
from ingestion.sources.http import SourceError


class Command(BaseCommand):
    requires_system_checks = []  # a load needs the models, not the URL and admin checks
    help = "Load ESMA FIRDS files (FULINS, DLTINS, FULCAN): paths to zips, XML or folders, or --date from the registry."

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="*", help="zip or XML files, or folders of them")
        parser.add_argument("--date", type=date.fromisoformat, help="publication date to fetch from ESMA's registry")
        parser.add_argument("--type", choices=FILE_TYPES, dest="file_type", help="only files of this type (--date)")
        parser.add_argument("--cfi", help="only files of this CFI category letter (--date)")
        parser.add_argument("--force", action="store_true", help="load files even when their checksum was loaded")
        parser.add_argument(
            "--rebuild",
            action="store_true",
            help="load again (forced) every file earlier loads name, found in the PATH folders or in storage",
        )

    def handle(self, *args, paths, date, file_type, cfi, force, rebuild, **options):
        if rebuild and date:
            raise CommandError("--rebuild takes folders to look in, not --date")
        if not rebuild and bool(paths) == bool(date):
            raise CommandError("give either PATH arguments or --date")
        self.verbosity = options.get("verbosity", 1)
        started = time.monotonic()
        try:
            with CommandProgress(self.stdout, self.verbosity) as progress:
                if rebuild:
                    runs = firds_rebuild(paths, progress=progress)
                elif date:
                    runs = firds_load_date(date, file_type, cfi, force=force, progress=progress)
                else:
                    runs = firds_load_paths(paths, force=force, progress=progress)
        except (SourceError, FilesOnRecordMissing) as error:  # nothing was loaded
            raise CommandError(str(error)) from error
        if date and not runs:
            self.stdout.write(f"ESMA's registry lists no FIRDS file for {date}")
        looked = "" if date else f"no .zip or .xml file in {', '.join(paths)}"
        if rebuild:
            looked = "no successful FIRDS load on record to load again"
        runs_report(self, runs, started, nothing=looked)
