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


@pytest.fixture
def blobs(settings):
    """A fresh Azurite container as the default storage, with two FIRDS files and one FITRS file; its client."""
    if not _azurite_running():
        pytest.skip("Azurite is not listening on 127.0.0.1:10000 (start it with scripts/services.sh)")
    from azure.storage.blob import BlobServiceClient

    name = f"plan-{uuid.uuid4().hex[:12]}"
    container = BlobServiceClient.from_connection_string(AZURITE).create_container(name)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.azure_storage.AzureStorage",
            "OPTIONS": {"connection_string": AZURITE, "azure_container": name, "overwrite_files": True},
        },
    }
    container.upload_blob("firds/FULINS_E_20260801_01of02.zip", b"x" * 1000)
    container.upload_blob("firds/FULINS_E_20260801_02of02.zip", b"x" * 500)
    container.upload_blob("fitrs/FULNCR_20260725_E_1of2.zip", b"y" * 300)
    yield container
    container.delete_container()


def test_usage_counts_files_and_bytes_per_folder_and_tier(blobs):
    usage = storage_usage(budget_gb=1)
    rows = {(row.folder, row.tier): (row.files, row.bytes) for row in usage.rows}
    assert rows == {("firds", HOT): (2, 1500), ("fitrs", HOT): (1, 300)}
    assert {row.container for row in usage.rows} == {blobs.container_name}
    assert usage.total_bytes == 1800 and usage.level == "ok"


def test_report_is_ok_under_the_budget(blobs, capsys):
    call_command("storage_report", "--budget-gb", "1")
    out = capsys.readouterr().out
    assert f"{blobs.container_name} firds" in " ".join(out.split()) and "total 3 file(s), 1800 bytes" in out


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
