"""load_gleif: golden-copy LEI-CDF, RR-CDF and repex files into entities, relationships and exceptions."""

import re
import shutil
import zipfile
from datetime import UTC, datetime
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction

from entities.models import EntityRelationship, LegalEntity, ReportingException
from entities.selectors import entity_children, entity_parent_chain
from entities.services import sql_batch_size
from ingestion.choices import RunStatus, Source
from ingestion.loaders.gleif import gleif_file_records_load, gleif_values
from ingestion.models import IngestionRun
from ingestion.services import LoadCounts

pytestmark = pytest.mark.django_db

SHELL = "21380068P1DRHMJ8KU70"
APPLE_ENERGY, APPLE = "549300YX4S1LLSMK2627", "HWUPKR0MPOU8FGXBT394"
BLOOMBERG_FINANCE, BLOOMBERG_LP, BLOOMBERG_INC = "5493001KJTIIGC8Y1R12", "549300B56MD0ZC402L06", "549300RMUDWPHCUQNE66"
DIRECT, ULTIMATE = "IS_DIRECTLY_CONSOLIDATED_BY", "IS_ULTIMATELY_CONSOLIDATED_BY"


@pytest.fixture
def golden(fixtures_dir) -> Path:
    return fixtures_dir / "gleif_golden"


def _load(*paths, **options) -> str:
    out = StringIO()
    call_command("load_gleif", *[str(p) for p in paths], stdout=out, **options)
    return out.getvalue()


def _snapshot() -> tuple:
    return (
        sorted(LegalEntity.objects.values_list("lei", "legal_name", "registration_status", "last_update_date")),
        sorted(
            EntityRelationship.objects.values_list("child_id", "parent_id", "relationship_type", "relationship_status")
        ),
        sorted(ReportingException.objects.values_list("entity_id", "category", "reason")),
    )


def _last_run() -> IngestionRun:
    return IngestionRun.objects.filter(source=Source.GLEIF).order_by("-id").first()


def _count(path: Path, tag: str) -> int:
    return len(re.findall(rf"<\w+:{tag}>", path.read_text()))


def test_full_files_store_entities_relationships_with_periods_and_exceptions(golden):
    output = _load(golden / "lei_small.xml", golden / "rr_small.xml", golden / "repex_small.xml")

    assert LegalEntity.objects.count() == _count(golden / "lei_small.xml", "LEIRecord") == 7
    shell = LegalEntity.objects.get(lei=SHELL)
    assert (shell.legal_name, shell.jurisdiction, shell.legal_address_country) == ("SHELL PLC", "GB", "GB")
    assert shell.registration_status == "ISSUED" and shell.last_update_date == datetime(
        2025, 5, 6, 15, 51, 56, tzinfo=UTC
    )
    assert shell.other_names[0]["name"] == "ROYAL DUTCH SHELL PLC"
    socgen = LegalEntity.objects.get(lei="529900W18LQJJN6SJ336")  # the real 2016-namespace record
    assert (
        socgen.legal_name == "Société Générale Effekten GmbH" and socgen.record["Entity"]["LegalJurisdiction"] == "DE"
    )

    assert EntityRelationship.objects.count() == _count(golden / "rr_small.xml", "RelationshipRecord")
    apple = EntityRelationship.objects.get(child_id=APPLE_ENERGY, parent_id=APPLE, relationship_type=DIRECT)
    assert apple.relationship_status == "ACTIVE" and apple.start_date == datetime(2018, 4, 10, tzinfo=UTC)
    assert {p["type"] for p in apple.periods} == {"RELATIONSHIP_PERIOD", "ACCOUNTING_PERIOD"}
    assert apple.parent.legal_name == "Apple Inc."

    exceptions = {(e.entity_id, e.category): e.reason for e in ReportingException.objects.all()}
    assert len(exceptions) == _count(golden / "repex_small.xml", "Exception")
    assert exceptions[("335800CCCPHKUOXPC332", "DIRECT_ACCOUNTING_CONSOLIDATION_PARENT")] == "NATURAL_PERSONS"
    assert exceptions[(SHELL, "ULTIMATE_ACCOUNTING_CONSOLIDATION_PARENT")] == "NO_KNOWN_PERSON"

    runs = IngestionRun.objects.filter(source=Source.GLEIF).order_by("id")
    assert [(r.file_name, r.file_type, r.status) for r in runs] == [
        ("lei_small.xml", "LEI-CDF", RunStatus.SUCCEEDED),
        ("rr_small.xml", "RR-CDF", RunStatus.SUCCEEDED),
        ("repex_small.xml", "REPEX", RunStatus.SUCCEEDED),
    ]
    assert [r.records_inserted for r in runs] == [7, 7, 7]
    assert "files 3, records read 21, inserted 21" in output


