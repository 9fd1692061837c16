"""What load commands show people: a progress bar or quiet lines, and a summary of the runs."""

import sys
import time
from collections.abc import Callable, Iterable

from django.conf import settings
from django.core.management.base import CommandError

from .choices import RunStatus
from .services import LoadCounts


class CommandProgress:
    """A tqdm bar with records/s on a terminal; a plain line every LOAD_PROGRESS_SECONDS in a log or pipe.

    Pipelines call it as ``progress(label, done, total=None)``; a new label starts a new bar.
    """

    def __init__(self, stdout, verbosity: int = 1, unit: str = " records"):
        self.stdout = stdout
        self.verbosity = verbosity
        self.unit = unit
        self.terminal = verbosity > 0 and sys.stdout.isatty() and getattr(stdout, "_out", None) is sys.stdout
        self.bar = None
        self.label = None
        self.seen = 0
        self.last_line = time.monotonic()
        self.started = self.last_line

    def __call__(self, label: str, done: int, total: int | None = None) -> None:
        if label != self.label:
            self.close()
            self.label, self.seen, self.started = label, 0, time.monotonic()
            if self.terminal:
                from tqdm import tqdm

                self.bar = tqdm(desc=label, total=total, unit=self.unit, unit_scale=True, dynamic_ncols=True)
        if total and done > total:
            total = None  # an estimate (FIRDS: from the XML's size) that the file outgrew
        if self.bar is not None:
            if self.bar.total and not total:
                self.bar.total = None
            self.bar.update(done - self.seen)
        elif self.verbosity > 0 and time.monotonic() - self.last_line >= settings.LOAD_PROGRESS_SECONDS:
            self.stdout.write(
                f"{label}: {done}"
                + (f" of about {total}" if total else "")
                + f"{self.unit} so far"
                + self._eta(done, total)
            )
            self.last_line = time.monotonic()
        self.seen = done

    def _eta(self, done: int, total: int | None) -> str:
        """ ", about N s left" at the rate so far, when there is a total."""
        elapsed = time.monotonic() - self.started
        if not total or not done or elapsed <= 0:
            return ""
        return f", about {round((total - done) * elapsed / done)}s left"

    def labelled(self, label: str) -> Callable[[int, int | None], None]:
        """The same progress for a pipeline that reports (done, total) without a label."""
        return lambda done, total=None: self(label, done, total)

    def close(self) -> None:
        """Finish the current bar at the count reached (an estimated total becomes the true one)."""
        if self.bar is not None:
            if self.bar.total != self.bar.n:
                self.bar.total = self.bar.n
                self.bar.refresh()
            self.bar.close()
            self.bar = None

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()


def runs_report(
    command, runs: Iterable, started: float, extra: Callable | None = None, samples: int = 5, nothing: str = ""
) -> None:
    """Write one line per run and the totals; raise CommandError naming the first failed file, or saying `nothing`
    (where no file was found) when there was none to load."""
    runs = list(runs)
    if not runs and nothing:
        raise CommandError(f"no file to load: {nothing}")
    total = LoadCounts()
    verbosity = getattr(command, "verbosity", 1)
    for run in runs:
        total.add(
            LoadCounts(
                read=run.records_read,
                inserted=run.records_inserted,
                updated=run.records_updated,
                unchanged=run.records_unchanged,
                rejected=run.records_rejected,
            )
        )
        if run.status == RunStatus.SKIPPED:
            command.stdout.write(
                f"{run.file_name}: skipped, not loaded again: a file with the same checksum was loaded before "
                f"({run.records_read} records); --force loads it again"
            )
            continue
        command.stdout.write(
            f"{run.file_name}: {run.status}, read {run.records_read}, inserted {run.records_inserted}, "
            f"updated {run.records_updated}, unchanged {run.records_unchanged}, rejected {run.records_rejected}"
            + (extra(run) if extra else "")
        )
        for sample in run.rejected_sample[: 50 if verbosity > 1 else samples]:
            command.stdout.write(command.style.WARNING(f"  rejected {sample['record']}: {sample['reason']}"))
    command.stdout.write(
        f"files {len(runs)}, records read {total.read}, inserted {total.inserted}, updated {total.updated}, "
        f"unchanged {total.unchanged}, rejected {total.rejected}, elapsed {time.monotonic() - started:.1f}s"
    )
    failed = [run for run in runs if run.status == RunStatus.FAILED]
    if failed:
        raise CommandError(f"{failed[0].file_name} failed: {(failed[0].error.splitlines() or [''])[0]}")
