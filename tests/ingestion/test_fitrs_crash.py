"""Crash safety: a load_fitrs process killed with SIGKILL half-way, then run again, ends like an uninterrupted load."""

import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks.fitrs_load import fitrs_synth_write
from ingestion.models import IngestionRun
from ingestion.pipelines.fitrs import PARALLEL_FROM_BYTES, fitrs_load_file
from instruments.models import Transparency
from tests.ingestion.test_firds_crash import _env_for_test_database
from tests.ingestion.test_fitrs_load import table_state

ROOT = Path(__file__).resolve().parents[2]
RECORDS = 40_000  # many batches, and a file large enough to be parsed in its own process
PROGRESS = re.compile(r"FULNCR_20250830_X_1of1\.zip: (\d+) records so far")


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_sigkill_half_way_then_rerun_ends_like_an_uninterrupted_load(tmp_path):
    """Kill the loading process mid-file: nothing of it is stored; the rerun gives the uninterrupted table."""
    path = tmp_path / "FULNCR_20250830_X_1of1.zip"
    fitrs_synth_write(path, RECORDS, seed=21)
    assert path.stat().st_size >= PARALLEL_FROM_BYTES
    process = subprocess.Popen(
        [sys.executable, "manage.py", "load_fitrs", str(path)],
        cwd=ROOT,
        env={**_env_for_test_database(), "LOAD_PROGRESS_SECONDS": "0", "PYTHONUNBUFFERED": "1"},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        for line in process.stdout:  # a progress line after every written batch
            progress = PROGRESS.match(line)
            if progress and 0 < int(progress[1]) < RECORDS // 2:
                break
        else:
            pytest.fail(f"the load ended before a batch was reported:\n{process.stderr.read()}")
        os.kill(process.pid, signal.SIGKILL)  # batches written, the file's transaction still open
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
        process.stdout.close()
        process.stderr.close()
    assert process.returncode == -signal.SIGKILL
    assert Transparency.objects.count() == 0
    assert IngestionRun.objects.get(file_name=path.name).status == "running"  # it never finished

    rerun = fitrs_load_file(path)  # not skipped: the killed run did not succeed
    assert rerun.status == "succeeded", rerun.error
    outcomes = rerun.records_inserted + rerun.records_updated + rerun.records_unchanged
    assert rerun.records_read == outcomes == RECORDS
    killed = IngestionRun.objects.get(file_name=path.name, pk__lt=rerun.pk)
    assert killed.status == "failed" and "SIGKILL" in killed.error  # marked when the rerun started
    after_rerun = table_state()

    Transparency.objects.all().delete()
    uninterrupted = fitrs_load_file(path, force=True)
    assert uninterrupted.records_inserted == rerun.records_inserted
    assert table_state() == after_rerun
