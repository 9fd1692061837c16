"""Jobs curators start from the admin: queued as Celery tasks, each recording its progress, outcome and runs."""

import datetime as dt
import inspect
import logging
import os
import socket
import time

from django.db import transaction
from django.utils import timezone

from .models import AdminJob

logger = logging.getLogger(__name__)

PROGRESS_WRITE_SECONDS = 1.0
Kind = AdminJob.Kind
Status = AdminJob.Status

# Job kinds that load a date's files, and the file types each may be restricted to.
LOAD_FILE_TYPES = {
    Kind.LOAD_FIRDS: ("FULINS", "DLTINS", "FULCAN"),
    Kind.LOAD_FITRS: ("FULECR", "FULNCR", "DLTECR", "DLTNCR"),
    Kind.LOAD_GLEIF: ("LEI2", "RR", "REPEX"),
}


class JobRefused(ValueError):
    """A job whose parameters cannot run (the message says which)."""


def admin_job_start(kind: str, parameters: dict, user=None) -> AdminJob:
    """Record a job and queue it (after the current transaction commits); the job row shows its progress."""
    kind = Kind(kind)
    _parameters_check(kind, parameters)
    job = AdminJob.objects.create(kind=kind, parameters=parameters, requested_by=user)

    def enqueue():
        from .tasks import admin_job_run_task

        try:
            result = admin_job_run_task.apply_async(args=[job.pk], retry=False)
        except Exception as error:  # broker down: the job says so instead of waiting forever
            logger.warning("admin job %s could not be queued", job.pk, exc_info=True)
            AdminJob.objects.filter(pk=job.pk, status=Status.QUEUED).update(
                status=Status.FAILED, error=f"Not queued: {type(error).__name__}: {error}", finished_at=timezone.now()
            )
            return
        AdminJob.objects.filter(pk=job.pk).update(task_id=result.id or "")

    transaction.on_commit(enqueue)
    return job


def _parameters_check(kind: str, parameters: dict) -> None:
    """Refuse parameters the job cannot use, naming the field."""
    if kind in LOAD_FILE_TYPES:
        try:
            dt.date.fromisoformat(parameters.get("date") or "")
        except ValueError:
            raise JobRefused(f"date: {parameters.get('date')!r} is not a date (YYYY-MM-DD)") from None
        file_type = parameters.get("file_type") or ""
        if file_type and file_type not in LOAD_FILE_TYPES[kind]:
            raise JobRefused(f"file_type: {file_type!r} is not one of {', '.join(LOAD_FILE_TYPES[kind])}")
        _date_loader(kind)  # refused now, not in the worker, when the source cannot load by date here
    elif not parameters.get("isins") and not parameters.get("leis"):
        raise JobRefused("nothing selected: a job of this kind needs ISINs or LEIs")
    elif kind == Kind.ENRICH_ENTITIES and not enrich_by_lei_available():
        raise JobRefused("enriching entities by LEI needs enrich_entities(leis=...), which is not installed")


def enrich_by_lei_available() -> bool:
    """True when the GLEIF enrichment pipeline takes LEIs (selected entities), not only ISINs."""
    from ingestion.pipelines.enrich import enrich_entities

    return "leis" in inspect.signature(enrich_entities).parameters


class JobProgress:
    """A pipeline's progress callback, `(done, total)` or `(label, done[, total])`, written to the job row (at most
    once a second) together with the IngestionRuns this process opened since the job began."""

    def __init__(self, job: AdminJob):
        from ingestion.models import IngestionRun

        self.job = job
        self.first_run = IngestionRun.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        self.written = 0.0

    def __call__(self, *args) -> None:
        label = args[0] if args and isinstance(args[0], str) else ""
        numbers = [arg for arg in args if isinstance(arg, int)]
        done = numbers[0] if numbers else 0
        total = numbers[1] if len(numbers) > 1 else None
        self.job.step, self.job.done = label[:255], done
        if total is not None:
            self.job.total = total
        if time.monotonic() - self.written >= PROGRESS_WRITE_SECONDS:
            self.write()

    def run_ids(self) -> list[int]:
        """The runs this process opened since the job began."""
        from ingestion.models import IngestionRun

        runs = IngestionRun.objects.filter(pk__gt=self.first_run, host=socket.gethostname(), pid=os.getpid())
        return list(runs.order_by("pk").values_list("pk", flat=True))

    def write(self) -> None:
        """Store the progress so far."""
        self.job.runs = self.run_ids()
        self.job.save(update_fields=["step", "done", "total", "runs"])
        self.written = time.monotonic()


