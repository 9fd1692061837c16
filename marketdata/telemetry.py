"""Application Insights telemetry through the Azure Monitor OpenTelemetry distro, plus the project's own signals.

The distro traces requests (Django) and HTTP dependency calls (httpx, requests, urllib3) and records their
durations as metrics. Added here: a span per database query on every backend (Django's execute wrappers, so
SQLite, PostgreSQL through psycopg 3 and SQL Server alike), and the metrics of each finished load.
"""

import logging
from functools import cache

from opentelemetry import metrics, trace

logger = logging.getLogger(__name__)
_configured = False

LOAD_METER = "marketdata.ingestion"


def configure_telemetry(**options) -> bool:
    """Start exporting traces, logs and metrics when APPLICATIONINSIGHTS_CONNECTION_STRING is set.

    `options` go to configure_azure_monitor as they are (tests add in-memory span processors and metric readers).
    """
    global _configured
    from django.conf import settings

    connection_string = settings.APPLICATIONINSIGHTS_CONNECTION_STRING
    if _configured or not connection_string:
        return False
    from azure.monitor.opentelemetry import configure_azure_monitor

    configure_azure_monitor(connection_string=connection_string, logger_name="marketdata", **options)
    database_spans_install()
    _configured = True
    logger.info("Application Insights telemetry enabled")
    return True


def _database_span(execute, sql, params, many, context):
    """Run one query inside a client span named after the backend (an Application Insights SQL dependency)."""
    connection = context["connection"]
    tracer = trace.get_tracer("marketdata.db")
    attributes = {
        "db.system": {"postgresql": "postgresql", "sqlite": "sqlite", "microsoft": "mssql"}.get(
            connection.vendor, connection.vendor
        ),
        "db.name": str(connection.settings_dict.get("NAME") or ""),
        "db.statement": sql[:2000],
    }
    with tracer.start_as_current_span(f"{connection.vendor} query", kind=trace.SpanKind.CLIENT, attributes=attributes):
        return execute(sql, params, many, context)


def _add_database_span(connection) -> None:
    if _database_span not in connection.execute_wrappers:
        connection.execute_wrappers.append(_database_span)


def database_spans_install() -> None:
    """Trace every query of every database connection, the open ones and each one opened from now on."""
    from django.db import connections
    from django.db.backends.signals import connection_created

    connection_created.connect(_on_connection_created, dispatch_uid="marketdata.telemetry.database_spans")
    for connection in connections.all(initialized_only=True):
        _add_database_span(connection)


def _on_connection_created(sender, connection, **kwargs) -> None:
    _add_database_span(connection)


@cache
def _load_instruments() -> dict:
    meter = metrics.get_meter(LOAD_METER)
    return {
        "read": meter.create_counter("marketdata.load.records_read", unit="{record}", description="records read"),
        "rejected": meter.create_counter(
            "marketdata.load.records_rejected", unit="{record}", description="records rejected"
        ),
        "duration": meter.create_histogram("marketdata.load.duration", unit="s", description="time per file"),
        "rate": meter.create_histogram(
            "marketdata.load.records_per_second", unit="{record}/s", description="records read per second, per file"
        ),
        "runs": meter.create_counter("marketdata.load.runs", unit="{file}", description="files loaded, by status"),
    }


def load_metrics_record(run, counts, seconds: float | None = None) -> None:
    """Record a finished load's figures: records read and rejected, duration and records/s of its file, its status.

    With telemetry off these go to OpenTelemetry's no-op meter (near no cost)."""
    if seconds is None:
        seconds = (run.finished_at - run.started_at).total_seconds() if run.finished_at and run.started_at else 0.0
    attributes = {"source": str(run.source), "file_type": run.file_type or "", "status": str(run.status)}
    instruments = _load_instruments()
    instruments["read"].add(counts.read, attributes)
    instruments["rejected"].add(counts.rejected, attributes)
    instruments["duration"].record(seconds, attributes)
    instruments["rate"].record(counts.read / seconds if seconds > 0 else 0.0, attributes)
    instruments["runs"].add(1, attributes)
