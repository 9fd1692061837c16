"""instruments: list instruments in the terminal, with the API's filters (`--cfi E --limit 5`)."""

from django.core.management.base import BaseCommand, CommandError
from django.http import QueryDict
from rich.console import Console
from rich.table import Table

from instruments.filtersets import InstrumentFilterSet
from instruments.selectors import instrument_list

FILTERS = ("q", "cfi", "category", "type", "currency", "mic", "issuer", "figi")


class Command(BaseCommand):
    requires_system_checks = []
    help = "List instruments (ISIN order) filtered as the API's instruments/ is: --cfi E --currency EUR --limit 5."

    def add_arguments(self, parser):
        for name in FILTERS:
            parser.add_argument(f"--{name}", help=InstrumentFilterSet.base_filters[name].label or f"{name} filter")
        parser.add_argument("--limit", type=int, default=20, help="rows to show (default 20)")

    def handle(self, *args, limit: int, **options):
        if limit < 1:
            raise CommandError("--limit must be at least 1")
        query = QueryDict(mutable=True)
        for name in FILTERS:
            if options.get(name):
                query[name] = options[name]
        filterset = InstrumentFilterSet(query, queryset=instrument_list().order_by("isin"))
        if not filterset.is_valid():
            raise CommandError("; ".join(f"--{name}: {' '.join(errors)}" for name, errors in filterset.errors.items()))
        rows = list(filterset.qs[: limit + 1])
        table = Table(title_justify="left")
        for column in ("ISIN", "name", "CFI", "type", "currency", "issuer LEI"):
            table.add_column(column)
        for row in rows[:limit]:
            table.add_row(row.isin, row.full_name, row.cfi_code, row.instrument_type, row.currency, row.issuer_id or "")
        table.title = f"{min(len(rows), limit)} instrument(s)" + (
            f", more beyond --limit {limit}" if len(rows) > limit else ""
        )
        console = Console(file=self.stdout, width=160, color_system="auto" if self.stdout.isatty() else None)
        console.print(table)
