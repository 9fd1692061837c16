"""Read a FITRS file in batches, parsed and checked in two child processes so that parsing overlaps writing."""

from collections.abc import Callable, Iterator

from ..stages import staged_batches
from .reader import FitrsFileError, FitrsFileInfo, iter_record_items, record_build


def iter_batches(
    path,
    *,
    prepare: Callable,
    batch_size: int = 2000,
    info: FitrsFileInfo | None = None,
    parallel: bool = True,
    queue_size: int = 4,
) -> Iterator:
    """Yield the batches `prepare(records, info, batch_size)` makes of a file's records, read and prepared in
    child processes when `parallel` and this process may start them (see ingestion.parsers.stages).

    `prepare` must be a module-level function importable without Django. File-level faults raise FitrsFileError
    in the caller either way; `info` is filled in at the end.
    """
    return staged_batches(
        path,
        read=iter_record_items,
        build=record_build,
        prepare=prepare,
        info=info if info is not None else FitrsFileInfo(),
        error_class=FitrsFileError,
        batch_size=batch_size,
        parallel=parallel,
        queue_size=queue_size,
    )
