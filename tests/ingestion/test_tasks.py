"""Celery tasks for FIRDS: eagerly against the fake ESMA server, and once through a real worker and Redis."""

import datetime as dt
import os
import shutil
import socket
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from celery import Celery
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection

from config.celery import app as celery_app
from ingestion.choices import RunStatus
from ingestion.models import IngestionRun
from ingestion.sources.esma import EsmaRegistryClient
from ingestion.tasks import (
    IngestionFailed,
    download_cache_prune_task,
    firds_download_load_task,
    firds_load_daily_delta_task,
    firds_load_file_task,
    firds_load_full_set_task,
)
from instruments.models import Instrument, Listing
from tests.fakes.esma import FIXTURES, FakeEsmaServer

ROOT = Path(__file__).resolve().parents[2]
FULL = "FULINS_E_20260815_01of01.zip"
DELTA = "DLTINS_20260817_01of01.zip"
REDIS_URL = "redis://127.0.0.1:6379/15"
WORKER_TIMEOUT_SECONDS = 120


@pytest.fixture
def esma(settings):
    """A fake ESMA registry listing the week's full set, an older one, and a day's delta."""
    with FakeEsmaServer() as fake:
        fake.add_file(FULL, (FIXTURES / FULL).read_bytes(), "2026-08-15")
        fake.add_file("FULINS_E_20260808_01of01.zip", b"an older full set", "2026-08-08", checksum="0" * 32)
        fake.add_file(DELTA, (FIXTURES / DELTA).read_bytes(), "2026-08-17")
        settings.ESMA_FIRDS_REGISTRY_URL = fake.firds_url
        settings.HTTP_TIMEOUT_SECONDS = 2
        settings.HTTP_MAX_RETRIES = 0
        settings.HTTP_RETRY_BACKOFF_SECONDS = 0.01
        yield fake


@pytest.mark.django_db
def test_file_task_loads_a_file_kept_in_storage(storage):
    """A storage name is resolved to a local file and loaded; the task returns the run's counts."""
    default_storage.save(f"firds/{FULL}", ContentFile((FIXTURES / FULL).read_bytes()))
    summary = firds_load_file_task.delay(f"firds/{FULL}").get()
    assert summary["status"] == RunStatus.SUCCEEDED
    assert summary["read"] == 3
    assert IngestionRun.objects.get(pk=summary["run"]).file_name == FULL
    assert set(Instrument.objects.values_list("isin", flat=True)) == {"NL00150001S5", "DE0007164600"}


@pytest.mark.django_db
def test_file_task_fails_on_a_bad_file_and_names_it(storage):
    """A file that is not a FIRDS zip fails the task with its name; the run is recorded as failed."""
    default_storage.save("firds/FULINS_E_20260815_02of02.zip", ContentFile(b"not a zip at all"))
    with pytest.raises(IngestionFailed, match="FULINS_E_20260815_02of02.zip"):
        firds_load_file_task.delay("firds/FULINS_E_20260815_02of02.zip").get()
    assert IngestionRun.objects.get().status == RunStatus.FAILED
    with pytest.raises(FileNotFoundError, match="firds/missing.zip"):
        firds_load_file_task.delay("firds/missing.zip").get()


@pytest.mark.django_db
def test_full_set_task_fans_out_the_weeks_fulins(esma, storage):
    """The latest FULINS set of the week is downloaded and loaded, one subtask per file."""
    result = firds_load_full_set_task.delay("2026-08-20").get()
    assert result["files"] == [FULL]
    assert (storage / "firds" / FULL).read_bytes() == (FIXTURES / FULL).read_bytes()
    assert IngestionRun.objects.get(file_name=FULL).status == RunStatus.SUCCEEDED
    assert Listing.objects.filter(instrument_id="NL00150001S5").count() == 2
    assert not esma.paths("/firds/FULINS_E_20260808")


def test_full_set_task_without_a_full_set_in_the_week_fails(esma):
    """A week with no FULINS in the registry is an error, not a silent no-op."""
    with pytest.raises(IngestionFailed, match="no FULINS full set .* up to 2026-08-07"):
        firds_load_full_set_task.delay("2026-08-07").get()


def test_beat_schedule_names_registered_tasks(settings):
    """The ingestion beat entries (daily delta, weekly full set, cache pruning) name tasks the worker registers."""
    firds = {
        entry["task"]
        for entry in settings.BEAT_SCHEDULE_DEFAULTS.values()
        if entry["task"].startswith("ingestion.tasks.")
    }
    assert {
        firds_load_daily_delta_task.name,
        firds_load_full_set_task.name,
        download_cache_prune_task.name,
        "ingestion.tasks.storage_tier_task",
    } <= firds
    assert firds <= set(celery_app.tasks)


