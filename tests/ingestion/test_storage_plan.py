"""Storage plan against Azurite: usage per folder and tier against the budget, tiers and retention by age."""

import datetime as dt
import json
import socket
import uuid

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from ingestion.storage import COOL, HOT, storage_tier_apply, storage_tier_plan, storage_usage
from ingestion.tasks import storage_tier_task

AZURITE_KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
AZURITE = (
    "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;"
    f"AccountKey={AZURITE_KEY};BlobEndpoint=http://127.0.0.1:10000/devstoreaccount1;"
)
DAY = dt.timedelta(days=1)


def _azurite_running() -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", 10000)) == 0


def _containers(settings, storage_options: dict):
    """Fresh Azurite containers for FIRDS and FITRS as the default storage (a container per source)."""
    from azure.storage.blob import BlobServiceClient

    service = BlobServiceClient.from_connection_string(AZURITE)
    run = uuid.uuid4().hex[:10]
    clients = {source: service.create_container(f"{source}-{run}") for source in ("firds", "fitrs")}
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "ingestion.blob_storage.SourceContainersStorage",
            "OPTIONS": {
                "connection_string": AZURITE,
                "containers": {source: client.container_name for source, client in clients.items()},
                **storage_options,
            },
        },
    }
    return clients


class Blobs:
    """The per-source container clients of a test, listed together by storage name (<source>/<blob>)."""

    def __init__(self, clients: dict):
        self.clients = clients

    def list_blobs(self):
        """Every blob of both containers, its name prefixed with its source folder."""
        for source, client in self.clients.items():
            for blob in client.list_blobs():
                blob.name = f"{source}/{blob.name}"
                yield blob


@pytest.fixture
def blobs(settings):
    """Azurite containers firds-* and fitrs-* as the default storage, with two FIRDS files and one FITRS file."""
    if not _azurite_running():
        pytest.skip("Azurite is not listening on 127.0.0.1:10000 (start it with scripts/services.sh)")
    clients = _containers(settings, {"overwrite_files": True})
    clients["firds"].upload_blob("FULINS_E_20260801_01of02.zip", b"x" * 1000)
    clients["firds"].upload_blob("FULINS_E_20260801_02of02.zip", b"x" * 500)
    clients["fitrs"].upload_blob("FULNCR_20260725_E_1of2.zip", b"y" * 300)
    yield Blobs(clients)
    for client in clients.values():
        client.delete_container()


def test_usage_counts_files_and_bytes_per_folder_and_tier(blobs):
    usage = storage_usage(budget_gb=1)
    rows = {(row.container, row.folder, row.tier): (row.files, row.bytes) for row in usage.rows}
    firds, fitrs = blobs.clients["firds"].container_name, blobs.clients["fitrs"].container_name
    assert rows == {(firds, "firds", HOT): (2, 1500), (fitrs, "fitrs", HOT): (1, 300)}
    assert usage.total_bytes == 1800 and usage.level == "ok"


def test_report_is_ok_under_the_budget(blobs, capsys):
    call_command("storage_report", "--budget-gb", "1")
    out = capsys.readouterr().out
    lines = [" ".join(line.split()) for line in out.splitlines()]
    assert f"{blobs.clients['firds'].container_name} firds Hot 2 1500" in lines
    assert f"{blobs.clients['fitrs'].container_name} fitrs Hot 1 300" in lines
    assert "total 3 file(s), 1800 bytes" in out


def test_report_warns_at_80_percent_of_a_small_budget(blobs, capsys):
    budget_gb = 2000 / 1024**3  # 1800 of 2000 bytes = 90 %
    with pytest.raises(CommandError, match=r"storage warning: 90.0% used, at or past 80% of the budget") as raised:
        call_command("storage_report", "--budget-gb", str(budget_gb), "--json")
    assert raised.value.returncode == 1
    report = json.loads(capsys.readouterr().out)
    assert report["level"] == "warning" and report["total_bytes"] == 1800 and report["percent"] == 90.0


def test_report_past_the_budget_exits_2(blobs):
    with pytest.raises(CommandError, match="storage over") as raised:
        call_command("storage_report", "--budget-gb", str(1000 / 1024**3))
    assert raised.value.returncode == 2


def test_plan_by_age_cools_archives_and_deletes(blobs):
    # Azurite stamps Last-Modified itself, so the files are aged by looking from the future.
    now = timezone.now()
    assert storage_tier_plan(now=now, cool_days=7, archive_days=30, retention_days=365).kept == 3
    cooling = storage_tier_plan(now=now + 8 * DAY, cool_days=7, archive_days=30, retention_days=365)
    assert sorted(tier for _, tier in cooling.moves) == [COOL] * 3 and not cooling.deletions
    archiving = storage_tier_plan(now=now + 31 * DAY, cool_days=7, archive_days=30, retention_days=365)
    assert {tier for _, tier in archiving.moves} == {"Archive"}
    expiring = storage_tier_plan(now=now + 366 * DAY, cool_days=7, archive_days=30, retention_days=365)
    assert len(expiring.deletions) == 3 and not expiring.moves


