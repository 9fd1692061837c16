"""load_mic: the full registry file, segment links, the 2024 edition after it, idempotence, --url and bad files."""

import csv
import functools
import shutil
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from ingestion.choices import RunStatus, Source
from ingestion.models import IngestionRun
from venues.models import Venue
from venues.selectors import venue_edition, venue_operating, venue_segments

pytestmark = pytest.mark.django_db


def _rows(path) -> dict[str, dict]:
    """The CSV rows by MIC, read with the standard library (an independent reading of the file)."""
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return {row["MIC"]: row for row in csv.DictReader(handle)}


def _load(*args, **options) -> str:
    out = StringIO()
    call_command("load_mic", *args, stdout=out, **options)
    return out.getvalue()


def _snapshot() -> dict:
    return {v["mic"]: v for v in Venue.objects.values()}


@pytest.fixture
def mic_2025(shared_data):
    return shared_data / "mic" / "ISO10383_MIC.csv"


@pytest.fixture
def mic_2024(shared_data):
    return shared_data / "mic" / "ISO10383_MIC_2024-10.csv"


def test_full_file_gives_every_row_with_segment_links(mic_2025):
    rows = _rows(mic_2025)
    output = _load(str(mic_2025))

    assert Venue.objects.count() == len(rows) == 2767
    assert f"added {len(rows)}," in output
    venues = _snapshot()
    for mic, row in rows.items():
        venue = venues[mic]
        assert venue["operating_id"] == row["OPERATING MIC"]
        assert venue["kind"] == row["OPRT/SGMT"]
        assert venue["status"] == row["STATUS"]
        assert venue["market_name"] == row["MARKET NAME-INSTITUTION DESCRIPTION"].strip()
        assert (venue["expiry_date"].strftime("%Y%m%d") if venue["expiry_date"] else "") == row["EXPIRY DATE"]
    segments = Venue.objects.filter(kind="SGMT")
    assert segments.count() == sum(row["OPRT/SGMT"] == "SGMT" for row in rows.values())
    # every segment's operating MIC is a stored venue; the registry has a few segments of segments
    assert set(segments.values_list("operating_id", flat=True)) <= set(venues)
    nested = [
        m for m, r in rows.items() if r["OPRT/SGMT"] == "SGMT" and rows[r["OPERATING MIC"]]["OPRT/SGMT"] == "SGMT"
    ]
    for mic in nested:
        assert venue_operating(mic).kind == "OPRT"
    assert "EXPA" in nested and venue_operating("EXPA").mic == "XMIL"  # EXPA -> MTAA -> XMIL
    expected_xmil = sorted(m for m, r in rows.items() if r["OPERATING MIC"] == "XMIL" and r["OPRT/SGMT"] == "SGMT")
    assert [v.mic for v in venue_segments("XMIL")] == expected_xmil
    assert "MTAA" in expected_xmil
    assert venue_operating("MTAA").mic == "XMIL"
    assert Venue.objects.get(mic="MTAA").operating.market_name == rows["XMIL"]["MARKET NAME-INSTITUTION DESCRIPTION"]
    assert venue_edition().strftime("%Y%m%d") == max(r["LAST UPDATE DATE"] for r in rows.values())

    run = IngestionRun.objects.get(source=Source.MIC)
    assert run.status == RunStatus.SUCCEEDED
    assert (run.records_read, run.records_inserted, run.records_rejected) == (len(rows), len(rows), 0)


def test_loading_the_same_file_twice_changes_nothing(mic_2025):
    _load(str(mic_2025))
    before = _snapshot()
    output = _load(str(mic_2025))
    assert "added 0, changed 0, expired 0, unchanged 2767" in output
    assert _snapshot() == before
    run = IngestionRun.objects.filter(source=Source.MIC).order_by("-id").first()
    assert (run.records_unchanged, run.records_inserted, run.records_updated) == (2767, 0, 0)
    # an extract of the same edition has an earlier latest date, but changes nothing: it is not refused
    samples = Path(__file__).resolve().parents[2] / "samples" / "mic"
    subset = sum(len(_rows(path)) for path in samples.glob("*.csv"))
    assert f"added 0, changed 0, expired 0, unchanged {subset}, stored but not in this file {2767 - subset}" in _load(
        str(samples)
    )


def test_newer_edition_after_older_reports_added_changed_expired(mic_2024, mic_2025):
    old, new = _rows(mic_2024), _rows(mic_2025)
    added = set(new) - set(old)
    changed = {m for m in set(new) & set(old) if new[m] != old[m]}
    expired = {m for m in changed if new[m]["STATUS"] == "EXPIRED" and old[m]["STATUS"] != "EXPIRED"}

    _load(str(mic_2024))
    output = _load(str(mic_2025))

    assert f"added {len(added)}, changed {len(changed - expired)}, expired {len(expired)}" in output
    assert len(added) == 66 and len(expired) == 10
    assert Venue.objects.count() == len(new)
    some_expired = sorted(expired)[0]
    assert f"expired {some_expired}: " in output
    assert Venue.objects.get(mic=some_expired).status == "EXPIRED"


