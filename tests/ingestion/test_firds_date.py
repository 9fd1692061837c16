"""load_firds --date: find a publication date's files in ESMA's registry (a local fake), download, verify, load."""

import hashlib
from io import StringIO
from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command

from ingestion.choices import RunStatus
from ingestion.models import IngestionRun
from ingestion.parsers.firds.writer import firds_file_write
from instruments.models import Instrument, Listing
from tests.fakes.esma import FIRDS_CORE, FakeEsmaServer

pytestmark = pytest.mark.django_db

DAY = "2026-11-21"
FULL_E = "FULINS_E_20261121_01of01.zip"
FULL_D = "FULINS_D_20261121_01of01.zip"
DELTA = "DLTINS_20261121_01of01.zip"
EARLIER_DELTA = "DLTINS_20261120_01of01.zip"
SAP, AIRBUS, SIEMENS, BUND = "DE0007164600", "NL0000235190", "DE0007236101", "DE0001102580"
LEI = "529900W18LQJJN6SJ336"


def tree(isin: str, mic: str, start: str, *, name: str = "Example AG", cfi: str = "ESVUFR", **extra) -> dict:
    """A small FIRDS record tree for (ISIN, MIC) published from ``start``."""
    return {
        "FinInstrmGnlAttrbts": {
            "Id": isin,
            "FullNm": name,
            "ShrtNm": name[:35],
            "ClssfctnTp": cfi,
            "NtnlCcy": "EUR",
            "CmmdtyDerivInd": "false",
        },
        "Issr": LEI,
        "TradgVnRltdAttrbts": {"Id": mic, "IssrReq": "false", "FrstTradDt": "2020-01-02T08:00:00Z"},
        "TechAttrbts": {"RlvntCmptntAuthrty": "DE", "PblctnPrd": {"FrDt": start}, "RlvntTradgVn": mic},
        **extra,
    }


def zipped(folder: Path, name: str, report: str, records: list, reporting_date: str = DAY) -> bytes:
    """The bytes of a FIRDS zip written by the project's writer."""
    path = folder / name
    firds_file_write(path, report, records, reporting_date=reporting_date)
    return path.read_bytes()


@pytest.fixture
def esma(settings, tmp_path, storage):
    """A fake ESMA registry listing two FULINS parts and a DLTINS on DAY, and a DLTINS the day before."""
    built = tmp_path / "built"
    built.mkdir()
    with FakeEsmaServer() as fake:
        settings.ESMA_FIRDS_REGISTRY_URL = fake.firds_url
        settings.HTTP_TIMEOUT_SECONDS = 0.5
        settings.HTTP_MAX_RETRIES = 2
        settings.HTTP_RETRY_BACKOFF_SECONDS = 0.01
        fake.bodies = {
            # Listed in an order the command must not follow: the delta first, the full set after.
            DELTA: zipped(
                built,
                DELTA,
                "DLTINS",
                [
                    ("MODIFIED", tree(SAP, "XETR", DAY, name="SAP SE Renamed")),
                    ("NEW", tree(SIEMENS, "XETR", DAY, name="Siemens AG")),
                ],
            ),
            FULL_E: zipped(
                built,
                FULL_E,
                "FULINS",
                [tree(SAP, "XETR", "2026-11-14", name="SAP SE"), tree(AIRBUS, "XPAR", "2026-11-14", name="Airbus SE")],
            ),
            FULL_D: zipped(built, FULL_D, "FULINS", [tree(BUND, "XFRA", "2026-11-14", name="Bund 2035", cfi="DBFTFB")]),
            EARLIER_DELTA: zipped(
                built,
                EARLIER_DELTA,
                "DLTINS",
                [("NEW", tree("FR0000120271", "XPAR", "2026-11-20"))],
                reporting_date="2026-11-20",
            ),
        }
        for name, body in fake.bodies.items():
            fake.add_file(name, body, "2026-11-20" if name == EARLIER_DELTA else DAY)
        yield fake


def load_date(*args: str) -> str:
    """Run ``load_firds --date DAY`` with extra arguments; return what it printed."""
    out = StringIO()
    call_command("load_firds", "--date", DAY, *args, stdout=out)
    return out.getvalue()


def md5(body: bytes) -> str:
    return hashlib.md5(body).hexdigest()  # noqa: S324 - the registry's checksum


