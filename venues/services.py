"""Writes of venues: the difference between an ISO 10383 file and what is stored, and the batched upsert.

Both take plain mappings of VENUE_FIELDS to values, one per registry row (the caller maps its parser's rows).
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from django.db import transaction
from django.utils import timezone

from .choices import VenueStatus
from .models import Venue
from .selectors import venue_edition

# The fields of one ISO 10383 row, as the upsert takes them.
VENUE_FIELDS = (
    "mic",
    "operating_mic",
    "kind",
    "market_name",
    "legal_entity_name",
    "lei",
    "market_category",
    "acronym",
    "country",
    "city",
    "website",
    "status",
    "creation_date",
    "last_update_date",
    "last_validation_date",
    "expiry_date",
    "comments",
)
# Row field -> Venue attribute (the operating MIC is stored as the relation's code).
FIELD_ATTRS = {name: ("operating_id" if name == "operating_mic" else name) for name in VENUE_FIELDS}
COMPARED_ATTRS = tuple(attr for name, attr in FIELD_ATTRS.items() if name != "mic")
# SQL Server: at most 2,100 parameters per statement and 1,000 rows per INSERT (keep a margin).
MAX_PARAMS = 2000
MAX_ROWS = 1000


def _batch_size(params_per_row: int) -> int:
    """Rows per statement that stay within SQL Server's parameter and row limits."""
    return max(1, min(MAX_ROWS, MAX_PARAMS // max(1, params_per_row)))


@dataclass
class VenueChange:
    """One stored venue that a file would change: field -> (stored value, file value)."""

    mic: str
    changes: dict = field(default_factory=dict)

    def describe(self) -> str:
        """The change as one line, e.g. 'XMAL: status ACTIVE -> UPDATED'."""
        parts = [f"{name} {_show(old)} -> {_show(new)}" for name, (old, new) in self.changes.items()]
        return f"{self.mic}: " + "; ".join(parts)


def _show(value) -> str:
    """A value as a short readable text for change reports."""
    if value in (None, ""):
        return "(empty)"
    text = value.isoformat() if isinstance(value, date) else str(value)
    return text if len(text) <= 40 else text[:37] + "..."


@dataclass
class VenueDiff:
    """What loading a MIC file would do: added, changed and newly expired venues, and edition dates."""

    added: list = field(default_factory=list)
    changed: list = field(default_factory=list)
    expired: list = field(default_factory=list)
    unchanged: int = 0
    older_rows: list = field(default_factory=list)
    not_in_file: int = 0
    file_edition: date | None = None
    stored_edition: date | None = None
    records: dict = field(default_factory=dict, repr=False)

    @property
    def has_changes(self) -> bool:
        """True when the file adds or changes at least one venue."""
        return bool(self.added or self.changed or self.expired)

    @property
    def is_older_edition(self) -> bool:
        """True when the file's latest LAST UPDATE DATE is before the latest one stored."""
        return bool(self.file_edition and self.stored_edition and self.file_edition < self.stored_edition)

    @property
    def rolls_back(self) -> bool:
        """True when applying the file would replace newer data with older data."""
        return self.has_changes and (self.is_older_edition or bool(self.older_rows))

    def summary(self) -> str:
        """Counts as one line."""
        return (
            f"added {len(self.added)}, changed {len(self.changed)}, expired {len(self.expired)}, "
            f"unchanged {self.unchanged}, stored but not in this file {self.not_in_file}"
        )

    def details(self, limit: int = 20) -> list[str]:
        """Up to `limit` lines per kind describing what differs."""
        lines = []
        for title, items in (("added", self.added), ("expired", self.expired), ("changed", self.changed)):
            for item in items[:limit]:
                text = item.describe() if isinstance(item, VenueChange) else f"{item['mic']}: {item['market_name']}"
                lines.append(f"  {title} {text}")
            if len(items) > limit:
                lines.append(f"  ... and {len(items) - limit} more {title}")
        return lines


def _stored_by_mic(mics: list[str]) -> dict[str, Venue]:
    """The stored venues among these MICs, by MIC (queried in chunks the backends accept)."""
    stored = {}
    size = _batch_size(1)
    for start in range(0, len(mics), size):
        for venue in Venue.objects.filter(mic__in=mics[start : start + size]):
            stored[venue.mic] = venue
    return stored


def venue_diff(records: list[Mapping]) -> VenueDiff:
    """Compare registry rows with the stored venues, without writing anything."""
    records_by_mic = {record["mic"]: record for record in records}
    stored = _stored_by_mic(list(records_by_mic))
    diff = VenueDiff(records=records_by_mic)
    diff.stored_edition = venue_edition()
    diff.file_edition = max((r["last_update_date"] for r in records if r["last_update_date"]), default=None)
    diff.not_in_file = Venue.objects.count() - len(stored)
    for mic, record in records_by_mic.items():
        venue = stored.get(mic)
        if venue is None:
            diff.added.append(record)
            continue
        changes = {}
        for name, attr in FIELD_ATTRS.items():
            old, new = getattr(venue, attr), record[name]
            if name != "mic" and old != new:
                changes[name] = (old, new)
        if not changes:
            diff.unchanged += 1
            continue
        change = VenueChange(mic=mic, changes=changes)
        stored_date, file_date = venue.last_update_date, record["last_update_date"]
        if stored_date and (file_date is None or file_date < stored_date):
            diff.older_rows.append(mic)
        if record["status"] == VenueStatus.EXPIRED and venue.status != VenueStatus.EXPIRED:
            diff.expired.append(change)
        else:
            diff.changed.append(change)
    return diff


def _venue_from_record(record: Mapping) -> Venue:
    """A new Venue row from a registry row."""
    return Venue(**{attr: record[name] for name, attr in FIELD_ATTRS.items()})


@transaction.atomic
def venue_upsert_batch(records: list[Mapping], diff: VenueDiff | None = None) -> VenueDiff:
    """Insert new MICs and update changed ones (by MIC) in one transaction; return what differed."""
    diff = diff if diff is not None else venue_diff(records)
    new_rows = [_venue_from_record(record) for record in diff.added]
    if new_rows:
        columns = len(FIELD_ATTRS) + 2  # + created_at, updated_at
        Venue.objects.bulk_create(new_rows, batch_size=_batch_size(columns))
    changes = diff.changed + diff.expired
    if changes:
        stored = _stored_by_mic([change.mic for change in changes])
        now = timezone.now()
        rows = []
        for change in changes:
            venue, record = stored[change.mic], diff.records[change.mic]
            for name, attr in FIELD_ATTRS.items():
                setattr(venue, attr, record[name])
            venue.updated_at = now
            rows.append(venue)
        update_fields = [*COMPARED_ATTRS, "updated_at"]
        # An UPDATE ... CASE statement takes about two parameters per field and row, plus the key.
        Venue.objects.bulk_update(rows, update_fields, batch_size=_batch_size(2 * len(update_fields) + 1))
    return diff
