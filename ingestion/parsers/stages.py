"""Read a file in batches through two child processes, a reader and a preparer, so that parsing, checking and
writing overlap (no Django: the children are fresh interpreters).

The reader runs `read(path, info)`, which yields each record as a plain tuple (text, numbers, nested dicts and
lists), and sends them in batches as JSON text; the preparer turns each back into a record with `build` and runs
`prepare(records, info, batch_size)`, whose batches reach the caller. In one process the same three functions run
in line. Splitting the parser's work this way keeps both of two cores busy: on a 200,000-record FULINS the
parser's one process (16-17 s) was the load's critical path beside an 11 s writer (benchmarks.firds_load).
"""

import dataclasses
import gc
import multiprocessing
import os
import queue
from collections.abc import Callable, Iterator

import orjson

_DONE, _BATCH, _ERROR, _INFO = "done", "batch", "error", "info"


def record_lists(records, info, batch_size: int) -> Iterator[list]:
    """The records themselves in lists of `batch_size` (the `prepare` of a caller that checks nothing)."""
    batch = []
    for record in records:
        batch.append(record)
        if len(batch) >= batch_size:
            yield batch
            batch = []
    if batch:
        yield batch


def _info_update(info, source) -> None:
    """Copy what a file's envelope said from one info object (as it travelled) onto another."""
    for field in dataclasses.fields(info):
        setattr(info, field.name, getattr(source, field.name))


def _sender(out, parent_pid: int) -> Callable[[tuple], bool]:
    """A put that gives up (False) when the process's parent has gone."""

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

    return send


def _error_item(path, error, error_class) -> tuple:
    if isinstance(error, error_class):
        return _ERROR, (error.file_name, error.reason, error.line, error.record)
    return _ERROR, (os.path.basename(str(path)), f"{type(error).__name__}: {error}", 0, 0)


def _reader(path, read, info, batch_size, error_class, out, parent_pid: int) -> None:
    """Child process 1: parse, sending the records' tuples in batches of JSON text with the envelope so far."""
    send = _sender(out, parent_pid)
    gc.disable()  # parsed records hold no reference cycles; collections would only cost time
    dumps = orjson.dumps
    try:
        batch = []
        for item in read(path, info):
            batch.append(item)
            if len(batch) >= batch_size:
                if not send((_BATCH, (info, dumps(batch)))):
                    return
                batch = []
        if batch and not send((_BATCH, (info, dumps(batch)))):
            return
        send((_INFO, info))
        send((_DONE, None))
    except Exception as error:  # noqa: BLE001 - a file error (or any other) travels on to the caller
        send(_error_item(path, error, error_class))


class _Forward(Exception):
    """The reader's error, passed through the preparer unchanged."""

    def __init__(self, item):
        super().__init__(item)
        self.item = item


def _received(incoming, build, info, parent_pid: int) -> Iterator:
    """The records the reader sends, rebuilt; the envelope copied onto `info` as it arrives."""
    loads = orjson.loads
    while True:
        try:
            kind, payload = incoming.get(timeout=1)
        except queue.Empty:
            if os.getppid() != parent_pid:
                return
            continue
        if kind == _BATCH:
            sent_info, items = payload
            _info_update(info, sent_info)
            for item in loads(items):
                yield build(item)
        elif kind == _INFO:
            _info_update(info, payload)
        elif kind == _ERROR:
            raise _Forward((kind, payload))
        else:
            return


def _preparer(path, build, prepare, info, batch_size, error_class, incoming, out, parent_pid: int) -> None:
    """Child process 2: rebuild the reader's records and run `prepare` over them, sending its batches."""
    send = _sender(out, parent_pid)
    gc.disable()
    try:
        for batch in prepare(_received(incoming, build, info, parent_pid), info, batch_size):
            if not send((_BATCH, batch)):
                return
        send((_INFO, info))
        send((_DONE, None))
    except _Forward as forwarded:
        send(forwarded.item)
    except Exception as error:  # noqa: BLE001
        send(_error_item(path, error, error_class))


def staged_batches(
    path,
    *,
    read: Callable,
    build: Callable,
    prepare: Callable,
    info,
    error_class: type[Exception],
    batch_size: int = 2000,
    parallel: bool = True,
    queue_size: int = 4,
) -> Iterator:
    """Yield `prepare(records, info, batch_size)`'s batches of a file, read and prepared in two child processes
    when `parallel` (spawned, so they inherit no database connection; in a daemonic process, which may not start
    children, everything runs in this one).

    `read(path, info)` yields each record as a plain tuple and fills in `info` (a dataclass) from the envelope;
    `build(item)` makes the record of one tuple; all three are module-level functions importable without Django.
    File-level faults raise `error_class(file_name, reason, line=, record=)` here either way; `info` is filled
    in at the end.
    """
    if not parallel or multiprocessing.current_process().daemon:
        yield from prepare(map(build, read(path, info)), info, batch_size)
        return
    name = os.path.basename(str(path))
    context = multiprocessing.get_context("spawn")
    trees = context.Queue(maxsize=queue_size)
    out = context.Queue(maxsize=queue_size)
    me = os.getpid()
    reader = context.Process(
        target=_reader, args=(path, read, type(info)(), batch_size, error_class, trees, me), daemon=True
    )
    preparer = context.Process(
        target=_preparer,
        args=(path, build, prepare, type(info)(), batch_size, error_class, trees, out, me),
        daemon=True,
    )
    reader.start()
    preparer.start()
    try:
        while True:
            try:
                kind, payload = out.get(timeout=5)
            except queue.Empty:
                if not preparer.is_alive() or reader.exitcode not in (None, 0):
                    raise error_class(name, "a parser process (reader or preparer) stopped unexpectedly") from None
                continue
            if kind == _BATCH:
                yield payload
            elif kind == _INFO:
                _info_update(info, payload)
            elif kind == _ERROR:
                file_name, reason, line, record = payload
                raise error_class(file_name, reason, line=line, record=record)
            else:
                return
    finally:
        for process in (reader, preparer):
            if process.is_alive():
                process.kill()
            process.join(timeout=5)
        for channel in (trees, out):
            channel.close()
            channel.join_thread()
