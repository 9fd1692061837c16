"""ISO 10383 CSV parser: current layout, old layout and missing columns rejected by name, bad rows rejected."""

import csv
from datetime import date

import pytest

from ingestion.parsers.mic import MicFormatError, MicRecord, MicRejection, mic_file_parse


def _parsed(path):
    return list(mic_file_parse(path.read_bytes(), path.name))


def test_current_layout_reads_every_row_with_dates(fixtures_dir):
    path = fixtures_dir / "mic" / "mic_small.csv"
    items = _parsed(path)
    with open(path, encoding="utf-8", newline="") as handle:
        rows = {row["MIC"]: row for row in csv.DictReader(handle)}
    assert all(isinstance(item, MicRecord) for item in items)
    assert {item.mic for item in items} == set(rows)
    mtaa = next(item for item in items if item.mic == "MTAA")
    assert (mtaa.operating_mic, mtaa.kind, mtaa.country) == ("XMIL", "SGMT", "IT")
    assert mtaa.market_name == rows["MTAA"]["MARKET NAME-INSTITUTION DESCRIPTION"]
    assert mtaa.creation_date == date(2007, 9, 24)
    assert mtaa.expiry_date is None


def test_pre_2022_layout_is_rejected_naming_its_columns(fixtures_dir):
    with pytest.raises(MicFormatError) as error:
        _parsed(fixtures_dir / "mic" / "mic_pre2022_layout.csv")
    message = str(error.value)
    assert "mic_pre2022_layout.csv" in message
    assert "pre-2022" in message
    assert "O/S" in message and "STATUS DATE" in message


def test_missing_columns_are_named(fixtures_dir):
    with pytest.raises(MicFormatError) as error:
        _parsed(fixtures_dir / "mic" / "mic_missing_columns.csv")
    message = str(error.value)
    assert "mic_missing_columns.csv" in message
    assert "LEI" in message and "MARKET CATEGORY CODE" in message
    assert "CITY" not in message


def test_empty_file_is_a_format_error():
    with pytest.raises(MicFormatError, match="empty"):
        list(mic_file_parse(b"", "empty.csv"))


def test_bad_rows_are_rejected_with_line_and_reason_and_bom_crlf_accepted(fixtures_dir):
    items = _parsed(fixtures_dir / "mic" / "mic_bad_rows.csv")
    records = [item for item in items if isinstance(item, MicRecord)]
    rejections = {item.line: item for item in items if isinstance(item, MicRejection)}
    assert [record.mic for record in records] == ["FRAV", "XMAL", "SEED"]
    assert sorted(rejections) == [5, 6, 7]
    assert "XP-R" in rejections[5].reason and "MIC" in rejections[5].reason
    assert rejections[6].mic == "XETR" and "LAST UPDATE DATE" in rejections[6].reason
    assert rejections[7].mic == "XFRA" and "STATUS" in rejections[7].reason
