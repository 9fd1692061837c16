"""The admin dashboard: aggregates computed after loads into a snapshot, read by the index without counting."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from ingestion.choices import RunStatus, Source
from ingestion.models import IngestionRun
from ingestion.services import ingestion_run
from marketdata.admin_svg import loads_chart
from marketdata.dashboard import dashboard_compute, dashboard_refresh, dashboard_refresh_if_older, dashboard_snapshot
from marketdata.models import DashboardSnapshot

from .factories import (
    FigiMappingFactory,
    InstrumentFactory,
    LegalEntityFactory,
    ListingFactory,
    TransparencyFactory,
    VenueFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def reference_data():
    """Four instruments (three equities, one bond) over two venues; one with its issuer, a FIGI, transparency."""
    issuer = LegalEntityFactory()
    xpar = VenueFactory(mic="XPAR", market_name="EURONEXT PARIS")
    shares = [InstrumentFactory(cfi_code="ESVUFR", category="E") for _ in range(3)]
    bond = InstrumentFactory(cfi_code="DBFTFB", category="D", issuer=issuer)
    for instrument in shares:
        ListingFactory(instrument=instrument, venue=xpar)
    ListingFactory(instrument=shares[0], venue_id="XETR")  # a MIC not loaded
    ListingFactory(instrument=bond, venue_id="XETR")
    ListingFactory(instrument=bond, venue_id="XETR", valid_from=dt.date(2020, 1, 1), is_current=False)
    FigiMappingFactory(isin=bond.isin, mic="XETR")
    TransparencyFactory(identifier=bond.isin)
    return {"shares": shares, "bond": bond, "issuer": issuer}


def _run(days_ago: int, status: str, read: int, rejected: int = 0, error: str = "") -> IngestionRun:
    run = IngestionRun.objects.create(
        source=Source.FIRDS,
        file_name=f"FULINS_E_{days_ago}.zip",
        status=status,
        records_read=read,
        records_rejected=rejected,
        error=error,
    )
    IngestionRun.objects.filter(pk=run.pk).update(started_at=timezone.now() - dt.timedelta(days=days_ago))
    return run


def test_aggregates_count_categories_venues_sources_and_coverage(reference_data):
    data = dashboard_compute()
    assert [(c["code"], c["count"]) for c in data["categories"]] == [("E", 3), ("D", 1)]
    assert data["categories"][0]["name"] == "Equities"
    # current listings only: the bond's closed version at XETR is history
    assert [(v["mic"], v["name"], v["count"]) for v in data["venues"]] == [
        ("XPAR", "EURONEXT PARIS", 3),
        ("XETR", "(MIC not loaded)", 2),
    ]
    firds = next(s for s in data["sources"] if s["source"] == "firds")
    assert firds["tables"] == [{"name": "instruments", "count": 4}, {"name": "listing versions", "count": 6}]
    coverage = data["coverage"]
    assert coverage["instruments"] == 4
    assert (coverage["issuer"]["count"], coverage["figi"]["count"], coverage["transparency"]["count"]) == (1, 1, 1)
    assert coverage["issuer"]["share"] == 0.25


def test_loads_per_day_cover_thirty_days_with_failures(db):
    _run(0, RunStatus.SUCCEEDED, 1000, 10)
    _run(0, RunStatus.FAILED, 0, error="ValueError: bad zip")
    _run(3, RunStatus.SUCCEEDED, 500, 2)
    _run(40, RunStatus.SUCCEEDED, 99)  # older than the chart
    loads = dashboard_compute()["loads"]
    assert len(loads) == 30
    assert loads[-1] == {"day": timezone.now().date().isoformat(), "read": 1000, "rejected": 10, "runs": 2, "failed": 1}
    assert (loads[-4]["read"], loads[-4]["rejected"], loads[-4]["failed"]) == (500, 2, 0)
    assert sum(day["read"] for day in loads) == 1500

    svg = str(loads_chart(loads))
    assert svg.startswith("<svg") and svg.count('class="chart-failed"') == 1
    assert f"{loads[-1]['day']}: 1,000 read, 10 rejected, 2 runs, 1 failed" in svg
    assert "<script" not in svg and "style=" not in svg  # nothing the Content-Security-Policy would block


def test_index_shows_the_snapshot_and_counts_nothing(superuser_client, reference_data):
    _run(1, RunStatus.FAILED, 0, error="FirdsFileError: FULINS_E_1.zip: truncated zip\nmore detail")
    dashboard_refresh()
    with CaptureQueriesContext(connection) as queries:
        response = superuser_client.get(reverse("admin:index"))
    assert response.status_code == 200
    counts = [q["sql"] for q in queries.captured_queries if re.search(r"\bCOUNT\(", q["sql"], re.I)]
    assert counts == []  # every figure comes from the snapshot
    page = response.content.decode()
    assert 'id="dashboard-coverage"' in page and "25.0 %" in page  # 1 of 4 instruments with its issuer
    assert "EURONEXT PARIS" in page and "Equities" in page
    assert '<svg xmlns="http://www.w3.org/2000/svg"' in page and "md-chart" in page
    assert "FULINS_E_1.zip" in page and "truncated zip" in page  # the latest failed run


def test_analysts_see_counts_but_not_loads(analyst_client, reference_data):
    _run(1, RunStatus.FAILED, 0, error="boom")
    dashboard_refresh()
    page = analyst_client.get(reverse("admin:index")).content.decode()
    assert 'id="dashboard-coverage"' in page
    assert "dashboard-loads" not in page and "dashboard-failed-runs" not in page  # runs are operations data
    assert "Refresh now" not in page


def test_index_before_the_first_refresh_says_so(superuser_client):
    page = superuser_client.get(reverse("admin:index")).content.decode()
    assert "computed after the next load" in page


def test_a_finished_load_refreshes_the_snapshot(db, django_capture_on_commit_callbacks, reference_data):
    assert dashboard_snapshot() is None
    with django_capture_on_commit_callbacks(execute=True):
        with ingestion_run(Source.FIRDS, "FULINS_E_20261121_01of01.zip") as (run, counts):
            counts.read = 7
    snapshot = DashboardSnapshot.objects.get()
    assert snapshot.data["coverage"]["instruments"] == 4
    assert snapshot.data["loads"][-1]["read"] == 7


def test_a_refresh_requested_before_the_snapshot_does_nothing(reference_data):
    before = timezone.now().isoformat()
    snapshot = dashboard_refresh()
    InstrumentFactory()
    assert dashboard_refresh_if_older(before) is False
    assert dashboard_snapshot().data["coverage"]["instruments"] == snapshot.data["coverage"]["instruments"] == 4
    assert dashboard_refresh_if_older(timezone.now().isoformat()) is True
    assert dashboard_snapshot().data["coverage"]["instruments"] == 5


def test_a_broker_that_is_down_does_not_fail_the_load(db, django_capture_on_commit_callbacks, monkeypatch):
    from kombu.exceptions import OperationalError

    from marketdata.tasks import dashboard_refresh_task

    def refuse(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(dashboard_refresh_task, "apply_async", refuse)  # what publishing to a dead broker raises
    with django_capture_on_commit_callbacks(execute=True):
        with ingestion_run(Source.FIRDS, "FULINS_E_1.zip"):
            pass
    assert IngestionRun.objects.get().status == RunStatus.SUCCEEDED
    assert dashboard_snapshot() is None
