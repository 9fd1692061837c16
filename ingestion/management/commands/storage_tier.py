"""storage_tier: move stored blobs to cool and archive by age, delete them past retention (--dry-run to see)."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from ingestion.storage import StorageNotBlob, storage_tier_apply, storage_tier_plan


class Command(BaseCommand):
    help = (
        "Blobs older than STORAGE_COOL_DAYS go to Cool, older than STORAGE_ARCHIVE_DAYS to Archive; "
        "older than STORAGE_RETENTION_DAYS are deleted. The lifecycle policy in infra/ does the same in Azure."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="print what would change, change nothing")

    def handle(self, *args, **options):
        cool, archive, retention = (
            settings.STORAGE_COOL_DAYS,
            settings.STORAGE_ARCHIVE_DAYS,
            settings.STORAGE_RETENTION_DAYS,
        )
        if not cool < archive < retention:
            raise CommandError(
                "STORAGE_COOL_DAYS < STORAGE_ARCHIVE_DAYS < STORAGE_RETENTION_DAYS is needed, "
                f"not {cool}, {archive}, {retention}"
            )
        try:
            plan = storage_tier_plan()
        except StorageNotBlob as error:
            raise CommandError(f"storage_tier needs Azure Blob Storage: {error}") from error
        prefix = "would " if options["dry_run"] else ""
        if not options["dry_run"]:
            storage_tier_apply(plan)
        failed = {name for name, _ in plan.errors}
        for stored, tier in plan.moves:
            if stored.name not in failed:
                self.stdout.write(f"{prefix}move {stored.name} {stored.tier} -> {tier}")
        for stored in plan.deletions:
            if stored.name not in failed:
                self.stdout.write(f"{prefix}delete {stored.name} (last changed {stored.modified:%Y-%m-%d})")
        for name, error in plan.errors:
            self.stderr.write(f"failed {name}: {error}")
        moved = len(plan.moves) - sum(1 for stored, _ in plan.moves if stored.name in failed)
        deleted = len(plan.deletions) - sum(1 for stored in plan.deletions if stored.name in failed)
        self.stdout.write(
            f"{prefix}move {moved}, {prefix}delete {deleted}, keep {plan.kept}, failed {len(plan.errors)}"
        )
        if plan.errors:
            raise CommandError(f"{len(plan.errors)} blob operation(s) failed (listed above)")
