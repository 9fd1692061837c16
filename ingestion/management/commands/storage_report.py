"""storage_report: files and bytes per container, source folder and tier, against STORAGE_BUDGET_GB."""

import json

from django.core.management.base import BaseCommand, CommandError

from ingestion.storage import GB, storage_usage

EXIT_CODES = {"ok": 0, "warning": 1, "over": 2}


class Command(BaseCommand):
    help = (
        "Report stored files per container, source folder and tier against STORAGE_BUDGET_GB. "
        "Exit code for monitors: 0 ok, 1 at or past STORAGE_WARN_PERCENT of the budget, 2 past the budget."
    )

    def add_arguments(self, parser):
        parser.add_argument("--budget-gb", type=float, default=None, help="default: settings.STORAGE_BUDGET_GB")
        parser.add_argument("--json", action="store_true", help="one JSON object instead of the table")

    def handle(self, *args, **options):
        if options["budget_gb"] is not None and options["budget_gb"] <= 0:
            raise CommandError(f"--budget-gb must be more than 0, not {options['budget_gb']:g}")
        usage = storage_usage(budget_gb=options["budget_gb"])
        if options["json"]:
            self.stdout.write(json.dumps(_as_dict(usage)))
        else:
            self.stdout.write(f"{'container':<20} {'folder':<10} {'tier':<8} {'files':>8} {'bytes':>14}")
            for row in usage.rows:
                self.stdout.write(f"{row.container:<20} {row.folder:<10} {row.tier:<8} {row.files:>8} {row.bytes:>14}")
            self.stdout.write(
                f"total {usage.total_files} file(s), {usage.total_bytes} bytes ({usage.total_bytes / GB:.3f} GB) "
                f"= {usage.percent:.1f}% of the {usage.budget_bytes / GB:g} GB budget"
            )
        if usage.level != "ok":
            what = "past the budget" if usage.level == "over" else f"at or past {usage.warn_percent:g}% of the budget"
            raise CommandError(
                f"storage {usage.level}: {usage.percent:.1f}% used, {what}", returncode=EXIT_CODES[usage.level]
            )


def _as_dict(usage) -> dict:
    return {
        "level": usage.level,
        "percent": round(usage.percent, 2),
        "budget_bytes": usage.budget_bytes,
        "total_bytes": usage.total_bytes,
        "total_files": usage.total_files,
        "rows": [vars(row) for row in usage.rows],
    }
