"""load_gleif_isin_map: load GLEIF's ISIN-to-LEI mapping file (isin-lei-*.csv or its zip), streamed."""

import time

from django.core.management.base import BaseCommand

from ingestion.pipelines.gleif import gleif_isin_map_load_file
from ingestion.reporting import CommandProgress, runs_report


class Command(BaseCommand):
    requires_system_checks = []
    help = (
        "Load GLEIF's ISIN-LEI mapping (https://www.gleif.org/en/lei-data/lei-mapping/download-isin-to-lei-"
        "relationship-files): instruments whose FIRDS records name no issuer take its LEI, marked as from GLEIF."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="isin-lei-<timestamp>.csv, or the .zip GLEIF publishes")
        parser.add_argument("--force", action="store_true", help="load the file even when its checksum was loaded")

    def handle(self, *args, path, force, **options):
        self.verbosity = options.get("verbosity", 1)
        started = time.monotonic()
        with CommandProgress(self.stdout, self.verbosity) as progress:
            run = gleif_isin_map_load_file(path, force=force, progress=progress)
        runs_report(self, [run], started)
