"""The reader and preparer child processes (ingestion.parsers.stages): the same batches, envelope and errors as
reading in one process, and a clear error when a child dies."""

import os
import zipfile

import pytest

from benchmarks.firds_synth import synth_write
from ingestion.loaders.firds import batches_prepare_in_file
from ingestion.parsers.firds import FirdsFileError, FirdsFileInfo
from ingestion.parsers.firds.reader import iter_record_items, record_build
from ingestion.parsers.stages import record_lists, staged_batches


def _read_then_die(path, info):
    """A reader whose process is killed after its first 150 records (module-level: the child imports it)."""
    for number, item in enumerate(iter_record_items(path, info), 1):
        if number > 150:
            os._exit(9)
        yield item


def _prepare_that_fails(records, info, batch_size):
    """A prepare that breaks on the 130th record."""
    for number, record in enumerate(records, 1):
        if number == 130:
            raise ValueError(f"cannot prepare {record.isin}")
    yield from ()


def _stages(path, *, read=iter_record_items, prepare=batches_prepare_in_file, parallel=True, info=None):
    return staged_batches(
        path,
        read=read,
        build=record_build,
        prepare=prepare,
        info=info if info is not None else FirdsFileInfo(),
        error_class=FirdsFileError,
        batch_size=100,
        parallel=parallel,
    )


@pytest.fixture
def firds_file(tmp_path):
    path = tmp_path / "FULINS_X_20250830_01of01.zip"
    synth_write(path, 320, seed=3, reporting_date="2025-08-30")
    return path


def test_child_processes_give_the_batches_and_envelope_of_one_process(firds_file):
    parallel_info, in_place_info = FirdsFileInfo(), FirdsFileInfo()
    parallel = list(_stages(firds_file, info=parallel_info))
    in_place = list(_stages(firds_file, info=in_place_info, parallel=False))
    assert parallel == in_place and len(parallel) == 4
    assert parallel_info == in_place_info
    assert (parallel_info.report, parallel_info.reporting_date) == ("FULINS", "2025-08-30")


def test_records_travel_whole_between_the_children(firds_file):
    """Without a prepare the caller gets the records themselves, equal to those read in place."""
    parallel = [record for batch in _stages(firds_file, prepare=record_lists) for record in batch]
    in_place = [record for batch in _stages(firds_file, prepare=record_lists, parallel=False) for record in batch]
    assert parallel == in_place and len(parallel) == 320


def test_a_file_fault_found_by_the_reader_reaches_the_caller_as_in_one_process(tmp_path, firds_file):
    with zipfile.ZipFile(firds_file) as archive:
        (member,) = archive.namelist()
        xml = archive.read(member)
    broken = tmp_path / "FULINS_Y_20250830_01of01.xml"
    cut = xml.index(b"<RefData>", len(xml) // 2)
    broken.write_bytes(xml[:cut] + b"<RefData><FinInstrmGnlAttrbts><Id>oops</Fin" + xml[cut:])
    errors = []
    for parallel in (True, False):
        with pytest.raises(FirdsFileError) as caught:
            list(_stages(broken, parallel=parallel))
        errors.append((caught.value.file_name, caught.value.reason, caught.value.line, caught.value.record))
    assert errors[0] == errors[1]
    assert errors[0][0] == broken.name and "malformed XML" in errors[0][1] and errors[0][3] > 100


def test_an_error_in_the_preparer_names_the_file_and_the_error(firds_file):
    with pytest.raises(FirdsFileError) as caught:
        list(_stages(firds_file, prepare=_prepare_that_fails))
    assert caught.value.file_name == firds_file.name
    assert caught.value.reason.startswith("ValueError: cannot prepare ")


def test_a_reader_that_dies_is_a_clear_error_not_a_hang(firds_file):
    with pytest.raises(FirdsFileError) as caught:
        list(_stages(firds_file, read=_read_then_die))
    assert caught.value.file_name == firds_file.name
    assert caught.value.reason == "a parser process (reader or preparer) stopped unexpectedly"
