"""load_gleif_isin_map: load GLEIF's ISIN-to-LEI mapping file (isin-lei-*.csv or its zip, or the latest), streamed."""

import time

from django.core.management.base import BaseCommand, CommandError

from ingestion.pipelines.gleif import gleif_isin_map_load_file, gleif_isin_map_load_latest
from ingestion.reporting import CommandProgress, runs_report
from ingestion.sources.http import SourceError


class Command(BaseCommand):
    """load_gleif_isin_map PATH | --latest [--force]: GLEIF's ISIN-LEI mapping into IsinLeiMapping."""

    requires_system_checks = []
    help = (
        "Load GLEIF's ISIN-LEI mapping (https://www.gleif.org/en/lei-data/lei-mapping/download-isin-to-lei-"
        "relationship-files): instruments whose FIRDS records name no issuer take its LEI, marked as from GLEIF."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", help="isin-lei-<timestamp>.csv, or the .zip GLEIF publishes")
        parser.add_argument(
            "--latest", action="store_true", help="download the latest file GLEIF publishes (GLEIF_ISIN_LEI_URL)"
        )
        parser.add_argument("--force", action="store_true", help="load the file even when its checksum was loaded")

    def handle(self, *args, path, latest, force, **options):
        if bool(path) == latest:
            raise CommandError("give a PATH or --latest, not both or neither")
        self.verbosity = options.get("verbosity", 1)
        started = time.monotonic()
        try:
            with CommandProgress(self.stdout, self.verbosity) as progress:
                if latest:
                    run = gleif_isin_map_load_latest(force=force, progress=progress)
                else:
                    run = gleif_isin_map_load_file(path, force=force, progress=progress)
        except SourceError as error:  # nothing was downloaded or loaded
            raise CommandError(str(error)) from error
        runs_report(self, [run], started)
