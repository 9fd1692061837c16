"""The stored files' plan: usage per container, source folder and tier against a budget, and tiers by age.

Works on Django's default storage: Azure Blob Storage with a container per source (ingestion/blob_storage.py,
the same credential and containers the downloads use), a single django-storages container, or, for the report
only, a local folder. In production the storage account's lifecycle
management policy (infra/modules/storage.bicep) moves and deletes blobs by the same ages; ``storage_tier``
is the same rule run on demand (and by beat), for accounts without the policy and to see what it would do.
"""

import datetime as dt
import os
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.core.files.storage import storages
from django.utils import timezone

GB = 1024**3
LOCAL_TIER = "Local"  # files in a local folder have no access tier
HOT, COOL, ARCHIVE = "Hot", "Cool", "Archive"
TIER_RANK = {HOT: 0, COOL: 1, ARCHIVE: 2}


class StorageNotBlob(Exception):
    """The operation needs Azure Blob Storage and the default storage is something else."""


@dataclass
class StoredFile:
    """One stored file: its name in storage, size, last change, access tier, and the container and blob it is."""

    name: str
    size: int
    modified: dt.datetime
    tier: str
    container: str = ""
    blob: str = ""
    folder: str = ""


@dataclass
class UsageRow:
    """Files and bytes in one (container, source folder, tier)."""

    container: str
    folder: str
    tier: str
    files: int = 0
    bytes: int = 0


@dataclass
class StorageUsage:
    """Usage of the stored files against the budget."""

    rows: list[UsageRow]
    budget_bytes: int
    warn_percent: float

    @property
    def total_bytes(self) -> int:
        """All bytes stored."""
        return sum(row.bytes for row in self.rows)

    @property
    def total_files(self) -> int:
        """All files stored."""
        return sum(row.files for row in self.rows)

    @property
    def percent(self) -> float:
        """Share of the budget in use, in percent."""
        return 100.0 * self.total_bytes / self.budget_bytes if self.budget_bytes else 0.0

    @property
    def level(self) -> str:
        """ok, warning (at or past warn_percent of the budget) or over (past the budget)."""
        if self.total_bytes > self.budget_bytes:
            return "over"
        return "warning" if self.percent >= self.warn_percent else "ok"


@dataclass
class TierPlan:
    """What the age rule does to the stored files: moves to a tier, deletions, and files left alone."""

    moves: list[tuple[StoredFile, str]] = field(default_factory=list)
    deletions: list[StoredFile] = field(default_factory=list)
    kept: int = 0
    errors: list[tuple[str, str]] = field(default_factory=list)  # (name, error) of operations that failed


def _is_blob_storage(storage) -> bool:
    return hasattr(storage, "containers") or (
        hasattr(storage, "service_client") and hasattr(storage, "azure_container")
    )


def blob_containers(storage=None) -> list[tuple[str, str, object]]:
    """(source folder, container name, container client) of each container behind `storage` (default storage):
    one per source with SourceContainersStorage, one with folder "" for a single container; StorageNotBlob else."""
    storage = storage or storages["default"]
    if hasattr(storage, "containers"):
        return [
            (folder, container, storage.container_storage(folder).client)
            for folder, container in storage.containers.items()
        ]
    if _is_blob_storage(storage):
        return [("", storage.azure_container, storage.service_client.get_container_client(storage.azure_container))]
    raise StorageNotBlob(f"default storage is {type(storage).__name__}, not Azure Blob Storage")


def storage_container_name(storage=None) -> str:
    """The containers (Azure, comma-separated) or folder (local storage) the stored files are in."""
    storage = storage or storages["default"]
    if _is_blob_storage(storage):
        return ", ".join(container for _, container, _ in blob_containers(storage))
    return str(storage.location)