def test_a_file_older_than_the_cool_age_moves_to_cool_in_azurite(blobs):
    plan = storage_tier_apply(storage_tier_plan(now=timezone.now() + 8 * DAY))
    assert plan.errors == []
    assert {blob.name: str(blob.blob_tier) for blob in blobs.list_blobs()} == {
        "firds/FULINS_E_20260801_01of02.zip": COOL,
        "firds/FULINS_E_20260801_02of02.zip": COOL,
        "fitrs/FULNCR_20260725_E_1of2.zip": COOL,
    }
    # cooled files are not moved again, and the report shows them under their new tier
    assert storage_tier_plan(now=timezone.now() + 8 * DAY).moves == []
    assert {(row.folder, row.tier) for row in storage_usage(budget_gb=1).rows} == {("firds", COOL), ("fitrs", COOL)}


def test_retention_deletes_blobs_in_azurite(blobs):
    plan = storage_tier_apply(storage_tier_plan(now=timezone.now() + 400 * DAY))
    assert plan.errors == [] and len(plan.deletions) == 3
    assert list(blobs.list_blobs()) == []


def test_dry_run_changes_nothing(blobs, settings, capsys):
    settings.STORAGE_COOL_DAYS = 0  # every blob is older than 0 days
    call_command("storage_tier", "--dry-run")
    out = capsys.readouterr().out
    assert "would move firds/FULINS_E_20260801_01of02.zip Hot -> Cool" in out
    assert "would move 3, would delete 0, keep 0, failed 0" in out
    assert {str(blob.blob_tier) for blob in blobs.list_blobs()} == {HOT}


def test_command_moves_by_the_settings_ages(blobs, settings, capsys):
    settings.STORAGE_COOL_DAYS = 0
    call_command("storage_tier")
    assert "move 3, delete 0, keep 0, failed 0" in capsys.readouterr().out
    assert {str(blob.blob_tier) for blob in blobs.list_blobs()} == {COOL}


def test_the_beat_task_applies_the_plan(blobs, settings):
    settings.STORAGE_COOL_DAYS = 0
    assert storage_tier_task() == {"moved": 3, "deleted": 0, "failed": 0}


def test_ages_out_of_order_are_refused(blobs, settings):
    settings.STORAGE_ARCHIVE_DAYS = 5
    with pytest.raises(CommandError, match="STORAGE_COOL_DAYS < STORAGE_ARCHIVE_DAYS"):
        call_command("storage_tier")


def test_local_storage_is_reported_and_not_tiered(storage, capsys):
    (storage / "firds").mkdir(parents=True)
    (storage / "firds" / "a.zip").write_bytes(b"z" * 10)
    call_command("storage_report", "--budget-gb", "1")
    assert "total 1 file(s), 10 bytes" in capsys.readouterr().out
    with pytest.raises(CommandError, match="needs Azure Blob Storage: default storage is FileSystemStorage"):
        call_command("storage_tier")
    assert storage_tier_task()["skipped"] == "not Azure Blob Storage"


def test_a_single_container_storage_is_reported_and_tiered_too(settings):
    """A plain django-storages container (firds/ and fitrs/ as folders in it) keeps working."""
    if not _azurite_running():
        pytest.skip("Azurite is not listening on 127.0.0.1:10000 (start it with scripts/services.sh)")
    from azure.storage.blob import BlobServiceClient

    container = BlobServiceClient.from_connection_string(AZURITE).create_container(f"one-{uuid.uuid4().hex[:10]}")
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.azure_storage.AzureStorage",
            "OPTIONS": {"connection_string": AZURITE, "azure_container": container.container_name},
        },
    }
    try:
        container.upload_blob("firds/a.zip", b"x" * 10)
        container.upload_blob("fitrs/b.zip", b"y" * 20)
        rows = {(row.container, row.folder, row.tier, row.files, row.bytes) for row in storage_usage(budget_gb=1).rows}
        assert rows == {
            (container.container_name, "firds", HOT, 1, 10),
            (container.container_name, "fitrs", HOT, 1, 20),
        }
        assert storage_tier_apply(storage_tier_plan(now=timezone.now() + 8 * DAY)).errors == []
        assert {blob.name: str(blob.blob_tier) for blob in container.list_blobs()} == {
            "firds/a.zip": COOL,
            "fitrs/b.zip": COOL,
        }
    finally:
        container.delete_container()


def test_beat_runs_storage_tier_once_a_day(settings):
    entries = [entry for entry in settings.BEAT_SCHEDULE_DEFAULTS.values() if entry["task"] == storage_tier_task.name]
    assert len(entries) == 1
    schedule = entries[0]["schedule"]  # a crontab: one fixed minute of one hour, every day of every month
    assert len(schedule.hour) == 1 and len(schedule.minute) == 1
    assert schedule.day_of_week == set(range(7)) and schedule.day_of_month == set(range(1, 32))
