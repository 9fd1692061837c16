"""load_fitrs: load ESMA FITRS transparency files (zips, XML or folders), or a date's files from the registry."""

import time
from datetime import date

from django.core.management.base import BaseCommand, CommandError

from ingestion.pipelines.fitrs import FILE_TYPES, fitrs_load_date, fitrs_load_paths
from ingestion.reporting import CommandProgress, runs_report
from ingestion.sources.http import SourceError


class Command(BaseCommand):
    requires_system_checks = []  # a load needs the models, not the URL and admin checks
    help = "Load ESMA FITRS files (FULECR, FULNCR, DLTECR, DLTNCR): paths to zips, XML or folders, or --date."

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="*", help="zip or XML files, or folders of them")
        parser.add_argument("--date", type=date.fromisoformat, help="date to fetch from ESMA's FITRS registry")
        parser.add_argument("--type", choices=FILE_TYPES, dest="file_type", help="only files of this type (--date)")
        parser.add_argument("--cfi", help="only files of this CFI category letter (--date)")
        parser.add_argument("--force", action="store_true", help="load files even when their checksum was loaded")

    def handle(self, *args, paths, date, file_type, cfi, force, **options):
        if bool(paths) == bool(date):
            raise CommandError("give either PATH arguments or --date")
        self.verbosity = options.get("verbosity", 1)
        started = time.monotonic()
        try:
            with CommandProgress(self.stdout, self.verbosity) as progress:
                if date:
                    runs = fitrs_load_date(date, file_type, cfi, force=force, progress=progress)
                else:
                    runs = fitrs_load_paths(paths, force=force, progress=progress)
        except SourceError as error:  # nothing was loaded
            raise CommandError(str(error)) from error
        if date and not runs:
            self.stdout.write(f"ESMA's registry lists no FITRS file for {date}")
        looked = "" if date else f"no .zip or .xml file in {', '.join(paths)}"
        runs_report(self, runs, started, nothing=looked)