def test_delta_files_update_entities_and_relationships(golden):
    _load(golden / "lei_small.xml", golden / "rr_small.xml")
    output = _load(golden / "lei_delta.xml", golden / "rr_delta.xml")

    shell = LegalEntity.objects.get(lei=SHELL)
    assert shell.registration_status == "LAPSED"
    assert shell.legal_address["addressLines"] == ["SHELL CENTRE", "YORK ROAD"]
    assert shell.last_update_date == datetime(2025, 5, 20, 9, tzinfo=UTC)
    assert LegalEntity.objects.filter(lei="529900GRZ2BQY5ZM9N49", legal_name="PUMA SE").exists()
    lei_run, rr_run = IngestionRun.objects.filter(source=Source.GLEIF).order_by("-id")[:2][::-1]
    assert (lei_run.records_inserted, lei_run.records_updated, lei_run.records_unchanged) == (1, 1, 0)

    apple = EntityRelationship.objects.get(child_id=APPLE_ENERGY, parent_id=APPLE, relationship_type=DIRECT)
    assert apple.relationship_status == "INACTIVE"
    assert apple.end_date == datetime(2025, 5, 1, tzinfo=UTC)
    assert {"startDate": "2018-04-10T00:00:00Z", "endDate": "2025-05-01T00:00:00Z", "type": "RELATIONSHIP_PERIOD"} in (
        apple.periods
    )
    assert (rr_run.records_updated, rr_run.records_rejected) == (1, 1)
    assert "NOTANLEI" in rr_run.rejected_sample[0]["record"] and "child LEI" in rr_run.rejected_sample[0]["reason"]
    assert "rejected relationship NOTANLEI" in output
    assert EntityRelationship.objects.count() == 7  # the ultimate relationship is untouched


def test_loading_twice_changes_nothing(golden):
    paths = (golden / "lei_small.xml", golden / "rr_small.xml", golden / "repex_small.xml")
    _load(*paths)
    before = _snapshot()
    updated_at = sorted(LegalEntity.objects.values_list("updated_at", flat=True))

    output = _load(*paths)  # same checksums: skipped
    assert "skipped" in output
    assert [r.status for r in IngestionRun.objects.order_by("-id")[:3]] == [RunStatus.SKIPPED] * 3

    _load(*paths, force=True)  # read again: every record found unchanged
    forced = IngestionRun.objects.order_by("-id")[:3]
    assert all(r.records_unchanged == r.records_read == 7 and r.records_updated == 0 for r in forced)
    assert _snapshot() == before
    assert sorted(LegalEntity.objects.values_list("updated_at", flat=True)) == updated_at


def test_older_record_does_not_roll_back_a_newer_one(golden):
    _load(golden / "lei_small.xml", golden / "lei_delta.xml")
    output = _load(golden / "lei_older.xml")
    shell = LegalEntity.objects.get(lei=SHELL)
    assert (shell.legal_name, shell.registration_status) == ("SHELL PLC", "LAPSED")
    assert "1 older than the stored records, kept" in output
    assert _last_run().records_unchanged == 1


