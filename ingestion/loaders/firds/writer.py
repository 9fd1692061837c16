"""Write prepared FIRDS batches through the instrument services (in the loading process)."""

from .prepare import RejectedRecord, prepared_batch_decode


class FirdsBatchWriter:
    """Writes prepared batches of one file through the instrument services, counting what changed."""

    def __init__(self, counts, source_file: str):
        self.counts = counts
        self.source_file = source_file

    def write(self, batch: bytes) -> None:
        """Write one batch of batches_prepare_in_file's rows: count rejects, apply the listing versions and derive
        the instruments they touch."""
        from instruments.services import listing_upsert_batch

        prepared = []
        for item in prepared_batch_decode(batch):
            self.counts.read += 1
            if isinstance(item, RejectedRecord):
                self.counts.reject(item.label, item.reason)
            else:
                prepared.append(item)
        if not prepared:
            return
        outcomes = listing_upsert_batch(prepared, self.source_file)
        for outcome in outcomes.values():
            setattr(self.counts, outcome, getattr(self.counts, outcome) + 1)
