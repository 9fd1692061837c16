"""What load commands tell operators: progress with a total and time left, plain skip lines, empty folders refused."""

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings

from benchmarks.firds_synth import synth_write
from ingestion.parsers.firds.stream import records_estimate

pytestmark = pytest.mark.django_db
SAMPLES = Path(__file__).resolve().parents[2] / "samples"


@pytest.mark.parametrize("command", ["load_firds", "load_fitrs", "load_gleif"])
def test_a_folder_without_files_is_an_error_naming_it(command, tmp_path):
    (tmp_path / "notes.txt").write_text("not a source file")
    with pytest.raises(CommandError, match=rf"no file to load: no \.(zip or \.xml|xml or \.zip) file in {tmp_path}"):
        call_command(command, str(tmp_path), stdout=StringIO())


def test_a_second_run_says_plainly_that_it_loaded_nothing(tmp_path):
    path = tmp_path / "FULINS_X_20250830_01of01.zip"
    synth_write(path, 50, seed=3)
    call_command("load_firds", str(path), stdout=StringIO())
    out = StringIO()
    call_command("load_firds", str(path), stdout=out)
    line = out.getvalue().splitlines()[0]
    assert line == (
        "FULINS_X_20250830_01of01.zip: skipped, not loaded again: a file with the same checksum was loaded before "
        "(50 records); --force loads it again"
    )
    assert "read 50" not in line


@override_settings(LOAD_PROGRESS_SECONDS=0)
def test_progress_lines_give_an_estimated_total_and_time_left(tmp_path):
    path = tmp_path / "FULINS_X_20250830_01of01.zip"
    synth_write(path, 5000, seed=5)
    estimate = records_estimate(path)
    assert 4000 <= estimate <= 6000  # from the XML's size, within the 20 % the samples show
    out = StringIO()
    call_command("load_firds", str(path), stdout=out)
    progress = [line for line in out.getvalue().splitlines() if "so far" in line]
    assert progress, out.getvalue()
    within = [line for line in progress if int(line.split(": ")[1].split()[0]) <= estimate]
    beyond = [line for line in progress if line not in within]
    assert within and all(f" of about {estimate} records so far, about " in line for line in within), progress
    assert all(line.endswith("s left") for line in within), progress
    # past an estimate that was too low, the count goes on without a total
    assert all(line.endswith(": 5000 records so far") for line in beyond), progress


def test_estimates_cover_every_sample_category():
    for path in sorted((SAMPLES / "firds").glob("*.zip")):
        estimate = records_estimate(path)
        assert estimate is not None and estimate >= 1, path.name
    assert records_estimate(SAMPLES / "missing.zip") is None