def test_invalid_lei_and_bad_field_are_rejected_with_reasons(golden):
    output = _load(golden / "lei_invalid.xml")
    assert list(LegalEntity.objects.values_list("lei", flat=True)) == [SHELL]
    run = _last_run()
    assert run.status == RunStatus.SUCCEEDED
    assert (run.records_read, run.records_inserted, run.records_rejected) == (3, 1, 2)
    reasons = {sample["record"]: sample["reason"] for sample in run.rejected_sample}
    assert reasons["LEI 549300B56MD0ZC402L07"] == "check digits fail the mod-97 test"
    bad_date = next(key for key in reasons if BLOOMBERG_INC in key)
    assert bad_date.startswith("lei_invalid.xml line ") and "LastUpdateDate" in reasons[bad_date]
    assert "mod-97" in output


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("lei_malformed.xml", "malformed XML"),
        ("lei_count_mismatch.xml", "the header announces 9 records but the file holds 7"),
        ("not_gleif.xml", "not a GLEIF golden-copy file"),
    ],
)
def test_bad_file_leaves_the_database_as_it_was(golden, name, expected):
    _load(golden / "lei_small.xml", golden / "rr_small.xml")
    LegalEntity.objects.filter(lei=SHELL).update(legal_name="CHANGED BY A CURATOR")
    before = _snapshot()
    with pytest.raises(CommandError, match=f"{name} failed: (GleifFileError: )?{name}: {expected}"):
        _load(golden / name, batch_size=2)  # batches are written before the fault is met
    assert _snapshot() == before
    run = _last_run()
    assert run.status == RunStatus.FAILED and name in run.error and expected in run.error


def test_zip_and_folder_arguments(golden, tmp_path):
    folder = tmp_path / "golden"
    folder.mkdir()
    with zipfile.ZipFile(folder / "1-lei.xml.zip", "w", zipfile.ZIP_DEFLATED) as archive:
        archive.write(golden / "lei_small.xml", "lei.xml")
    shutil.copy(golden / "rr_small.xml", folder / "2-rr.xml")
    (folder / "README.md").write_text("not loaded")
    _load(folder)
    assert LegalEntity.objects.count() == 7 and EntityRelationship.objects.count() == 7
    assert [r.file_name for r in IngestionRun.objects.order_by("id")] == ["1-lei.xml.zip", "2-rr.xml"]


def test_small_batches_give_the_same_result(golden, tmp_path):
    """Batches cut anywhere (and a record repeated across batches) end where one batch ends."""
    text = (golden / "lei_small.xml").read_text()
    doubled = tmp_path / "doubled.xml"
    head, _, rest = text.partition("<lei:LEIRecords>")
    body, _, tail = rest.partition("</lei:LEIRecords>")
    doubled.write_text(
        head.replace("<lei:RecordCount>7", "<lei:RecordCount>14")
        + "<lei:LEIRecords>"
        + body * 2
        + "</lei:LEIRecords>"
        + tail
    )
    counts = LoadCounts()
    with transaction.atomic():
        gleif_file_records_load(doubled, counts, batch_size=3)
    assert (counts.read, counts.inserted, counts.unchanged) == (14, 7, 7)
    one_batch = _snapshot()
    LegalEntity.objects.all().delete()
    _load(golden / "lei_small.xml")
    assert _snapshot() == one_batch


def test_parent_chain_walks_to_the_ultimate_parent_and_children_by_kind(golden):
    _load(golden / "lei_small.xml", golden / "rr_small.xml")
    chain = entity_parent_chain(BLOOMBERG_FINANCE)
    assert [(link.lei, link.relationship_type) for link in chain] == [(BLOOMBERG_LP, DIRECT), (BLOOMBERG_INC, ULTIMATE)]
    assert chain[-1].entity.legal_name == "Bloomberg Inc."
    # direct parent and ultimate parent are the same entity: one step
    assert [link.lei for link in entity_parent_chain(APPLE_ENERGY)] == [APPLE]
    assert entity_parent_chain(SHELL) == []

    children = list(entity_children(SHELL, "direct"))
    assert len(children) == 3 and all(rel.relationship_type == DIRECT for rel in children)
    assert not LegalEntity.objects.filter(lei__in=[rel.child_id for rel in children]).exists()  # not loaded
    assert list(entity_children(SHELL, "ultimate")) == []
    with pytest.raises(ValueError, match="kind must be one of"):
        entity_children(SHELL, "sideways")


