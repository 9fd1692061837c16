"""fetch_instrument: fetch ISINs from ESMA's instrument register, store them through the FIRDS loader, enrich them."""

import time

from django.core.management.base import BaseCommand, CommandError

from ingestion.pipelines.enrich import enrich_entities, enrich_figi
from ingestion.pipelines.firds import firds_fetch_instruments
from ingestion.reporting import CommandProgress, runs_report
from ingestion.sources.http import SourceError
from marketdata.identifiers import isin_error


class Command(BaseCommand):
    requires_system_checks = []
    help = "Fetch instruments by ISIN from ESMA's FIRDS register (every venue's record), load them, then enrich them."

    def add_arguments(self, parser):
        parser.add_argument("isins", nargs="+", metavar="ISIN")
        parser.add_argument("--no-enrich", action="store_true", help="skip the issuer (GLEIF) and FIGI lookups")

    def handle(self, *args, isins, no_enrich, **options):
        wanted = [isin.strip().upper() for isin in isins]
        invalid = [f"{isin} ({isin_error(isin)})" for isin in wanted if isin_error(isin)]
        if invalid:
            raise CommandError(f"not an ISIN: {', '.join(invalid)}")
        self.verbosity = options.get("verbosity", 1)
        started = time.monotonic()
        try:
            with CommandProgress(self.stdout, self.verbosity) as progress:
                fetched = firds_fetch_instruments(wanted, progress=progress)
                runs_report(self, fetched.runs, started)
                found = [isin for isin in wanted if isin not in fetched.not_found]
                if found and not no_enrich:
                    for label, step in (("issuers", enrich_entities), ("FIGIs", enrich_figi)):
                        run = step(isins=found, progress=progress.labelled(label))
                        self.stdout.write(f"{label}: {run.status}, {run.records_inserted} stored")
        except SourceError as error:
            raise CommandError(str(error)) from error
        for reason in fetched.rejected:
            self.stdout.write(self.style.WARNING(f"  rejected {reason}"))
        if fetched.not_found:
            raise CommandError(f"not in ESMA's instrument register: {', '.join(fetched.not_found)}")
