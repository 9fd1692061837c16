"""Celery tasks of the shared core: the admin dashboard's refresh and the jobs curators start in the admin."""

from celery import shared_task

from .dashboard import dashboard_refresh_if_older
from .jobs import admin_job_run


@shared_task(soft_time_limit=1800, time_limit=1900)
def dashboard_refresh_task(requested_at: str | None = None) -> bool:
    """Recompute the dashboard's aggregates unless a newer snapshot exists; True when it did."""
    return dashboard_refresh_if_older(requested_at)


@shared_task(soft_time_limit=3 * 3600, time_limit=3 * 3600 + 300)
def admin_job_run_task(job_id: int) -> dict:
    """Run one AdminJob (enrichment, FIGI mapping, a load for a date), recording progress and outcome on it."""
    return admin_job_run(job_id)
