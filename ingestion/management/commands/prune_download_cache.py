"""prune_download_cache: delete local copies of Blob Storage files (MEDIA_ROOT/cache) older than DOWNLOAD_CACHE_DAYS."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from ingestion.sources.http import download_cache_prune


class Command(BaseCommand):
    help = "Delete local copies of stored files (MEDIA_ROOT/cache) written more than --days days ago."

    def add_arguments(self, parser):
        parser.add_argument(
            "--days", type=float, default=None, help="age in days (default: settings.DOWNLOAD_CACHE_DAYS)"
        )

    def handle(self, *args, **options):
        days = settings.DOWNLOAD_CACHE_DAYS if options["days"] is None else options["days"]
        if days < 0:
            raise CommandError(f"--days must be 0 or more, not {days}")
        removed = download_cache_prune(days)
        for path in removed:
            self.stdout.write(f"deleted {path}", style_func=None)
        self.stdout.write(f"{len(removed)} cached file(s) older than {days:g} days deleted")
