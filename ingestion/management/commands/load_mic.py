"""load_mic: load the ISO 10383 MIC registry CSV into venues."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from ingestion.parsers.mic import MicFormatError
from ingestion.pipelines.mic import OlderEditionError, mic_load
from ingestion.sources.http import SourceError


class Command(BaseCommand):
    """load_mic [PATH | --url URL] [--allow-older] [--dry-run]: upsert venues by MIC and report what differed."""

    help = (
        "Load the ISO 10383 MIC CSV (a file, a folder of CSVs, or --url; default: settings.MIC_CSV_URL). "
        "Reports added / changed / expired venues; refuses an older edition unless --allow-older."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", help="A MIC CSV file or a folder holding one.")
        parser.add_argument("--url", default="", help="Download the CSV from this URL (default: MIC_CSV_URL).")
        parser.add_argument(
            "--allow-older", action="store_true", help="Apply a file even if it is older than the venues stored."
        )
        parser.add_argument("--dry-run", action="store_true", help="Report what would change; write nothing.")

    def handle(self, *args, **options):
        if options["path"] and options["url"]:
            raise CommandError("give a PATH or --url, not both")
        url = "" if options["path"] else (options["url"] or settings.MIC_CSV_URL)
        try:
            results = mic_load(options["path"], url=url, allow_older=options["allow_older"], dry_run=options["dry_run"])
        except (MicFormatError, OlderEditionError, SourceError, FileNotFoundError) as error:
            raise CommandError(str(error)) from error
        verbose = options["verbosity"] >= 2
        for result in results:
            verb = "would change" if not result.applied else "loaded"
            self.stdout.write(f"{result.file_name}: {verb}: {result.diff.summary()}")
            if result.diff.older_rows or result.diff.is_older_edition:
                self.stdout.write(
                    self.style.WARNING(
                        f"  older than the stored data (file edition {result.diff.file_edition}, "
                        f"stored {result.diff.stored_edition}); applied because of --allow-older"
                        if result.applied and result.diff.has_changes
                        else f"  file edition {result.diff.file_edition}, stored {result.diff.stored_edition}"
                    )
                )
            for line in result.diff.details(limit=10_000 if verbose else 10):
                self.stdout.write(line)
            for rejection in result.rejections[: None if verbose else 10]:
                text = f"  rejected line {rejection.line} {rejection.mic}: {rejection.reason}"
                self.stdout.write(self.style.WARNING(text))
            if result.counts.rejected:
                self.stdout.write(self.style.WARNING(f"  {result.counts.rejected} row(s) rejected"))
