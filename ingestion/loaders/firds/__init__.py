"""FIRDS loader: check and map parsed records to row values, then write them in batches with the delta rules.

`prepare` is pure Python (it runs in the preparer's process, next to the parsing); `FirdsBatchWriter`
runs in the loading process and writes through `instruments.services`.
"""

from .prepare import (
    LISTING_COLUMNS,
    PreparedRecord,
    RejectedRecord,
    batches_prepare_in_file,
    listing_values,
    prepared_batch_decode,
    prepared_decode,
    record_prepare,
    record_problems,
)
from .writer import FirdsBatchWriter

__all__ = [
    "LISTING_COLUMNS",
    "FirdsBatchWriter",
    "PreparedRecord",
    "RejectedRecord",
    "batches_prepare_in_file",
    "listing_values",
    "prepared_batch_decode",
    "prepared_decode",
    "record_prepare",
    "record_problems",
]
