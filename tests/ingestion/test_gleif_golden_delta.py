"""GLEIF's daily golden-copy delta: found in the publishes index, downloaded, loaded LEI-CDF, RR-CDF, repex in order."""

from io import StringIO

import pytest
from django.conf import settings as django_settings
from django.core.management import CommandError, call_command

from entities.models import EntityRelationship, LegalEntity
from ingestion.models import IngestionRun
from ingestion.sources.gleif_golden import golden_copy_files
from ingestion.sources.http import SourceResponseError
from ingestion.tasks import gleif_load_delta_task
from tests.fakes.gleif_golden import FIXTURES, FakeGoldenCopy

pytestmark = pytest.mark.django_db
SHELL, PUMA = "21380068P1DRHMJ8KU70", "529900GRZ2BQY5ZM9N49"
APPLE_ENERGY = "549300YX4S1LLSMK2627"


@pytest.fixture
def golden(settings, storage):
    """The fake golden-copy server with the small full files loaded first and the deltas published as LastDay."""
    call_command("load_gleif", str(FIXTURES / "lei_small.xml"), str(FIXTURES / "rr_small.xml"), stdout=StringIO())
    with FakeGoldenCopy() as fake:
        settings.GLEIF_GOLDEN_COPY_URL = fake.api_url
        settings.HTTP_MAX_RETRIES = 2
        settings.HTTP_RETRY_BACKOFF_SECONDS = 0.01
        fake.publish("lei2", "LastDay", FIXTURES / "lei_delta.xml")
        fake.publish("rr", "LastDay", FIXTURES / "rr_delta.xml")
        fake.publish("repex", "LastDay", FIXTURES / "repex_small.xml")
        yield fake


def test_the_index_lists_the_latest_publish_files_in_load_order(golden):
    files = golden_copy_files("LastDay")
    assert [f.kind for f in files] == ["lei2", "rr", "repex"]
    assert {f.publish_date for f in files} == {"2026-09-01 08:00:00"}
    assert files[0].download.storage_name == "gleif/20260901-0800-gleif-goldencopy-lei2-lastday.xml.zip"
    assert files[1].record_count == 1536  # the recorded index's figure
    with pytest.raises(SourceResponseError, match="no Unknown XML file for lei2"):
        golden_copy_files("Unknown")


def test_the_beat_task_applies_the_last_day_delta(golden):
    assert LegalEntity.objects.get(lei=SHELL).registration_status == "ISSUED"
    results = gleif_load_delta_task()
    assert [r["status"] for r in results] == ["succeeded"] * 3
    assert [r["file"].split("-")[4] for r in results] == ["lei2", "rr", "repex"]
    assert LegalEntity.objects.get(lei=SHELL).registration_status == "LAPSED"  # lei_delta: Shell lapsed
    assert LegalEntity.objects.filter(lei=PUMA).exists()  # and Puma new
    direct = EntityRelationship.objects.get(child_id=APPLE_ENERGY, relationship_type="IS_DIRECTLY_CONSOLIDATED_BY")
    assert direct.relationship_status == "INACTIVE"
    again = gleif_load_delta_task()  # the same publish once more: nothing loaded twice
    assert [r["status"] for r in again] == ["skipped"] * 3
    schedule = django_settings.BEAT_SCHEDULE_DEFAULTS["gleif-daily-delta"]
    assert schedule["task"] == "ingestion.tasks.gleif_load_delta_task"


def test_load_gleif_latest_by_hand_and_its_errors(golden):
    out = StringIO()
    call_command("load_gleif", "--latest", "LastDay", stdout=out)
    assert "files 3" in out.getvalue() and IngestionRun.objects.filter(status="succeeded").count() == 5
    with pytest.raises(CommandError, match="give PATH arguments or --latest"):
        call_command("load_gleif", stdout=StringIO())
    golden.index = {"data": []}
    with pytest.raises(CommandError, match="not a golden-copy publishes answer"):
        call_command("load_gleif", "--latest", "LastDay", stdout=StringIO())
