"""GLEIF golden-copy parser: LEI-CDF, RR-CDF, repex; xml and zip; any namespace; clear errors with positions."""

import json
import zipfile
from datetime import UTC, datetime

import pytest

from ingestion.parsers.gleif import (
    LEI_CDF,
    REPEX,
    RR_CDF,
    GleifFileError,
    GleifHeader,
    GleifRejection,
    gleif_open,
    gleif_stream_parse,
)
from ingestion.parsers.gleif_records import LeiRecord, RelationshipRecord, ReportingExceptionRecord


def _parse(path):
    items = []
    with gleif_open(path) as streams:
        for name, stream in streams:
            items.extend(gleif_stream_parse(stream, name))
    return items


def _records(items):
    return [record for item in items if isinstance(item, tuple) for record in [item[1]]]


@pytest.fixture
def golden(fixtures_dir):
    return fixtures_dir / "gleif_golden"


def test_real_lei_cdf_2016_namespace_export(shared_data):
    path = next((shared_data / "gleif" / "golden-copy").glob("lei-cdf_*.xml"))
    header, (line, record) = _parse(path)
    assert header == GleifHeader(
        kind=LEI_CDF, content_date=datetime(2021, 7, 22, 8, tzinfo=UTC), file_content="QUERY_RESPONSE", record_count=1
    )
    assert isinstance(record, LeiRecord)
    assert record.lei == "529900W18LQJJN6SJ336"
    assert (record.legal_name, record.legal_name_language) == ("Société Générale Effekten GmbH", "de-DE")
    assert record.legal_address["addressLines"] == ["Neue Mainzer Straße 46-50"]
    assert record.legal_address["country"] == "DE" and record.legal_address["region"] == "DE-HE"
    assert (record.jurisdiction, record.legal_form_code, record.entity_status) == ("DE", "2HBR", "ACTIVE")
    assert (record.registration_status, record.managing_lou) == ("ISSUED", "5299000J2N45DDNE4Y28")
    assert record.corroboration_level == "FULLY_CORROBORATED"
    assert record.last_update_date == datetime(2021, 7, 19, 5, 7, 28, tzinfo=UTC)
    # the whole record is kept, namespace-free, JSON-ready
    assert record.record["Entity"]["RegistrationAuthority"]["RegistrationAuthorityEntityID"] == "HRB 32283"
    assert json.loads(json.dumps(record.record)) == record.record


def test_lei_cdf_matches_the_api_record_it_was_built_from(golden, shared_data):
    api = json.loads((shared_data / "gleif/api/lei_records/single_lei_record_21380068P1DRHMJ8KU70.json").read_text())
    entity = api["data"]["attributes"]["entity"]
    records = {r.lei: r for r in _records(_parse(golden / "lei_small.xml"))}
    shell = records["21380068P1DRHMJ8KU70"]
    assert shell.legal_name == entity["legalName"]["name"]
    assert shell.other_names == [
        {"name": n["name"], "language": n["language"], "type": n["type"]} for n in entity["otherNames"]
    ]
    for key in ("addressLines", "city", "region", "country", "postalCode"):
        assert shell.legal_address[key] == entity["legalAddress"][key]
    assert shell.category == entity["category"] and shell.legal_form_code == entity["legalForm"]["id"]


def test_rr_cdf_gives_relationships_with_periods(golden):
    items = _parse(golden / "rr_small.xml")
    assert items[0].kind == RR_CDF and items[0].record_count == 7
    records = _records(items)
    assert all(isinstance(r, RelationshipRecord) for r in records)
    direct = next(
        r for r in records if r.child_lei == "549300YX4S1LLSMK2627" and r.relationship_type.startswith("IS_DIR")
    )
    assert direct.parent_lei == "HWUPKR0MPOU8FGXBT394"
    assert direct.relationship_status == "ACTIVE"
    assert {"startDate": "2018-04-10T00:00:00Z", "type": "RELATIONSHIP_PERIOD"} in direct.periods
    accounting = [p for p in direct.periods if p["type"] == "ACCOUNTING_PERIOD"]
    assert accounting and all("endDate" in p for p in accounting)
    assert direct.start_date == datetime(2018, 4, 10, tzinfo=UTC) and direct.end_date is None
    assert direct.registration_status == "PUBLISHED"


