"""load_gleif_isin_map: GLEIF's ISIN-LEI mapping (a file, or the latest downloaded), streamed; instruments FIRDS
names no issuer for take its LEI."""

import zipfile
from io import StringIO

import pytest
from django.conf import settings as django_settings
from django.core.management import CommandError, call_command

from entities.models import IsinLeiMapping
from ingestion.models import IngestionRun
from ingestion.tasks import gleif_isin_map_load_task
from tests.api.base import client_for, make_user
from tests.factories import InstrumentFactory, LegalEntityFactory
from tests.fakes.gleif_golden import FIXTURES
from tests.fakes.gleif_mapping import FakeIsinLeiMapping

pytestmark = pytest.mark.django_db
SAMPLE = FIXTURES / "isin_lei_sample.csv"
SHELL, FRAPORT = "21380068P1DRHMJ8KU70", "5299001ERX0K10IZUL40"
SHELL_BOND, FRAPORT_SHARE = "US82266JMB88", "DE0005773303"


def load(path, *args) -> str:
    out = StringIO()
    call_command("load_gleif_isin_map", str(path), *args, stdout=out)
    return out.getvalue()


def load_latest(*args) -> str:
    out = StringIO()
    call_command("load_gleif_isin_map", "--latest", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def mapping(settings, storage):
    """The fake mapping server publishing the sample as its latest file, and settings pointing at it."""
    with FakeIsinLeiMapping() as fake:
        settings.GLEIF_ISIN_LEI_URL = fake.api_url
        settings.HTTP_MAX_RETRIES = 2
        settings.HTTP_RETRY_BACKOFF_SECONDS = 0.01
        fake.publish(SAMPLE)
        yield fake


def test_the_mapping_loads_from_csv_or_zip_and_updates(tmp_path):
    archive = tmp_path / "isin-lei-20260901T070301.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as out:
        out.write(SAMPLE, "isin-lei-20260901T070301.csv")
    output = load(archive)
    assert "read 17, inserted 17, updated 0, unchanged 0, rejected 0" in output
    assert IsinLeiMapping.objects.get(isin=SHELL_BOND).lei == SHELL
    run = IngestionRun.objects.get()
    assert (run.source, run.file_type, run.status) == ("gleif", "ISIN-LEI", "succeeded")
    assert "skipped" in load(archive)  # the same file again

    changed = tmp_path / "isin-lei-20260902T070301.csv"
    lines = SAMPLE.read_text().splitlines()
    changed.write_text(
        "\n".join([lines[0], f"{FRAPORT},{SHELL_BOND}", "NOT-AN-LEI,DE0005773303", f"{SHELL},US0000000000", *lines[5:]])
        + "\n"
    )
    output = load(changed)
    assert IsinLeiMapping.objects.get(isin=SHELL_BOND).lei == FRAPORT
    assert "updated 1" in output and "rejected 2" in output
    assert "rejected line 3 DE0005773303: LEI:" in output and "rejected line 4 US0000000000: ISIN:" in output
    assert IsinLeiMapping.objects.count() == 17  # the rejected lines changed nothing


def test_a_file_that_is_not_the_mapping_fails_naming_it(tmp_path):
    wrong = tmp_path / "isin-lei-bad.csv"
    wrong.write_text("ISIN;LEI\nUS82266JMB88;21380068P1DRHMJ8KU70\n")
    with pytest.raises(CommandError, match="isin-lei-bad.csv failed: .*lacks LEI and ISIN"):
        load(wrong)
    assert not IsinLeiMapping.objects.exists()


def test_instruments_without_a_firds_issuer_take_the_mapped_lei(tmp_path):
    load(SAMPLE)
    LegalEntityFactory(lei=SHELL, legal_name="SHELL PLC")
    unnamed = InstrumentFactory(isin=SHELL_BOND, issuer_id=None)
    named = InstrumentFactory(isin=FRAPORT_SHARE, issuer_id=SHELL)  # FIRDS names an issuer: it stays
    client = client_for(make_user("analyst"))
    body = client.get(f"/api/v1/instruments/{unnamed.isin}/").json()
    assert (body["issuer_lei"], body["issuer_source"], body["issuer"]["legal_name"]) == (SHELL, "gleif", "SHELL PLC")
    other = client.get(f"/api/v1/instruments/{named.isin}/").json()
    assert (other["issuer_lei"], other["issuer_source"]) == (SHELL, "firds")
    alone = InstrumentFactory(issuer_id=None)
    assert client.get(f"/api/v1/instruments/{alone.isin}/").json()["issuer_source"] is None


def test_the_latest_file_is_downloaded_into_storage_loaded_and_not_loaded_twice(mapping, storage):
    output = load_latest()
    assert "read 17, inserted 17, updated 0, unchanged 0, rejected 0" in output
    assert IsinLeiMapping.objects.get(isin=FRAPORT_SHARE).lei == FRAPORT
    run = IngestionRun.objects.get()
    assert (run.source, run.file_type, run.status) == ("gleif", "ISIN-LEI", "succeeded")
    assert run.file_name == "isin-lei-20260901T070301.zip"
    assert (storage / "gleif" / "isin-lei-20260901T070301.zip").is_file()
    assert [(entry.path, entry.status) for entry in mapping.log] == [
        ("/api/v2/isin-lei/latest", 200),
        (mapping.latest["data"]["attributes"]["downloadLink"].removeprefix(mapping.base_url), 200),
    ]

    assert "skipped" in load_latest()  # the same file the next day: recognised by its checksum
    assert IngestionRun.objects.filter(status="skipped").count() == 1

    changed = storage.parent / "isin-lei-20260902T070301.csv"
    changed.write_text(SAMPLE.read_text().replace(f"{FRAPORT},{FRAPORT_SHARE}", f"{SHELL},{FRAPORT_SHARE}"))
    mapping.publish(changed, stamp="20260902T070301")
    result = gleif_isin_map_load_task()  # what beat runs
    assert (result["status"], result["file"], result["updated"]) == ("succeeded", "isin-lei-20260902T070301.zip", 1)
    assert IsinLeiMapping.objects.get(isin=FRAPORT_SHARE).lei == SHELL
    schedule = django_settings.BEAT_SCHEDULE_DEFAULTS["gleif-isin-lei-daily"]
    assert schedule["task"] == "ingestion.tasks.gleif_isin_map_load_task"
    assert schedule["schedule"].hour == {8}  # after GLEIF's golden copy and before the 09:00 enrichment


def test_latest_errors_are_clear_and_load_nothing(mapping):
    with pytest.raises(CommandError, match="give a PATH or --latest, not both or neither"):
        call_command("load_gleif_isin_map", stdout=StringIO())
    with pytest.raises(CommandError, match="give a PATH or --latest, not both or neither"):
        load_latest(str(SAMPLE))
    attributes = mapping.latest["data"]["attributes"]
    del attributes["downloadLink"]
    with pytest.raises(CommandError, match="latest ISIN-LEI mapping file has no downloadLink"):
        load_latest()
    mapping.latest = {"data": []}
    with pytest.raises(CommandError, match="not an ISIN-LEI mapping answer"):
        load_latest()
    mapping.latest = None  # GLEIF answers 404
    with pytest.raises(CommandError, match=r"/api/v2/isin-lei/latest answered HTTP 404"):
        load_latest()
    mapping.publish(SAMPLE)
    mapping.latest["data"]["attributes"]["fileName"] = "../../etc/isin-lei.zip"
    with pytest.raises(CommandError, match="is not a plain file name"):
        load_latest()
    assert not IsinLeiMapping.objects.exists() and not IngestionRun.objects.exists()
