"""map_figi: FIGIs from OpenFIGI for current listings that have none (the same as `enrich --figi`)."""

from .enrich import Command as EnrichCommand


class Command(EnrichCommand):
    help = "Map (ISIN, MIC) pairs of current listings to FIGIs through OpenFIGI (enrich --figi)."

    def add_arguments(self, parser):
        parser.add_argument("--isin", nargs="+", default=None, help="only these instruments")
        parser.add_argument("--limit", type=int, default=None, help="at most N (ISIN, MIC) pairs")

    def handle(self, *args, **options):
        return super().handle(*args, **{**options, "entities": False, "figi": True})
