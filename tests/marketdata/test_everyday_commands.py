"""The old CLI's everyday commands: stats (what is stored, loads, coverage, size) and instruments (a terminal list)."""

import json
import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from entities.models import LegalEntity
from ingestion.models import IngestionRun
from instruments.models import Instrument, Listing

pytestmark = pytest.mark.django_db


@pytest.fixture
def samples():
    call_command("load_sample_data", stdout=StringIO())


def test_stats_counts_what_is_stored(samples):
    out = StringIO()
    call_command("stats", "--json", stdout=out)
    data = json.loads(out.getvalue())
    tables = {t["name"]: t["count"] for source in data["sources"] for t in source["tables"]}
    assert tables["instruments"] == Instrument.objects.count() > 0
    assert tables["listing versions"] == Listing.objects.count()
    assert tables["legal entities"] == LegalEntity.objects.count() > 0
    assert sum(row["count"] for row in data["categories"]) == Instrument.objects.count()
    firds = next(source for source in data["sources"] if source["source"] == "firds")
    assert firds["runs"] == IngestionRun.objects.filter(source="firds", status="succeeded").count()
    assert data["database_bytes"] > 0
    assert data["coverage"]["instruments"] == Instrument.objects.count()


def test_stats_prints_tables_with_failures(samples):
    IngestionRun.objects.create(source="gleif", file_name="broken.xml", status="failed", error="Bad LEI\ntrace")
    out = StringIO()
    call_command("stats", stdout=out)
    text = out.getvalue()
    assert "Sources" in text and "Instruments per CFI category" in text and "database size" in text
    assert re.search(r"failed gleif run \d+ .*broken\.xml: Bad LEI", text)
    assert f"{Instrument.objects.filter(category='E').count():,}" in text


def test_instruments_lists_with_the_api_filters(samples):
    equities = list(
        Instrument.objects.filter(listings__is_current=True, listings__cfi_code__startswith="E")
        .order_by("isin")
        .values_list("isin", flat=True)
        .distinct()
    )
    assert len(equities) > 2
    out = StringIO()
    call_command("instruments", "--cfi", "E", "--limit", "2", stdout=out)
    text = out.getvalue()
    assert re.findall(r"\b[A-Z]{2}[A-Z0-9]{9}\d\b", text) == equities[:2]
    assert "2 instrument(s), more beyond --limit 2" in text
    with pytest.raises(CommandError, match="--category"):
        call_command("instruments", "--category", "Z", stdout=StringIO())
    with pytest.raises(CommandError, match="--limit"):
        call_command("instruments", "--limit", "0", stdout=StringIO())