def test_repex_gives_exceptions_with_reasons(golden):
    items = _parse(golden / "repex_small.xml")
    assert items[0].kind == REPEX
    records = _records(items)
    assert all(isinstance(r, ReportingExceptionRecord) for r in records)
    reasons = {(r.lei, r.category): r.reason for r in records}
    assert reasons[("335800CCCPHKUOXPC332", "DIRECT_ACCOUNTING_CONSOLIDATION_PARENT")] == "NATURAL_PERSONS"
    assert reasons[("INR2EJN1ERAN0W5ZP974", "ULTIMATE_ACCOUNTING_CONSOLIDATION_PARENT")] == "NON_CONSOLIDATING"


def test_delta_header_and_records(golden):
    header, *rest = _parse(golden / "lei_delta.xml")
    assert header.file_content == "GLEIF_DELTA_PUBLISHED"
    assert header.delta_start == datetime(2025, 5, 15, 8, tzinfo=UTC)
    assert [r.registration_status for r in _records(rest)] == ["LAPSED", "ISSUED"]


def test_zip_holding_the_xml_reads_the_same(golden, tmp_path):
    archive = tmp_path / "20250515-0800-gleif-goldencopy-lei2-golden-copy.xml.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as handle:
        handle.write(golden / "lei_small.xml", "20250515-0800-gleif-goldencopy-lei2-golden-copy.xml")
    assert _records(_parse(archive)) == _records(_parse(golden / "lei_small.xml"))


def test_other_namespace_is_accepted(golden, tmp_path):
    text = (golden / "repex_small.xml").read_text().replace("repex/2016", "repex/2021")
    (tmp_path / "repex.xml").write_text(text)
    assert len(_records(_parse(tmp_path / "repex.xml"))) == 7


def test_bad_field_is_a_rejection_with_line(golden):
    records = _records(_parse(golden / "lei_invalid.xml"))
    rejection = next(r for r in records if isinstance(r, GleifRejection))
    assert rejection.key == "549300RMUDWPHCUQNE66"
    assert "LastUpdateDate" in rejection.reason and "20 May 2025" in rejection.reason
    assert rejection.line > 1


def test_malformed_xml_names_file_line_and_record(golden):
    with pytest.raises(GleifFileError) as error:
        _parse(golden / "lei_malformed.xml")
    message = str(error.value)
    assert message.startswith("lei_malformed.xml: malformed XML")
    assert error.value.line > 0 and error.value.record >= 1
    assert f"line {error.value.line}" in message


def test_wrong_document_is_named(golden):
    with pytest.raises(GleifFileError, match=r"not_gleif.xml: not a GLEIF golden-copy file: <Document>"):
        _parse(golden / "not_gleif.xml")


def test_truncated_zip_is_a_clear_error(golden, tmp_path):
    archive = tmp_path / "rr.xml.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as handle:
        handle.write(golden / "rr_small.xml", "rr.xml")
    data = archive.read_bytes()
    archive.write_bytes(data[: len(data) // 2])
    with pytest.raises(GleifFileError, match="rr.xml.zip: "):
        _parse(archive)


def test_empty_and_missing_files(tmp_path):
    (tmp_path / "empty.xml").write_bytes(b"")
    with pytest.raises(GleifFileError, match="empty.xml: file is empty"):
        _parse(tmp_path / "empty.xml")
    with pytest.raises(GleifFileError, match="missing.xml: file not found"):
        _parse(tmp_path / "missing.xml")
