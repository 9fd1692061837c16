"""load_gleif: load GLEIF golden-copy files (LEI-CDF, RR-CDF, reporting exceptions; xml, zip or folders)."""

import time

from django.core.management.base import BaseCommand, CommandError

from ingestion.loaders.gleif import BATCH_SIZE
from ingestion.pipelines.gleif import gleif_load_latest, gleif_load_paths
from ingestion.reporting import CommandProgress, runs_report
from ingestion.sources.gleif_golden import DELTA_TYPES
from ingestion.sources.http import SourceError


class Command(BaseCommand):
    """load_gleif PATH ... | --latest LastDay [--force]: golden-copy files into entities, relationships, exceptions."""

    requires_system_checks = []  # a load needs the models, not the URL and admin checks
    help = (
        "Load GLEIF golden-copy files: LEI-CDF (entities), RR-CDF (relationships) and reporting exceptions, "
        "full files or deltas, .xml or .zip, or folders of them."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="*", help="xml or zip files, or folders of them")
        parser.add_argument(
            "--latest",
            choices=(*DELTA_TYPES, "GoldenCopy"),
            help="download and load the latest publish's files of this delta (GoldenCopy: the full files)",
        )
        parser.add_argument("--force", action="store_true", help="load files even when their checksum was loaded")
        parser.add_argument(
            "--batch-size", type=int, default=BATCH_SIZE, help=f"records per upsert batch (default {BATCH_SIZE})"
        )

    def handle(self, *args, paths, latest, force, batch_size, **options):
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1")
        if bool(paths) == bool(latest):
            raise CommandError("give PATH arguments or --latest, not both or neither")
        self.verbosity = options.get("verbosity", 1)
        started = time.monotonic()
        try:
            with CommandProgress(self.stdout, self.verbosity) as progress:
                if latest:
                    runs = gleif_load_latest(latest, force=force, progress=progress)
                else:
                    runs = gleif_load_paths(paths, force=force, progress=progress, batch_size=batch_size)
        except SourceError as error:  # nothing was loaded
            raise CommandError(str(error)) from error
        looked = (
            f"the latest publish lists no {latest} file" if latest else f"no .xml or .zip file in {', '.join(paths)}"
        )
        runs_report(self, runs, started, extra=_older_note, nothing=looked)


def _older_note(run) -> str:
    """How many records were older than the stored ones and kept as stored."""
    older = getattr(run, "older", 0)
    return f"; of the unchanged, {older} older than the stored records, kept" if older else ""
