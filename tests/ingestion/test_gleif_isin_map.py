"""load_gleif_isin_map: GLEIF's ISIN-LEI mapping, streamed; instruments FIRDS names no issuer for take its LEI."""

import zipfile
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from entities.models import IsinLeiMapping
from ingestion.models import IngestionRun
from tests.api.base import client_for, make_user
from tests.factories import InstrumentFactory, LegalEntityFactory
from tests.fakes.gleif_golden import FIXTURES

pytestmark = pytest.mark.django_db
SAMPLE = FIXTURES / "isin_lei_sample.csv"
SHELL, FRAPORT = "21380068P1DRHMJ8KU70", "5299001ERX0K10IZUL40"
SHELL_BOND, FRAPORT_SHARE = "US82266JMB88", "DE0005773303"


def load(path, *args) -> str:
    out = StringIO()
    call_command("load_gleif_isin_map", str(path), *args, stdout=out)
    return out.getvalue()


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
