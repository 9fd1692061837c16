"""Parser limits: zip bombs, one huge record, blanks between records and DOCTYPE entities stop a load with a
clear error naming file, line and record, store nothing, and keep memory bounded (FIRDS and GLEIF)."""

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from benchmarks.firds_synth import synth_write
from entities.models import LegalEntity
from ingestion.choices import RunStatus
from ingestion.models import IngestionRun
from ingestion.parsers.files import DEFAULT_LIMITS, XmlLimits
from ingestion.parsers.firds import FirdsFileError, iter_records
from ingestion.parsers.gleif import GleifFileError, gleif_open, gleif_stream_parse
from instruments.models import Instrument, Listing
from tests.ingestion.zipbomb import zip_bomb_write

ROOT = Path(__file__).resolve().parents[2]
GLEIF_SMALL = ROOT / "tests" / "fixtures" / "gleif_golden" / "lei_small.xml"
MiB = 1 << 20
BOMB_BLOCKS = 2048  # 2 GiB of XML
RSS_CEILING_MB = 300


def _firds_xml(tmp_path: Path) -> bytes:
    """A small, valid FULINS (three records) as bytes."""
    path = tmp_path / "base.xml"
    synth_write(path, 3, seed=5)
    return path.read_bytes()


def _split_after_first_record(xml: bytes) -> tuple[bytes, bytes]:
    cut = xml.index(b"</RefData>") + len(b"</RefData>")
    return xml[:cut], xml[cut:]


def _split_inside_first_full_name(xml: bytes) -> tuple[bytes, bytes]:
    start = xml.index(b"<FullNm>") + len(b"<FullNm>")
    return xml[:start], xml[xml.index(b"</FullNm>") :]


@pytest.fixture(scope="module")
def bombs(tmp_path_factory) -> dict[str, Path]:
    """Two 2 GiB FULINS zips of about 2 MB: blanks between two records, and one FullNm of 2 GiB of letters."""
    folder = tmp_path_factory.mktemp("bombs")
    xml = _firds_xml(folder)
    head, tail = _split_after_first_record(xml)
    blanks = folder / "FULINS_E_20250830_01of01.zip"
    zip_bomb_write(blanks, "FULINS_E_20250830_01of01.xml", head, b" " * MiB, BOMB_BLOCKS, tail)
    head, tail = _split_inside_first_full_name(xml)
    name = folder / "FULINS_D_20250830_01of01.zip"
    zip_bomb_write(name, "FULINS_D_20250830_01of01.xml", head, b"A" * MiB, BOMB_BLOCKS, tail)
    return {"blanks": blanks, "full_name": name}


def _env_for_test_database() -> dict:
    """Environment that points a manage.py subprocess at this test's database."""
    settings = connection.settings_dict
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"}
    if connection.vendor == "sqlite":
        env.update(DATABASE_TYPE="sqlite", SQLITE_DB_PATH=str(settings["NAME"]))
    else:
        env.pop("DATABASE_URL", None)
        env.update(
            DATABASE_TYPE="postgresql",
            POSTGRES_DB=settings["NAME"],
            POSTGRES_USER=settings["USER"] or "",
            POSTGRES_PASSWORD=settings["PASSWORD"] or "",
            POSTGRES_HOST=settings["HOST"] or "127.0.0.1",
            POSTGRES_PORT=str(settings["PORT"] or "5432"),
        )
    return env