def test_parent_chain_follows_several_direct_steps():
    from entities.services import entity_relationship_upsert_batch
    from ingestion.parsers.gleif_records import RelationshipRecord

    # Bloomberg Finance -> Bloomberg L.P. -> Bloomberg Inc. as direct links (the second one built for the test)
    records = [
        RelationshipRecord(BLOOMBERG_FINANCE, BLOOMBERG_LP, DIRECT, "ACTIVE"),
        RelationshipRecord(BLOOMBERG_LP, BLOOMBERG_INC, DIRECT, "ACTIVE"),
        RelationshipRecord(BLOOMBERG_INC, BLOOMBERG_FINANCE, DIRECT, "ACTIVE"),  # a cycle must not loop
        RelationshipRecord(BLOOMBERG_FINANCE, BLOOMBERG_INC, ULTIMATE, "ACTIVE"),
    ]
    assert entity_relationship_upsert_batch([gleif_values(record) for record in records]).inserted == 4
    assert [link.lei for link in entity_parent_chain(BLOOMBERG_FINANCE)] == [BLOOMBERG_LP, BLOOMBERG_INC]


def test_batch_sizes_respect_sql_server_limits():
    columns = len(LegalEntity._meta.concrete_fields)
    rows = sql_batch_size(columns)
    assert rows * columns <= 2100 and rows <= 1000
    assert sql_batch_size(1) <= 1000


def test_sample_folder_loads_every_record():
    samples = Path(__file__).resolve().parents[2] / "samples" / "gleif"
    output = _load(samples)
    files = sorted(samples.glob("*.xml"))
    expected = sum(_count(f, tag) for f in files for tag in ("LEIRecord", "RelationshipRecord", "Exception"))
    assert f"files {len(files)}, records read {expected}, inserted {expected}" in output
    assert LegalEntity.objects.filter(lei=SHELL).exists()
    assert EntityRelationship.objects.filter(parent_id=SHELL, relationship_type=DIRECT).count() >= 15


def test_records_built_from_the_api_go_through_the_same_upserts(shared_data):
    """The API enrichment calls these upserts with records mapped from JSON: same idempotence, same rules."""
    import json

    from entities.services import (
        entity_relationship_upsert_batch,
        legal_entity_upsert_batch,
        reporting_exception_upsert_batch,
    )
    from ingestion.sources.gleif import (
        lei_record_from_json,
        relationship_record_from_json,
        reporting_exception_from_json,
    )

    api = shared_data / "gleif" / "api"
    entities = [
        lei_record_from_json(r) for r in json.loads((api / "lei_records/multi_lei_records.json").read_text())["data"]
    ]
    relationships = [
        relationship_record_from_json(r)
        for r in json.loads((api / "relationships/direct-child-relationships_529900GRZ2BQY5ZM9N49.json").read_text())[
            "data"
        ]
    ]
    exception = reporting_exception_from_json(
        json.loads(
            (api / "reporting_exceptions/direct-parent-reporting-exception_335800CCCPHKUOXPC332.json").read_text()
        )["data"]
    )
    # The upserts take plain values: the caller maps the client's records, as the enrichment does.
    entities = [gleif_values(record) for record in entities]
    relationships = [gleif_values(record) for record in relationships]
    exception = gleif_values(exception)
    first = [
        legal_entity_upsert_batch(entities),
        entity_relationship_upsert_batch(relationships),
        reporting_exception_upsert_batch([exception]),
    ]
    assert [c.inserted for c in first] == [len(entities), len(relationships), 1]
    again = [
        legal_entity_upsert_batch(entities),
        entity_relationship_upsert_batch(relationships),
        reporting_exception_upsert_batch([exception]),
    ]
    assert [(c.inserted, c.updated, c.unchanged) for c in again] == [
        (0, 0, len(entities)),
        (0, 0, len(relationships)),
        (0, 0, 1),
    ]
    assert ReportingException.objects.get(entity_id="335800CCCPHKUOXPC332").reason == "NATURAL_PERSONS"
    assert EntityRelationship.objects.filter(parent_id="529900GRZ2BQY5ZM9N49").count() == len(relationships)