def test_older_edition_after_newer_is_refused_and_says_what_would_change(mic_2024, mic_2025):
    old, new = _rows(mic_2024), _rows(mic_2025)
    differing = {m for m in set(new) & set(old) if new[m] != old[m]}
    _load(str(mic_2025))
    before = _snapshot()

    with pytest.raises(CommandError) as error:
        _load(str(mic_2024))

    message = str(error.value)
    assert "older edition" in message and "2024-10-28" in message and "2025-05-26" in message
    assert "--allow-older" in message
    assert f"stored but not in this file {len(set(new) - set(old))}" in message
    # XMAL: same LAST UPDATE DATE in both editions, but the status went from UPDATED (2024) to ACTIVE (2025)
    assert new["XMAL"]["LAST UPDATE DATE"] == old["XMAL"]["LAST UPDATE DATE"]
    assert (old["XMAL"]["STATUS"], new["XMAL"]["STATUS"]) == ("UPDATED", "ACTIVE")
    assert "XMAL: status ACTIVE -> UPDATED" in message
    assert _snapshot() == before  # nothing rolled back
    run = IngestionRun.objects.filter(source=Source.MIC).order_by("-id").first()
    assert run.status == RunStatus.FAILED and "older edition" in run.error

    output = _load(str(mic_2024), allow_older=True)
    assert "applied because of --allow-older" in output
    venues = _snapshot()
    assert venues["XMAL"]["status"] == "UPDATED"
    assert sum(venues[m] != before[m] for m in venues) == len(differing)
    assert Venue.objects.count() == len(new)  # MICs absent from the older file are kept


def test_dry_run_reports_without_writing(fixtures_dir):
    output = _load(str(fixtures_dir / "mic" / "mic_small.csv"), dry_run=True)
    assert "would change: added 11," in output
    assert Venue.objects.count() == 0
    assert not IngestionRun.objects.exists()


def test_folder_argument_loads_the_csv_in_it(fixtures_dir, tmp_path):
    shutil.copy(fixtures_dir / "mic" / "mic_small.csv", tmp_path / "mic.csv")
    _load(str(tmp_path))
    assert set(Venue.objects.values_list("mic", flat=True)) == set(_rows(fixtures_dir / "mic" / "mic_small.csv"))


@pytest.mark.parametrize(
    ("name", "expected"),
    [("mic_pre2022_layout.csv", "pre-2022"), ("mic_missing_columns.csv", "LEI, MARKET CATEGORY CODE")],
)
def test_bad_layout_fails_the_run_and_stores_nothing(fixtures_dir, name, expected):
    _load(str(fixtures_dir / "mic" / "mic_small.csv"))
    before = _snapshot()
    with pytest.raises(CommandError, match=expected):
        _load(str(fixtures_dir / "mic" / name))
    assert _snapshot() == before
    run = IngestionRun.objects.filter(source=Source.MIC).order_by("-id").first()
    assert run.status == RunStatus.FAILED and name in run.error


def test_bad_rows_are_rejected_and_the_rest_loaded(fixtures_dir):
    output = _load(str(fixtures_dir / "mic" / "mic_bad_rows.csv"))
    assert set(Venue.objects.values_list("mic", flat=True)) == {"FRAV", "XMAL", "SEED"}
    assert "3 row(s) rejected" in output and "rejected line 5 XP-R" in output
    run = IngestionRun.objects.get(source=Source.MIC)
    assert run.records_rejected == 3
    assert run.rejected_sample[0]["record"] == "line 5 XP-R"


@pytest.fixture
def csv_server(fixtures_dir, tmp_path):
    """A local HTTP server (free port) serving a copy of the small MIC CSV."""
    shutil.copy(fixtures_dir / "mic" / "mic_small.csv", tmp_path / "ISO10383_MIC.csv")
    handler = functools.partial(SimpleHTTPRequestHandler, directory=str(tmp_path))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_url_download_loads_the_file(csv_server, fixtures_dir):
    url = f"{csv_server}/ISO10383_MIC.csv"
    output = _load(url=url)
    assert "added 11," in output
    assert Venue.objects.count() == 11
    assert IngestionRun.objects.get(source=Source.MIC).file_name == url


def test_default_url_comes_from_settings(csv_server, settings):
    settings.MIC_CSV_URL = f"{csv_server}/ISO10383_MIC.csv"
    _load()
    assert Venue.objects.filter(mic="MTAA", operating_id="XMIL").exists()


def test_url_that_fails_gives_a_clear_error(csv_server, settings):
    settings.HTTP_MAX_RETRIES = 0
    with pytest.raises(CommandError, match="404"):
        _load(url=f"{csv_server}/missing.csv")
    assert Venue.objects.count() == 0


def test_sample_subset_loads_with_every_segment_linked(fixtures_dir):
    samples = Path(__file__).resolve().parents[2] / "samples" / "mic"
    rows = {}
    for path in samples.glob("*.csv"):
        rows.update(_rows(path))
    _load(str(samples))
    assert Venue.objects.count() == len(rows) > 250
    stored = set(Venue.objects.values_list("mic", flat=True))
    assert set(Venue.objects.values_list("operating_id", flat=True)) <= stored
    with open(fixtures_dir / "testcases" / "isin_mic_lei_triples.csv", encoding="utf-8", newline="") as handle:
        testcase_mics = {row["mic"] for row in csv.DictReader(handle)}
    assert testcase_mics <= stored