def stored_files(storage=None):
    """Every stored file with its size, last change and tier (Local for a local folder)."""
    storage = storage or storages["default"]
    if _is_blob_storage(storage):
        for folder, container, client in blob_containers(storage):
            for blob in client.list_blobs():
                name = f"{folder}/{blob.name}" if folder else blob.name
                yield StoredFile(
                    name,
                    blob.size,
                    blob.last_modified,
                    str(blob.blob_tier or HOT),
                    container=container,
                    blob=blob.name,
                    folder=folder or _first_folder(blob.name),
                )
        return
    root = Path(storage.location)
    container = str(storage.location)
    for directory, _, names in os.walk(root):
        for name in names:
            path = Path(directory) / name
            stat = path.stat()
            modified = dt.datetime.fromtimestamp(stat.st_mtime, tz=dt.UTC)
            relative = path.relative_to(root).as_posix()
            yield StoredFile(
                relative, stat.st_size, modified, LOCAL_TIER, container, relative, folder=_first_folder(relative)
            )


def _first_folder(name: str) -> str:
    return name.split("/", 1)[0] if "/" in name else ""


def storage_usage(budget_gb: float | None = None, warn_percent: float | None = None, storage=None) -> StorageUsage:
    """Files and bytes per (container, source folder, tier), against STORAGE_BUDGET_GB."""
    budget_gb = settings.STORAGE_BUDGET_GB if budget_gb is None else budget_gb
    warn_percent = settings.STORAGE_WARN_PERCENT if warn_percent is None else warn_percent
    rows: dict[tuple[str, str, str], UsageRow] = {}
    for stored in stored_files(storage):
        key = (stored.container, stored.folder, stored.tier)
        row = rows.setdefault(key, UsageRow(stored.container, stored.folder, stored.tier))
        row.files += 1
        row.bytes += stored.size
    ordered = sorted(rows.values(), key=lambda row: (row.folder, row.container, TIER_RANK.get(row.tier, 9), row.tier))
    return StorageUsage(ordered, int(budget_gb * GB), warn_percent)


def storage_tier_plan(
    now: dt.datetime | None = None,
    cool_days: int | None = None,
    archive_days: int | None = None,
    retention_days: int | None = None,
    storage=None,
) -> TierPlan:
    """What the age rule would do: cool after STORAGE_COOL_DAYS, archive after STORAGE_ARCHIVE_DAYS, delete
    after STORAGE_RETENTION_DAYS (days since the blob last changed, as the lifecycle policy counts)."""
    now = now or timezone.now()
    cool_days = settings.STORAGE_COOL_DAYS if cool_days is None else cool_days
    archive_days = settings.STORAGE_ARCHIVE_DAYS if archive_days is None else archive_days
    retention_days = settings.STORAGE_RETENTION_DAYS if retention_days is None else retention_days
    blob_containers(storage)  # refuses local storage before listing anything
    plan = TierPlan()
    for stored in stored_files(storage):
        age = now - stored.modified
        if age > dt.timedelta(days=retention_days):
            plan.deletions.append(stored)
            continue
        target = (
            ARCHIVE if age > dt.timedelta(days=archive_days) else COOL if age > dt.timedelta(days=cool_days) else HOT
        )
        if TIER_RANK[target] > TIER_RANK.get(stored.tier, 0):  # never back to a warmer tier (rehydration)
            plan.moves.append((stored, target))
        else:
            plan.kept += 1
    return plan


def storage_tier_apply(plan: TierPlan, storage=None) -> TierPlan:
    """Carry out a tier plan on the blobs; failed operations are recorded in plan.errors, not raised."""
    from azure.core.exceptions import AzureError

    clients = {container: client for _, container, client in blob_containers(storage)}
    for stored, tier in plan.moves:
        try:
            clients[stored.container].get_blob_client(stored.blob).set_standard_blob_tier(tier)
        except AzureError as error:  # one blob's failure is reported, the rest go on
            plan.errors.append((stored.name, f"set tier {tier}: {type(error).__name__}: {error}"[:300]))
    for stored in plan.deletions:
        try:
            clients[stored.container].delete_blob(stored.blob)
        except AzureError as error:
            plan.errors.append((stored.name, f"delete: {type(error).__name__}: {error}"[:300]))
    return plan
