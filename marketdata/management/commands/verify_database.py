"""Compare the configured database with another: row counts and checksums per table."""

from django.core.management.base import BaseCommand, CommandError

from marketdata.dbmove.aliases import database_alias, database_label
from marketdata.dbmove.tables import BATCH_SIZE, CopyError
from marketdata.dbmove.verifying import database_verify


class Command(BaseCommand):
    """verify_database TARGET_URL [--tables T ...]: prints each table's comparison; exits 1 on any difference."""

    help = "Compare every table of the configured database (or --source URL) with the database at TARGET_URL."

    def add_arguments(self, parser):
        parser.add_argument("target_url")
        parser.add_argument("--source", default=None, help="Compare this database URL instead of the configured one.")
        parser.add_argument("--tables", nargs="+", default=None, help="Only these tables (db_table or app.model).")
        parser.add_argument("--batch-size", type=int, default=BATCH_SIZE)

    def handle(self, *args, target_url, source, tables, batch_size, **options):
        try:
            with (
                database_alias(source, "verify_source") as source_alias,
                database_alias(target_url, "verify_target") as target_alias,
            ):
                self.stdout.write(f"comparing {database_label(source_alias)} with {database_label(target_alias)}")
                checks = database_verify(
                    source_alias, target_alias, tables=tables, batch_size=batch_size, report=self.stdout.write
                )
        except (CopyError, ValueError) as error:
            raise CommandError(str(error)) from error
        failed = [check.table for check in checks if not check.ok]
        if failed:
            raise CommandError(f"differences in {len(failed)} of {len(checks)} tables: {', '.join(failed)}")
        self.stdout.write(f"{len(checks)} tables identical")
