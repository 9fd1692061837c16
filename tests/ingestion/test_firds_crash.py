"""Crash safety: a load_firds process killed with SIGKILL half-way, then run again, ends like an uninterrupted load."""

import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from benchmarks.firds_synth import synth_write
from ingestion.models import IngestionRun
from ingestion.pipelines.firds import firds_load_file
from instruments.models import Instrument, Listing
from tests.ingestion.test_firds_load import table_state

ROOT = Path(__file__).resolve().parents[2]
RECORDS = 20_000  # several batches, so that the kill lands between two of them
PROGRESS = re.compile(r"FULINS_X_20250830_01of01\.zip: (\d+)( of about \d+)? records so far")


def _env_for_test_database() -> dict:
    """Environment that points a manage.py subprocess at this test's database."""
    settings = connection.settings_dict
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"}
    if connection.vendor == "sqlite":
        env.update(DATABASE_TYPE="sqlite", SQLITE_DB_PATH=str(settings["NAME"]))
    else:
        env.pop("DATABASE_URL", None)
        env.update(
            DATABASE_TYPE="postgresql",
            POSTGRES_DB=settings["NAME"],
            POSTGRES_USER=settings["USER"] or "",
            POSTGRES_PASSWORD=settings["PASSWORD"] or "",
            POSTGRES_HOST=settings["HOST"] or "127.0.0.1",
            POSTGRES_PORT=str(settings["PORT"] or "5432"),
        )
    return env


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_sigkill_half_way_then_rerun_ends_like_an_uninterrupted_load(tmp_path):
    """Kill the loading process mid-file: nothing of it is stored; the rerun gives the uninterrupted tables."""
    path = tmp_path / "FULINS_X_20250830_01of01.zip"
    synth_write(path, RECORDS, seed=21)
    process = subprocess.Popen(
        [sys.executable, "manage.py", "load_firds", str(path)],
        cwd=ROOT,
        env={**_env_for_test_database(), "LOAD_PROGRESS_SECONDS": "0", "PYTHONUNBUFFERED": "1"},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        for line in process.stdout:  # a progress line after every written batch
            progress = PROGRESS.match(line)
            if progress and 0 < int(progress[1]) < RECORDS:
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
    assert Listing.objects.count() == 0 and Instrument.objects.count() == 0
    assert IngestionRun.objects.get(file_name=path.name).status == "running"  # it never finished

    rerun = firds_load_file(path)  # not skipped: the killed run did not succeed
    assert (rerun.status, rerun.records_inserted, rerun.records_read) == ("succeeded", RECORDS, RECORDS), rerun.error
    after_rerun = table_state(with_stamps=False)

    Listing.objects.all().delete()
    Instrument.objects.all().delete()
    uninterrupted = firds_load_file(path, force=True)
    assert uninterrupted.records_inserted == RECORDS
    assert table_state(with_stamps=False) == after_rerun