def _date_loader(kind: str):
    """The pipeline function that finds, downloads and loads a source's files of one date."""
    if kind == Kind.LOAD_FIRDS:
        from ingestion.pipelines.firds import firds_load_date

        return firds_load_date
    if kind == Kind.LOAD_FITRS:
        from ingestion.pipelines.fitrs import fitrs_load_date

        return fitrs_load_date
    from ingestion.pipelines import gleif

    loader = getattr(gleif, "gleif_load_date", None)
    if loader is None:
        raise JobRefused(
            "GLEIF loads by date need ingestion.pipelines.gleif.gleif_load_date(day, file_type, force=, progress=), "
            "which is not installed"
        )
    return loader


def _enrich_entities(parameters: dict, progress: JobProgress):
    """GLEIF enrichment of the selected entities (by LEI) or of the selected instruments' issuers (by ISIN)."""
    from ingestion.pipelines.enrich import enrich_entities

    if parameters.get("leis"):
        return enrich_entities(leis=parameters["leis"], limit=None, progress=progress)
    return enrich_entities(isins=parameters["isins"], limit=None, progress=progress)


def _execute(job: AdminJob, progress: JobProgress) -> list:
    """Call the pipeline the job names; the IngestionRuns it returns."""
    parameters = job.parameters
    if job.kind in (Kind.ENRICH_INSTRUMENTS, Kind.ENRICH_ENTITIES):
        return [_enrich_entities(parameters, progress)]
    if job.kind == Kind.MAP_FIGI:
        from ingestion.pipelines.enrich import enrich_figi

        return [enrich_figi(isins=parameters["isins"], limit=None, progress=progress)]
    loader = _date_loader(job.kind)
    day = dt.date.fromisoformat(parameters["date"])
    return list(
        loader(day, parameters.get("file_type") or None, force=bool(parameters.get("force")), progress=progress)
    )


def _run_summary(run) -> dict:
    """What the job's result says about one run."""
    return {
        "run": run.pk,
        "file": run.file_name,
        "status": run.status,
        "read": run.records_read,
        "inserted": run.records_inserted,
        "updated": run.records_updated,
        "rejected": run.records_rejected,
        "error": (run.error.splitlines() or [""])[0],
    }


def admin_job_run(job_id: int) -> dict:
    """Run a queued job: mark it running, call its pipeline with progress, record the outcome and its runs."""
    from ingestion.choices import RunStatus

    job = AdminJob.objects.get(pk=job_id)
    if job.status != Status.QUEUED:
        return {"job": job.pk, "status": job.status, "skipped": "not queued"}
    job.status, job.started_at = Status.RUNNING, timezone.now()
    job.save(update_fields=["status", "started_at"])
    progress = JobProgress(job)
    runs = []
    try:
        runs = _execute(job, progress)
    except Exception as error:
        logger.exception("admin job %s (%s) failed", job.pk, job.kind)
        from ingestion.services import run_error_message

        job.status, job.error = Status.FAILED, run_error_message(error)
    else:
        failed = [run for run in runs if run.status == RunStatus.FAILED]
        job.result = {"runs": [_run_summary(run) for run in runs]}
        job.status = Status.FAILED if failed else Status.SUCCEEDED
        job.error = f"{failed[0].file_name}: {_run_summary(failed[0])['error']}" if failed else ""
        if job.status == Status.SUCCEEDED and job.total is None:
            job.total = job.done
    job.runs = sorted(set(progress.run_ids()) | {run.pk for run in runs})
    job.finished_at = timezone.now()
    job.save()
    return {"job": job.pk, "status": job.status, "runs": job.runs}
