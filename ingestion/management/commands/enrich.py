"""enrich: fill what instruments lack, issuer entities and their parents from GLEIF, FIGIs from OpenFIGI."""

import time

from django.core.management.base import BaseCommand, CommandError

from ingestion.choices import RunStatus
from ingestion.pipelines.enrich import enrich_entities, enrich_figi
from ingestion.reporting import CommandProgress
from ingestion.sources.api_http import SourceError


class Command(BaseCommand):
    requires_system_checks = []
    help = "Enrich instruments: issuers and parents from GLEIF (--entities), FIGIs from OpenFIGI (--figi), or both."

    def add_arguments(self, parser):
        parser.add_argument("--entities", action="store_true", help="issuer LEIs missing from the entities, from GLEIF")
        parser.add_argument("--figi", action="store_true", help="(ISIN, MIC) pairs of current listings, from OpenFIGI")
        parser.add_argument("--isin", nargs="+", default=None, help="only these instruments")
        parser.add_argument("--limit", type=int, default=None, help="at most N LEIs / (ISIN, MIC) pairs per step")

    def handle(self, *args, entities, figi, isin, limit, **options):
        if limit is not None and limit < 1:
            raise CommandError("--limit must be at least 1")
        steps = [("entities", enrich_entities)] if entities or not figi else []
        steps += [("figi", enrich_figi)] if figi or not entities else []
        verbosity = options.get("verbosity", 1)
        failures = []
        for label, pipeline in steps:
            started = time.monotonic()
            try:
                with CommandProgress(self.stdout, verbosity, unit="") as progress:
                    run = pipeline(isins=isin, limit=limit, progress=progress.labelled(label))
            except SourceError as error:
                failures.append(f"{label}: {error}")
                self.stdout.write(f"{label}: failed: {error}")
                continue
            no_match = getattr(run, "no_match", None)
            extra = f", no match {no_match}" if no_match is not None else ""
            self.stdout.write(
                f"{label}: {run.status}, read {run.records_read}, inserted {run.records_inserted}, "
                f"updated {run.records_updated}, unchanged {run.records_unchanged}, rejected {run.records_rejected}"
                f"{extra}, elapsed {time.monotonic() - started:.1f}s"
            )
            for sample in run.rejected_sample[:10] if verbosity > 1 or run.records_rejected <= 10 else []:
                self.stdout.write(f"  rejected {sample['record']}: {sample['reason']}")
            if run.status == RunStatus.FAILED:
                failures.append(f"{label}: {run.error.splitlines()[0]}")
        if failures:
            raise CommandError("; ".join(failures))
