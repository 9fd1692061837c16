"""Read a FIRDS file in batches, optionally in a separate process so parsing overlaps writing."""

import gc
import multiprocessing
import os
import queue
from collections.abc import Callable, Iterator

from .reader import FirdsFileError, iter_records
from .records import FirdsFileInfo

_DONE = "done"
_BATCH = "batch"
_ERROR = "error"
_INFO = "info"


def _batches(path, batch_size: int, prepare: Callable | None, info: FirdsFileInfo) -> Iterator:
    records = iter_records(path, info)
    if prepare:
        yield from prepare(records, info, batch_size)
        return
    batch = []
    for record in records:
        batch.append(record)
        if len(batch) >= batch_size:
            yield batch
            batch = []
    if batch:
        yield batch


def _worker(path, batch_size, prepare, out: multiprocessing.Queue, parent_pid: int) -> None:
    """Parse in a child process and send batches; give up when the parent has gone."""

    def send(item) -> bool:
        while True:
            if os.getppid() != parent_pid:
                out.cancel_join_thread()  # no reader any more: exit without flushing to it
                return False
            try:
                out.put(item, timeout=1)
                return True
            except queue.Full:
                continue

    gc.disable()  # parsed records hold no reference cycles; collections would only cost time
    info = FirdsFileInfo()
    try:
        for batch in _batches(path, batch_size, prepare, info):
            if not send((_BATCH, batch)):
                return
        send((_INFO, info))
        send((_DONE, None))
    except FirdsFileError as error:
        send((_ERROR, (error.file_name, error.reason, error.line, error.record)))
    except Exception as error:  # noqa: BLE001 - anything else travels to the parent as a file error
        send((_ERROR, (os.path.basename(str(path)), f"{type(error).__name__}: {error}", 0, 0)))


def iter_batches(
    path,
    *,
    batch_size: int = 2000,
    prepare: Callable | None = None,
    info: FirdsFileInfo | None = None,
    parallel: bool = True,
    queue_size: int = 4,
) -> Iterator:
    """Yield lists of records (or the batches `prepare(records, info, batch_size)` makes of the record stream),
    parsed in a child process when `parallel`.

    In a daemonic process, which may not start children, parsing stays in this process.

    `prepare` must be a module-level function importable without Django (the child is a fresh interpreter).
    File-level faults raise FirdsFileError in the caller either way; `info` is filled in at the end.
    """
    info = info if info is not None else FirdsFileInfo()
    if parallel and multiprocessing.current_process().daemon:
        parallel = False  # a daemonic process (a Celery prefork worker's child) may not start children
    if not parallel:
        yield from _batches(path, batch_size, prepare, info)
        return
    # spawn, not fork: a forked child would inherit the loader's database socket and keep its
    # transaction alive if the loader were killed.
    context = multiprocessing.get_context("spawn")
    out = context.Queue(maxsize=queue_size)
    process = context.Process(target=_worker, args=(path, batch_size, prepare, out, os.getpid()), daemon=True)
    process.start()
    try:
        while True:
            try:
                kind, payload = out.get(timeout=5)
            except queue.Empty:
                if not process.is_alive():
                    raise FirdsFileError(
                        os.path.basename(str(path)), "the parser process stopped unexpectedly"
                    ) from None
                continue
            if kind == _BATCH:
                yield payload
            elif kind == _INFO:
                for name in ("message_type", "report", "business_message_id", "reporting_date"):
                    setattr(info, name, getattr(payload, name))
            elif kind == _ERROR:
                file_name, reason, line, record = payload
                raise FirdsFileError(file_name, reason, line=line, record=record)
            else:
                return
    finally:
        if process.is_alive():
            process.kill()
        process.join(timeout=5)
        out.close()
        out.join_thread()


# XML bytes per FIRDS record: 770-1,270 in the samples of every CFI category (950 in DLTINS, 940 in a 200,000-record
# synthetic FULINS); a round 1,000 gives progress bars a total within about 20 %.
BYTES_PER_RECORD = 1000


def records_estimate(path) -> int | None:
    """About how many records a FIRDS zip or XML file holds, from the XML's size (None when it cannot be read)."""
    import zipfile

    try:
        if zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as archive:
                size = sum(entry.file_size for entry in archive.infolist() if entry.filename.lower().endswith(".xml"))
        else:
            size = os.path.getsize(path)
    except (OSError, zipfile.BadZipFile):
        return None
    return max(1, size // BYTES_PER_RECORD) if size else None
