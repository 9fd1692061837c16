"""Copy every table of the configured database into another, migrated database."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from marketdata.dbmove.aliases import database_alias, database_label, sqlite_backup
from marketdata.dbmove.copying import database_copy
from marketdata.dbmove.tables import BATCH_SIZE, CopyError
from marketdata.dbmove.verifying import database_verify


class Command(BaseCommand):
    """copy_database TARGET_URL [--tables T ...] [--resume] [--replace] [--verify]: batched, in pk order."""

    help = (
        "Copy every table from the configured database (or --source URL) to the migrated database at TARGET_URL "
        "(sqlite:///path, postgres://user:pw@host:port/name, mssql://...). SQLite files are backed up first."
    )

    def add_arguments(self, parser):
        parser.add_argument("target_url")
        parser.add_argument("--source", default=None, help="Copy from this database URL instead of the configured one.")
        parser.add_argument("--tables", nargs="+", default=None, help="Only these tables (db_table or app.model).")
        parser.add_argument("--resume", action="store_true", help="Continue an interrupted copy.")
        parser.add_argument("--replace", action="store_true", help="Delete the target's rows in the copied tables.")
        parser.add_argument("--verify", action="store_true", help="Compare counts and checksums afterwards.")
        parser.add_argument("--batch-size", type=int, default=BATCH_SIZE)
        parser.add_argument(
            "--backup-dir",
            default=str(Path(settings.BASE_DIR) / "var" / "backups"),
            help="Where SQLite backups go (default var/backups).",
        )
        parser.add_argument("--no-backup", action="store_true", help="Skip the SQLite backup.")

    def handle(self, *args, target_url, source, tables, resume, replace, verify, batch_size, **options):
        verbosity = options["verbosity"]

        def report(line, verbose=False):
            if verbosity > (1 if verbose else 0):
                self.stdout.write(line)

        try:
            with (
                database_alias(source, "copy_source") as source_alias,
                database_alias(target_url, "copy_target") as target_alias,
            ):
                self.stdout.write(f"copying {database_label(source_alias)} -> {database_label(target_alias)}")
                if not options["no_backup"]:
                    for alias in (source_alias, target_alias):
                        if backup := sqlite_backup(alias, Path(options["backup_dir"])):
                            self.stdout.write(f"backed up {database_label(alias)} to {backup}")
                results = database_copy(
                    source_alias,
                    target_alias,
                    tables=tables,
                    resume=resume,
                    replace=replace,
                    batch_size=batch_size,
                    report=report,
                )
                rows = sum(result.rows for result in results)
                seconds = sum(result.seconds for result in results)
                rate = rows / seconds if seconds else 0
                self.stdout.write(
                    f"copied {rows} rows in {len(results)} tables in {seconds:.2f}s ({rate:,.0f} rows/s); "
                    "content types and permissions matched by natural key"
                )
                if verify:
                    checks = database_verify(
                        source_alias, target_alias, tables=tables, batch_size=batch_size, report=report
                    )
                    failed = [check.table for check in checks if not check.ok]
                    if failed:
                        raise CommandError(f"verification found differences in {', '.join(failed)}")
                    self.stdout.write(f"verified {len(checks)} tables: identical")
        except (CopyError, ValueError) as error:
            raise CommandError(str(error)) from error