def test_date_downloads_verifies_and_loads_full_sets_before_the_delta(esma, storage):
    """Every file of the date is downloaded into storage and loaded, full sets first, each with its checksum."""
    output = load_date()

    runs = list(IngestionRun.objects.order_by("id"))
    assert [run.file_name for run in runs] == [FULL_D, FULL_E, DELTA]
    assert all(run.status == RunStatus.SUCCEEDED for run in runs), [(r.file_name, r.status, r.error) for r in runs]
    assert [run.checksum for run in runs] == [md5(esma.bodies[name]) for name in (FULL_D, FULL_E, DELTA)]
    counts = [(run.records_read, run.records_inserted, run.records_updated) for run in runs]
    assert counts == [(1, 1, 0), (2, 2, 0), (2, 1, 1)]
    assert [run.file_type for run in runs] == ["FULINS", "FULINS", "DLTINS"]

    stored = sorted(path.name for path in (storage / "firds").iterdir())
    assert stored == sorted([FULL_D, FULL_E, DELTA])
    for name in stored:
        assert default_storage.open(f"firds/{name}").read() == esma.bodies[name]
    assert not esma.paths(f"/firds/{EARLIER_DELTA}")
    assert "?" in esma.paths(FIRDS_CORE)[0] and "2026-11-21" in esma.paths(FIRDS_CORE)[0]

    assert set(Instrument.objects.values_list("isin", flat=True)) == {SAP, AIRBUS, SIEMENS, BUND}
    sap = list(Listing.objects.filter(instrument_id=SAP, venue_id="XETR").order_by("valid_from"))
    assert [(v.full_name, v.is_current, str(v.valid_from)) for v in sap] == [
        ("SAP SE", False, "2026-11-14"),
        ("SAP SE Renamed", True, DAY),
    ]
    assert Listing.objects.get(instrument_id=SIEMENS).source_file == DELTA
    assert "files 3, records read 5, inserted 4, updated 1" in output


def test_date_second_run_is_skipped_without_downloading_again(esma, storage):
    """The same date again: no download (checksums match storage), every file skipped, the tables unchanged."""
    load_date()
    downloads = len(esma.paths("/firds/"))
    listings = sorted(Listing.objects.values_list("id", "updated_at"))

    output = load_date()

    assert len(esma.paths("/firds/")) == downloads
    second = IngestionRun.objects.order_by("id")[3:]
    assert [(run.file_name, run.status) for run in second] == [
        (FULL_D, RunStatus.SKIPPED),
        (FULL_E, RunStatus.SKIPPED),
        (DELTA, RunStatus.SKIPPED),
    ]
    assert all(run.checksum and run.records_inserted == 0 for run in second)
    assert sorted(Listing.objects.values_list("id", "updated_at")) == listings
    assert output.count(": skipped") == 3 and "inserted 0" in output


def test_date_force_loads_again(esma, storage):
    """--force loads the files again (nothing new: every record unchanged)."""
    load_date()
    load_date("--force")
    second = IngestionRun.objects.order_by("id")[3:]
    assert [run.status for run in second] == [RunStatus.SUCCEEDED] * 3
    assert sum(run.records_unchanged for run in second) == 5
    assert sum(run.records_inserted + run.records_updated for run in second) == 0


def test_date_type_filter_loads_only_the_delta(esma, storage):
    """--type DLTINS downloads and loads the delta alone."""
    load_date("--type", "DLTINS")
    assert list(IngestionRun.objects.values_list("file_name", "status")) == [(DELTA, RunStatus.SUCCEEDED)]
    assert sorted(path.name for path in (storage / "firds").iterdir()) == [DELTA]
    assert set(Instrument.objects.values_list("isin", flat=True)) == {SAP, SIEMENS}


def test_date_cfi_filter_loads_only_that_category(esma, storage):
    """--cfi E keeps the files named for category E (the delta names no category)."""
    load_date("--cfi", "E")
    assert list(IngestionRun.objects.values_list("file_name", flat=True)) == [FULL_E]
    assert set(Instrument.objects.values_list("isin", flat=True)) == {SAP, AIRBUS}
    assert not esma.paths(f"/firds/{FULL_D}") and not esma.paths(f"/firds/{DELTA}")


def test_date_with_nothing_published_loads_nothing(esma, storage):
    """A date without files is not an error: nothing is downloaded or written."""
    out = StringIO()
    call_command("load_firds", "--date", "2026-11-22", stdout=out)
    assert "files 0" in out.getvalue()
    assert not IngestionRun.objects.exists() and not esma.paths("/firds/")


def test_registry_that_stays_down_is_a_clear_command_error(esma, storage):
    """A registry answering 503 beyond the retries ends the command with an error naming the URL."""
    esma.fail(FIRDS_CORE, 503, times=10)
    with pytest.raises(CommandError, match=r"esma_registers_firds_files/select.*3 attempts.*HTTP 503"):
        load_date()
    assert len(esma.paths(FIRDS_CORE)) == 3
    assert not IngestionRun.objects.exists() and not Instrument.objects.exists()


def test_checksum_mismatch_is_a_command_error_and_loads_nothing(esma, storage):
    """A download whose MD5 differs from the registry's is refused: no file kept, nothing loaded."""
    esma.docs[FIRDS_CORE] = [
        {**doc, "checksum": "0" * 32} if doc["file_name"] == DELTA else doc for doc in esma.docs[FIRDS_CORE]
    ]
    with pytest.raises(CommandError, match=rf"{DELTA}: MD5 \w+ does not match"):
        load_date()
    assert not default_storage.exists(f"firds/{DELTA}")
    assert not Instrument.objects.exists()


def test_date_and_paths_together_are_refused(esma, tmp_path):
    """PATH arguments and --date exclude each other; a malformed date is refused before any request."""
    with pytest.raises(CommandError, match="either PATH arguments or --date"):
        call_command("load_firds", str(tmp_path), "--date", DAY)
    with pytest.raises(CommandError, match="date"):
        call_command("load_firds", "--date", "2026-13-01")
    assert not esma.requests
