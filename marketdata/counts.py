"""What a load read and did: the counts every loader and domain upsert fills in (no ORM)."""

from dataclasses import dataclass, field

REJECTED_SAMPLE_SIZE = 50


@dataclass
class LoadCounts:
    """What a load read and did; loaders fill it in as they go."""

    read: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    rejected_sample: list = field(default_factory=list)

    def reject(self, record: str, reason: str) -> None:
        """Count a rejected record and keep the first few with their reason."""
        self.rejected += 1
        if len(self.rejected_sample) < REJECTED_SAMPLE_SIZE:
            self.rejected_sample.append({"record": record, "reason": reason})

    def add(self, other: "LoadCounts") -> None:
        """Add another load's counts to these (for a summary over files)."""
        self.read += other.read
        self.inserted += other.inserted
        self.updated += other.updated
        self.unchanged += other.unchanged
        self.rejected += other.rejected
