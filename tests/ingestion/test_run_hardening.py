"""Runs left `running` by a dead process are marked failed with the reason; a delta with no full load says so."""

import os
import socket
import subprocess
import sys
from datetime import timedelta

import pytest
from django.utils import timezone

from ingestion.choices import Source
from ingestion.models import IngestionRun
from ingestion.pipelines.firds import DELTA_WITHOUT_FULL_LOAD, firds_load_file
from ingestion.services import ingestion_run
from ingestion.tasks import ingestion_runs_fail_stale_task
from tests.api.access import bearer, role_user

from .test_firds_load import ISIN, firds_tree, write_delta, write_full

pytestmark = pytest.mark.django_db


def dead_pid() -> int:
    """The id of a process of this machine that has just ended."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def running_run(**fields) -> IngestionRun:
    """A run left `running` (as by a load killed with SIGKILL)."""
    return IngestionRun.objects.create(source="firds", file_name="FULINS_E_20250830_01of01.zip", **fields)


# 11. Stale runs


def test_the_next_load_marks_failed_a_run_whose_process_died(client):
    killed = running_run(host=socket.gethostname(), pid=dead_pid())
    with ingestion_run("mic", "ISO10383_MIC.csv") as (run, _):
        assert (run.host, run.pid) == (socket.gethostname(), os.getpid())
    killed.refresh_from_db()
    assert killed.status == "failed" and killed.finished_at is not None
    assert f"process {killed.pid} on {killed.host}" in killed.error and "SIGKILL" in killed.error
    body = client.get(f"/api/v1/ingestion/runs/{killed.pk}/", headers={"Authorization": bearer(role_user("curator"))})
    assert body.json()["status"] == "failed" and body.json()["error"] == killed.error


def test_the_periodic_task_fails_old_runs_of_other_machines_and_leaves_live_ones():
    old = running_run(host="worker-7", pid=12)
    IngestionRun.objects.filter(pk=old.pk).update(started_at=timezone.now() - timedelta(hours=7))
    recent_elsewhere = running_run(host="worker-7", pid=13)
    alive_here = running_run(host=socket.gethostname(), pid=os.getppid())
    assert ingestion_runs_fail_stale_task() == [old.pk]
    old.refresh_from_db()
    assert old.status == "failed" and "still running 6 hours after it started" in old.error
    for run in (recent_elsewhere, alive_here):
        run.refresh_from_db()
        assert run.status == "running"


# 9. A delta with no full load


def test_a_delta_into_a_database_with_no_full_load_warns_in_the_run(tmp_path, caplog):
    delta = write_delta(tmp_path, [("CANCELLED", firds_tree(ISIN, "XMUN", "2025-09-01"))], "20250901")
    run = firds_load_file(delta)
    assert run.warnings == [DELTA_WITHOUT_FULL_LOAD]
    assert IngestionRun.objects.get(pk=run.pk).warnings == [DELTA_WITHOUT_FULL_LOAD]
    assert DELTA_WITHOUT_FULL_LOAD in caplog.text


def test_a_delta_after_a_full_load_has_no_warning(tmp_path):
    firds_load_file(write_full(tmp_path, [firds_tree(ISIN, "XMUN", "2025-01-10")]))
    run = firds_load_file(write_delta(tmp_path, [("CANCELLED", firds_tree(ISIN, "XMUN", "2025-09-01"))], "20250901"))
    assert run.status == "succeeded" and run.warnings == []


@pytest.mark.django_db
def test_a_load_reads_sqlite_without_a_memory_map():
    """A loading process turns SQLite's memory map off (its pages would count in the loader's RSS and grow with the
    database); elsewhere nothing changes."""
    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("SQLite only")
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA mmap_size=1073741824")
        cursor.execute("PRAGMA mmap_size")
        mapped = cursor.fetchone()[0]
        with ingestion_run(Source.FIRDS, "FULINS_X_20250830_01of01.zip"):
            cursor.execute("PRAGMA mmap_size")
            assert cursor.fetchone()[0] == 0
    assert mapped > 0  # the server's setting, before the load
