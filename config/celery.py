"""Celery application: settings under CELERY_*, tasks found in every app."""

import os

from celery import Celery
from celery.signals import worker_process_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

app = Celery("marketdata")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
app.autodiscover_tasks(related_name="tasks_enrich")  # ingestion/tasks_enrich.py


@worker_process_init.connect
def _start_telemetry(**_kwargs):
    """Send worker telemetry to Application Insights when it is configured."""
    from marketdata.telemetry import configure_telemetry

    configure_telemetry()
