"""Telemetry through the Azure Monitor distro reaches OpenTelemetry's in-memory exporters: a request span, a
database span, an HTTP dependency span, and a load's metrics. Run in a child process: OpenTelemetry's global
providers can be set once per process, and the instrumented Django must not leak into other tests."""

import json
import os
import socket
import subprocess
import sys

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.slow

CHILD = r"""
import json, os, sys
import django
django.setup()
import httpx
from django.db import connection
from django.test import Client
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from marketdata.telemetry import configure_telemetry

spans, reader = InMemorySpanExporter(), InMemoryMetricReader()
assert configure_telemetry(
    span_processors=[SimpleSpanProcessor(spans)], metric_readers=[reader], disable_offline_storage=True,
    enable_live_metrics=False,
)
from ingestion.models import IngestionRun
from ingestion.services import ingestion_run

with connection.schema_editor() as editor:
    editor.create_model(IngestionRun)
assert Client().get("/health/").status_code == 200
response = Client().get("/api/v1/instruments/")  # a request that reaches the database too
assert response.status_code in (401, 403), response.status_code
httpx.get(os.environ["FAKE_URL"] + "/lei-records/529900T8BM49AURSDO55")
with ingestion_run("firds", "FULINS_E_20260801_01of02.zip", "FULINS") as (run, counts):
    counts.read, counts.rejected = 1200, 7
try:
    with ingestion_run("firds", "DLTINS_20260802_01of01.zip", "DLTINS") as (run, counts):
        counts.read = 10
        raise ValueError("broken file")
except ValueError:
    pass

points = {}
for resource_metrics in reader.get_metrics_data().resource_metrics:
    for scope in resource_metrics.scope_metrics:
        for metric in scope.metrics:
            for point in metric.data.data_points:
                value = getattr(point, "value", None)
                if value is None:
                    value = {"count": point.count, "sum": point.sum}
                points.setdefault(metric.name, []).append({"attributes": dict(point.attributes), "value": value})
print(json.dumps({
    "spans": [
        {"name": s.name, "kind": s.kind.name, "attributes": {k: str(v) for k, v in (s.attributes or {}).items()}}
        for s in spans.get_finished_spans()
    ],
    "metrics": points,
}))
"""


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def telemetry(tmp_path_factory):
    """What the child process's in-memory exporters saw."""
    from tests.fakes.gleif import FakeGleif

    with FakeGleif() as gleif:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "POSTGRES_", "SQLITE_"))}
        env.update(
            {
                "DJANGO_SETTINGS_MODULE": "config.settings.test",
                "DATABASE_TYPE": "sqlite",
                "SQLITE_DB_PATH": str(tmp_path_factory.mktemp("telemetry") / "db.sqlite3"),
                # a well-formed connection string whose endpoint is a closed local port: nothing leaves the machine
                "APPLICATIONINSIGHTS_CONNECTION_STRING": "InstrumentationKey=00000000-0000-0000-0000-000000000000;"
                f"IngestionEndpoint=http://127.0.0.1:{_closed_port()}/",
                "APPLICATIONINSIGHTS_STATSBEAT_DISABLED_ALL": "true",
                "OTEL_TRACES_SAMPLER": "always_on",  # the distro's default sampler keeps at most 5 traces a second
                "FAKE_URL": gleif.api_url,
                "REDIS_URL": "",
                "DJANGO_ALLOWED_HOSTS": "testserver",
            }
        )
        result = subprocess.run(
            [sys.executable, "-c", CHILD], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
        )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_a_request_span(telemetry):
    servers = [span for span in telemetry["spans"] if span["kind"] == "SERVER"]
    assert any(span["attributes"].get("http.route", "").startswith("health") for span in servers), servers
    assert any("instruments" in span["attributes"].get("http.route", "") for span in servers), servers


def test_a_database_span(telemetry):
    queries = [span for span in telemetry["spans"] if span["attributes"].get("db.system") == "sqlite"]
    assert queries and all(span["kind"] == "CLIENT" for span in queries)
    assert any("ingestion_ingestionrun" in span["attributes"]["db.statement"] for span in queries)


def test_an_http_dependency_span(telemetry):
    calls = [span for span in telemetry["spans"] if span["kind"] == "CLIENT" and "db.system" not in span["attributes"]]
    urls = [span["attributes"].get("url.full") or span["attributes"].get("http.url", "") for span in calls]
    assert any(url.endswith("/lei-records/529900T8BM49AURSDO55") for url in urls), calls


def test_a_loads_metrics(telemetry):
    metrics = telemetry["metrics"]
    succeeded = {"source": "firds", "file_type": "FULINS", "status": "succeeded"}
    failed = {"source": "firds", "file_type": "DLTINS", "status": "failed"}
    by_status = {p["attributes"]["status"]: p["value"] for p in metrics["marketdata.load.records_read"]}
    assert by_status == {"succeeded": 1200, "failed": 10}
    rejected = [p for p in metrics["marketdata.load.records_rejected"] if p["attributes"] == succeeded]
    assert rejected[0]["value"] == 7
    for name in ("marketdata.load.duration", "marketdata.load.records_per_second"):
        points = {p["attributes"]["status"]: p["value"] for p in metrics[name]}
        assert points["succeeded"]["count"] == 1 and points["succeeded"]["sum"] >= 0, name
    runs = {p["attributes"]["status"]: p["value"] for p in metrics["marketdata.load.runs"]}
    assert runs == {"succeeded": 1, "failed": 1}
    assert [p["attributes"] for p in metrics["marketdata.load.runs"] if p["attributes"]["status"] == "failed"] == [
        failed
    ]


def test_api_latency_is_a_metric(telemetry):
    names = set(telemetry["metrics"])
    assert names & {"http.server.duration", "http.server.request.duration"}, sorted(names)