def _peak_rss_of(command: list[str], env: dict | None = None) -> tuple[subprocess.CompletedProcess, float]:
    """Run `command` under a fresh interpreter; its output and the peak RSS (MB) of it and its children."""
    wrapper = textwrap.dedent(
        """
        import json, resource, subprocess, sys
        done = subprocess.run(sys.argv[1:], capture_output=True, text=True)
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        print(json.dumps({"code": done.returncode, "out": done.stdout, "err": done.stderr, "peak_mb": peak}))
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", wrapper, *command], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    result = json.loads(done.stdout)
    return subprocess.CompletedProcess(command, result["code"], result["out"], result["err"]), result["peak_mb"]


# --- FIRDS: the whole load, in its own process, against this test's database -----------------------------


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("kind", ["blanks", "full_name"])
def test_load_firds_stops_a_zip_bomb_with_a_clear_error_nothing_stored_under_300_mb(bombs, kind):
    path = bombs[kind]
    assert path.stat().st_size < 3 * MiB
    done, peak_mb = _peak_rss_of([sys.executable, "manage.py", "load_firds", str(path)], _env_for_test_database())
    assert done.returncode != 0
    assert f"{path.name} failed" in done.stderr
    assert "possible zip bomb" in done.stderr, done.stderr
    run = IngestionRun.objects.get()
    assert run.status == RunStatus.FAILED
    assert f"{path.name}: {path.stem}.xml declares 2147" in run.error
    assert Instrument.objects.count() == 0 and Listing.objects.count() == 0
    print(f"load_firds on the {kind} bomb: peak RSS {peak_mb:.0f} MB")
    assert peak_mb < RSS_CEILING_MB


@pytest.mark.slow
@pytest.mark.parametrize(
    ("kind", "reason"),
    [
        ("blanks", "the text after record 1 is too large: more than 1048576 bytes without an element boundary"),
        ("full_name", "record 1 (from line 3) is too large: more than 1048576 bytes without an element boundary"),
    ],
)
def test_without_the_ratio_check_the_streaming_cap_stops_a_2_gib_bomb_in_bounded_memory(bombs, kind, reason):
    """The ratio check off: the per-record cap alone stops reading within about a megabyte."""
    script = textwrap.dedent(
        """
        import sys
        from ingestion.parsers.files import XmlLimits
        from ingestion.parsers.firds import FirdsFileError, iter_records
        try:
            for _ in iter_records(sys.argv[1], limits=XmlLimits(max_ratio=float("inf"))):
                pass
        except FirdsFileError as error:
            print(error)
        """
    )
    done, peak_mb = _peak_rss_of([sys.executable, "-c", script, str(bombs[kind])])
    assert done.returncode == 0, done.stderr
    assert reason in done.stdout, done.stdout
    assert bombs[kind].name in done.stdout and "line " in done.stdout
    print(f"parser alone on the {kind} bomb: peak RSS {peak_mb:.0f} MB")
    assert peak_mb < RSS_CEILING_MB / 2


def test_a_zip_entry_over_the_ratio_is_refused_before_inflating(bombs):
    with pytest.raises(FirdsFileError, match=r"ratio \d+ to 1, more than 100\): refused as a possible zip bomb"):
        next(iter_records(bombs["blanks"]))


def test_a_zip_entry_declaring_more_than_max_bytes_is_refused(bombs):
    with pytest.raises(FirdsFileError, match=r"declares 2147\d+ bytes of XML, more than the 1073741824 allowed"):
        next(iter_records(bombs["blanks"], limits=XmlLimits(max_bytes=1 << 30, max_ratio=float("inf"))))


def test_a_huge_full_name_in_a_plain_xml_file_is_stopped_with_file_line_and_record(tmp_path):
    xml = _firds_xml(tmp_path)
    head, tail = _split_inside_first_full_name(xml)
    path = tmp_path / "FULINS_E_20250830_01of01.xml"
    path.write_bytes(head + b"x" * (3 * MiB) + tail)
    with pytest.raises(FirdsFileError) as caught:
        list(iter_records(path))
    error = caught.value
    assert error.file_name == path.name and error.record == 0 and error.line == 3
    assert str(error) == (
        f"{path.name}: record 1 (from line 3) is too large: more than 1048576 bytes without an element boundary "
        "(line 3, before the first record)"
    )


def test_blank_lines_between_records_count_against_the_cap(tmp_path):
    xml = _firds_xml(tmp_path)
    head, tail = _split_after_first_record(xml)
    path = tmp_path / "FULINS_E_20250830_01of01.xml"
    path.write_bytes(head + b"\n" * (64 * 1024) + tail)
    limits = XmlLimits(max_record_bytes=32 * 1024)
    with pytest.raises(FirdsFileError, match=r"the text after record 1 is too large") as caught:
        list(iter_records(path, limits=limits))
    assert caught.value.record == 1 and caught.value.line > 3
    assert len(list(iter_records(path))) == 3  # under the default cap the same file reads whole


def test_the_samples_and_a_synthetic_file_read_under_the_default_limits(tmp_path):
    path = tmp_path / "FULINS_E_20250830_01of01.zip"
    synth_write(path, 5000, seed=3)
    assert len(list(iter_records(path))) == 5000
    for sample in sorted((ROOT / "samples" / "firds").glob("*.zip")):
        assert list(iter_records(sample, limits=DEFAULT_LIMITS))


DOCTYPE = b'<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>\n'


def test_a_doctype_entity_fails_the_firds_file_instead_of_emptying_the_name(tmp_path):
    xml = _firds_xml(tmp_path)
    declaration, rest = xml.split(b"\n", 1)
    head, tail = _split_inside_first_full_name(rest)
    path = tmp_path / "FULINS_E_20250830_01of01.xml"
    path.write_bytes(declaration + b"\n" + DOCTYPE + head + b"&e;" + tail)
    with pytest.raises(
        FirdsFileError, match=r": the file has a DOCTYPE declaring the entities e; .* refused \(line 3,"
    ):
        list(iter_records(path))


@pytest.mark.django_db
def test_load_firds_with_a_doctype_entity_stores_nothing_and_says_why(tmp_path):
    xml = _firds_xml(tmp_path)
    declaration, rest = xml.split(b"\n", 1)
    head, tail = _split_inside_first_full_name(rest)
    path = tmp_path / "FULINS_E_20250830_01of01.xml"
    path.write_bytes(declaration + b"\n" + DOCTYPE + head + b"&e;" + tail)
    with pytest.raises(CommandError, match=f"{path.name} failed: .*{path.name}: the file has a DOCTYPE"):
        call_command("load_firds", str(path), stdout=open(os.devnull, "w"))
    assert IngestionRun.objects.get().status == RunStatus.FAILED
    assert Instrument.objects.count() == 0 and Listing.objects.count() == 0


@pytest.mark.django_db
def test_load_firds_with_a_huge_record_stores_nothing_and_names_the_record(tmp_path):
    xml = _firds_xml(tmp_path)
    head, tail = _split_inside_first_full_name(xml)
    path = tmp_path / "FULINS_E_20250830_01of01.xml"
    path.write_bytes(head + "é".encode() * (2 * MiB) + tail)
    with pytest.raises(CommandError, match=r"record 1 \(from line 3\) is too large"):
        call_command("load_firds", str(path), stdout=open(os.devnull, "w"))
    assert "record 1 (from line 3) is too large" in IngestionRun.objects.get().error
    assert Instrument.objects.count() == 0 and Listing.objects.count() == 0


# --- GLEIF ------------------------------------------------------------------------------------------------


def _gleif_parse(path, limits: XmlLimits = DEFAULT_LIMITS) -> list:
    items = []
    with gleif_open(path, limits) as streams:
        for name, stream in streams:
            items.extend(gleif_stream_parse(stream, name))
    return items


def _gleif_split_after_first_record(xml: bytes) -> tuple[bytes, bytes]:
    marker = xml.index(b"LEIRecord>", xml.index(b"LEIRecord>") + 1) + len(b"LEIRecord>")  # the first end tag
    return xml[:marker], xml[marker:]


@pytest.mark.slow
def test_a_gleif_zip_bomb_is_refused_and_without_the_ratio_check_stopped_in_bounded_memory(tmp_path):
    xml = GLEIF_SMALL.read_bytes()
    head, tail = _gleif_split_after_first_record(xml)
    path = tmp_path / "lei-bomb.zip"
    zip_bomb_write(path, "lei-bomb.xml", head, b" " * MiB, BOMB_BLOCKS, tail)
    with pytest.raises(GleifFileError, match="refused as a possible zip bomb"):
        _gleif_parse(path)
    script = textwrap.dedent(
        """
        import sys
        from ingestion.parsers.files import XmlLimits
        from ingestion.parsers.gleif import GleifFileError, gleif_open, gleif_stream_parse
        try:
            with gleif_open(sys.argv[1], XmlLimits(max_ratio=float("inf"))) as streams:
                for name, stream in streams:
                    for _ in gleif_stream_parse(stream, name):
                        pass
        except GleifFileError as error:
            print(error)
        """
    )
    done, peak_mb = _peak_rss_of([sys.executable, "-c", script, str(path)])
    assert "lei-bomb.zip:lei-bomb.xml: the text after record 1 is too large" in done.stdout, done.stdout + done.stderr
    assert peak_mb < RSS_CEILING_MB / 2


def test_a_huge_gleif_record_is_stopped_with_its_line(tmp_path):
    xml = GLEIF_SMALL.read_bytes()
    cut = xml.index(b"</lei:LegalName>")
    path = tmp_path / "lei-huge.xml"
    path.write_bytes(xml[:cut] + b"N" * (2 * MiB) + xml[cut:])
    with pytest.raises(GleifFileError, match=r"lei-huge.xml: record 1 \(from line \d+\) is too large") as caught:
        _gleif_parse(path)
    assert caught.value.line > 1


def test_a_gleif_stream_opened_elsewhere_is_read_under_the_limits(tmp_path):
    xml = GLEIF_SMALL.read_bytes()
    cut = xml.index(b"</lei:LegalName>")
    path = tmp_path / "lei-huge.xml"
    path.write_bytes(xml[:cut] + b"N" * (2 * MiB) + xml[cut:])
    with open(path, "rb") as stream, pytest.raises(GleifFileError, match="is too large"):
        list(gleif_stream_parse(stream, path.name))


def test_a_doctype_entity_fails_the_gleif_file(tmp_path):
    xml = GLEIF_SMALL.read_bytes()
    declaration, rest = xml.split(b"\n", 1)
    cut = rest.index(b"</lei:LegalName>")
    path = tmp_path / "lei-doctype.xml"
    path.write_bytes(declaration + b"\n" + DOCTYPE + rest[:cut] + b"&e;" + rest[cut:])
    with pytest.raises(GleifFileError, match=r"lei-doctype.xml: the file has a DOCTYPE declaring the entities e"):
        _gleif_parse(path)


@pytest.mark.django_db
def test_load_gleif_with_a_huge_record_stores_nothing(tmp_path):
    xml = GLEIF_SMALL.read_bytes()
    cut = xml.rindex(b"</lei:LegalName>")  # the last record: the ones before it were read and batched
    path = tmp_path / "lei-huge.xml"
    path.write_bytes(xml[:cut] + b"N" * (2 * MiB) + xml[cut:])
    with pytest.raises(CommandError, match=r"is too large"):
        call_command("load_gleif", str(path), stdout=open(os.devnull, "w"))
    assert IngestionRun.objects.get().status == RunStatus.FAILED
    assert LegalEntity.objects.count() == 0