@pytest.mark.django_db
def test_daily_delta_task_applies_the_days_dltins(esma, storage):
    """The day's DLTINS is found, downloaded and applied on top of the full set."""
    firds_load_file_task.delay(str(FIXTURES / FULL)).get()
    (summary,) = firds_load_daily_delta_task.delay("2026-08-17").get()
    assert summary["file"] == DELTA and summary["status"] == RunStatus.SUCCEEDED
    versions = Listing.objects.filter(instrument_id="NL00150001S5", venue_id="EBLX").order_by("valid_from")
    assert [(v.valid_from, v.valid_to, v.short_name) for v in versions] == [
        (dt.date(2025, 11, 18), dt.date(2026, 8, 16), "KINGFISH ZEELAN/SH VTG FPD"),
        (dt.date(2026, 8, 17), None, "KINGFISH CO/SH"),
    ]


@pytest.mark.django_db
def test_download_task_retries_network_failures(esma, storage, settings):
    """A download that fails past the HTTP layer's retries is retried by Celery and then loads."""
    settings.HTTP_MAX_RETRIES = 1
    esma.fail(f"/firds/{FULL}", 503, times=3)
    (registry_file,) = EsmaRegistryClient().files("2026-08-15")
    # throw=False: eager retries only run when the first attempt's Retry is not propagated.
    result = firds_download_load_task.apply(args=[registry_file.as_dict()], throw=False)
    assert result.get()["status"] == RunStatus.SUCCEEDED and result.get()["read"] == 3
    assert len(esma.paths(f"/firds/{FULL}")) == 4


def _redis_running() -> bool:
    """Whether Redis answers on 127.0.0.1:6379."""
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", 6379)) == 0


def _worker_env(media_root: Path) -> dict:
    """Environment for a worker process that uses this test's database, Redis DB 15 and a files folder."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "CELERY_BROKER_URL": REDIS_URL,
        "CELERY_RESULT_BACKEND": REDIS_URL,
        "MEDIA_ROOT": str(media_root),
    }
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        env.update(DATABASE_TYPE="sqlite", SQLITE_DB_PATH=str(db["NAME"]))
    elif connection.vendor == "postgresql":
        env.update(
            DATABASE_TYPE="postgresql",
            POSTGRES_DB=db["NAME"],
            POSTGRES_USER=db["USER"] or "",
            POSTGRES_PASSWORD=db["PASSWORD"] or "",
            POSTGRES_HOST=db["HOST"] or "127.0.0.1",
            POSTGRES_PORT=str(db["PORT"] or "5432"),
        )
        env.pop("DATABASE_URL", None)
    else:
        pytest.skip(f"no worker set-up for {connection.vendor}")
    return env


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_real_worker_loads_a_file_through_redis(tmp_path):
    """A real Celery worker (solo pool) takes firds_load_file_task from Redis and loads into the test database."""
    if not _redis_running():
        pytest.skip("Redis is not listening on 127.0.0.1:6379")
    media_root = tmp_path / "worker-files"
    (media_root / "firds").mkdir(parents=True)
    shutil.copy(FIXTURES / FULL, media_root / "firds" / FULL)
    queue = f"test-firds-{uuid.uuid4().hex}"
    log = open(tmp_path / "worker.log", "wb")  # noqa: SIM115 - closed in finally
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=solo", "-Q", queue, "-n", f"{queue}@%h"]
        + ["--without-gossip", "--without-mingle", "--without-heartbeat", "--loglevel=INFO"],
        cwd=ROOT,
        env=_worker_env(media_root),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    client = Celery("test-client", broker=REDIS_URL, backend=REDIS_URL, set_as_current=False)
    try:
        result = client.send_task("ingestion.tasks.firds_load_file_task", args=[f"firds/{FULL}"], queue=queue)
        try:
            summary = result.get(timeout=WORKER_TIMEOUT_SECONDS)
        except Exception:
            log.flush()
            print((tmp_path / "worker.log").read_text(errors="replace")[-4000:])
            raise
        assert summary["status"] == RunStatus.SUCCEEDED and summary["read"] == 3
        run = IngestionRun.objects.get(pk=summary["run"])
        assert (run.file_name, run.status, run.records_read) == (FULL, RunStatus.SUCCEEDED, 3)
        assert set(Instrument.objects.values_list("isin", flat=True)) == {"NL00150001S5", "DE0007164600"}
        result.forget()
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=15)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()
        log.close()
        with client.connection_for_write() as conn:
            conn.default_channel.client.delete(queue, f"_kombu.binding.{queue}", f"_kombu.binding_permanent.{queue}")
        client.close()
