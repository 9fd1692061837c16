"""Read a FITRS file in batches, optionally in a separate process so parsing overlaps writing."""

import gc
import multiprocessing
import os
import queue
from collections.abc import Callable, Iterator

from .reader import FitrsFileError, FitrsFileInfo, iter_records

_DONE, _BATCH, _ERROR, _INFO = "done", "batch", "error", "info"


def _batches(path, batch_size: int, prepare: Callable, info: FitrsFileInfo) -> Iterator:
    yield from prepare(iter_records(path, info), info, batch_size)


def _worker(path, batch_size, prepare, out, parent_pid: int) -> None:
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

    gc.disable()  # parsed records hold no reference cycles
    info = FitrsFileInfo()
    try:
        for batch in _batches(path, batch_size, prepare, info):
            if not send((_BATCH, batch)):
                return
        send((_INFO, info))
        send((_DONE, None))
    except FitrsFileError as error:
        send((_ERROR, (error.file_name, error.reason, error.line, error.record)))
    except Exception as error:  # noqa: BLE001 - anything else travels to the parent as a file error
        send((_ERROR, (os.path.basename(str(path)), f"{type(error).__name__}: {error}", 0, 0)))


def iter_batches(
    path,
    *,
    prepare: Callable,
    batch_size: int = 2000,
    info: FitrsFileInfo | None = None,
    parallel: bool = True,
    queue_size: int = 4,
) -> Iterator:
    """Yield the batches `prepare(records, info, batch_size)` makes of a file's records, parsed in a child process
    (spawned: it inherits no database connection) when `parallel` and this process may start one.

    `prepare` must be a module-level function importable without Django. File-level faults raise FitrsFileError
    in the caller either way; `info` is filled in at the end.
    """
    info = info if info is not None else FitrsFileInfo()
    if not parallel or multiprocessing.current_process().daemon:
        yield from _batches(path, batch_size, prepare, info)
        return
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
                    raise FitrsFileError(
                        os.path.basename(str(path)), "the parser process stopped unexpectedly"
                    ) from None
                continue
            if kind == _BATCH:
                yield payload
            elif kind == _INFO:
                for name in FitrsFileInfo.__slots__:
                    setattr(info, name, getattr(payload, name))
            elif kind == _ERROR:
                file_name, reason, line, record = payload
                raise FitrsFileError(file_name, reason, line=line, record=record)
            else:
                return
    finally:
        if process.is_alive():
            process.kill()
        process.join(timeout=5)
        out.close()
        out.join_thread()
