"""Celery tasks and `load_fitrs --date` for FITRS, eagerly against the fake ESMA registry (core
esma_registers_fitrs_files, filtered on creation_date) and download server."""

from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command

from ingestion.choices import RunStatus
from ingestion.models import IngestionRun
from ingestion.tasks import (
    IngestionFailed,
    fitrs_load_daily_delta_task,
    fitrs_load_file_task,
    fitrs_load_full_set_task,
)
from instruments.models import Transparency
from tests.fakes.esma import FITRS_CORE, FakeEsmaServer

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "samples" / "fitrs"
FULL = ["FULNCR_20250830_H_1of3.zip", "FULNCR_20250830_H_2of3.zip"]
EQUITY = "FULECR_20250830_E_1of1.zip"
DELTA = "DLTNCR_20250906_1of1.zip"

pytestmark = pytest.mark.django_db


@pytest.fixture
def esma(settings):
    """A fake FITRS registry listing two FULNCR parts and a FULECR of 2025-08-30 and a delta of 2025-09-06."""
    with FakeEsmaServer() as fake:
        for name in [*FULL, EQUITY]:
            fake.add_file(name, (SAMPLES / name).read_bytes(), "2025-08-30", core=FITRS_CORE)
        fake.add_file(DELTA, (SAMPLES / DELTA).read_bytes(), "2025-09-06", core=FITRS_CORE)
        settings.ESMA_FITRS_REGISTRY_URL = fake.fitrs_url
        settings.HTTP_TIMEOUT_SECONDS = 2
        settings.HTTP_MAX_RETRIES = 0
        settings.HTTP_RETRY_BACKOFF_SECONDS = 0.01
        yield fake


def test_full_set_task_fans_out_the_weeks_fulncr_then_the_delta_task_applies(esma, storage):
    result = fitrs_load_full_set_task.delay("2025-09-01", "FULNCR").get()
    assert result["files"] == FULL
    assert Transparency.objects.count() == 6 and (storage / "fitrs" / FULL[0]).exists()
    assert not any("FULECR" in path for path in esma.paths("/fitrs/"))
    (summary,) = fitrs_load_daily_delta_task.delay("2025-09-06").get()
    assert (summary["file"], summary["status"], summary["read"]) == (DELTA, RunStatus.SUCCEEDED, 2)
    assert [run.file_type for run in IngestionRun.objects.order_by("pk")] == ["FULNCR", "FULNCR", "DLTNCR"]


def test_full_set_task_without_files_fails_and_file_task_names_a_bad_file(esma, storage):
    with pytest.raises(IngestionFailed, match="no FULECR set in the FITRS registry in the week up to 2025-08-20"):
        fitrs_load_full_set_task.delay("2025-08-20", "FULECR").get()
    bad = storage / "fitrs" / "FULECR_20250830_E_1of1.zip"
    bad.parent.mkdir(parents=True, exist_ok=True)
    bad.write_bytes(b"not a zip")
    with pytest.raises(IngestionFailed, match="FULECR_20250830_E_1of1.zip"):
        fitrs_load_file_task.delay("fitrs/FULECR_20250830_E_1of1.zip").get()


def test_command_by_date_type_and_letter(esma, storage):
    out = StringIO()
    call_command("load_fitrs", "--date", "2025-08-30", "--type", "FULECR", "--cfi", "E", stdout=out)
    assert "files 1, records read 3, inserted 3" in out.getvalue()
    assert set(Transparency.objects.values_list("file_type", flat=True)) == {"FULECR"}


def test_beat_schedules_the_fitrs_tasks():
    tasks = {entry["task"]: entry for entry in django_settings.BEAT_SCHEDULE_DEFAULTS.values()}
    assert "ingestion.tasks.fitrs_load_daily_delta_task" in tasks
    kinds = {
        entry.get("kwargs", {}).get("file_type")
        for entry in django_settings.BEAT_SCHEDULE_DEFAULTS.values()
        if entry["task"] == "ingestion.tasks.fitrs_load_full_set_task"
    }
    assert kinds == {"FULNCR", "FULECR"}
