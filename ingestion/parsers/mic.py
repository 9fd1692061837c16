"""ISO 10383 MIC registry CSV (the 17-column layout used since 2022) into plain records."""

import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, fields
from datetime import date

from marketdata.identifiers import mic_error

# Header of the current layout, in file order, and the record field each column fills.
COLUMNS = {
    "MIC": "mic",
    "OPERATING MIC": "operating_mic",
    "OPRT/SGMT": "kind",
    "MARKET NAME-INSTITUTION DESCRIPTION": "market_name",
    "LEGAL ENTITY NAME": "legal_entity_name",
    "LEI": "lei",
    "MARKET CATEGORY CODE": "market_category",
    "ACRONYM": "acronym",
    "ISO COUNTRY CODE (ISO 3166)": "country",
    "CITY": "city",
    "WEBSITE": "website",
    "STATUS": "status",
    "CREATION DATE": "creation_date",
    "LAST UPDATE DATE": "last_update_date",
    "LAST VALIDATION DATE": "last_validation_date",
    "EXPIRY DATE": "expiry_date",
    "COMMENTS": "comments",
}
DATE_FIELDS = ("creation_date", "last_update_date", "last_validation_date", "expiry_date")
KINDS = ("OPRT", "SGMT")
STATUSES = ("ACTIVE", "UPDATED", "EXPIRED")
# Columns that only the pre-2022 layout has (it had 13 columns: COUNTRY, O/S, STATUS DATE, ...).
PRE_2022_COLUMNS = ("O/S", "COUNTRY", "STATUS DATE", "NAME-INSTITUTION DESCRIPTION")


class MicFormatError(ValueError):
    """A MIC file that is not the current ISO 10383 CSV layout."""


@dataclass
class MicRecord:
    """One row of the ISO 10383 registry."""

    mic: str
    operating_mic: str
    kind: str
    market_name: str
    legal_entity_name: str = ""
    lei: str = ""
    market_category: str = ""
    acronym: str = ""
    country: str = ""
    city: str = ""
    website: str = ""
    status: str = ""
    creation_date: date | None = None
    last_update_date: date | None = None
    last_validation_date: date | None = None
    expiry_date: date | None = None
    comments: str = ""


RECORD_FIELDS = tuple(field.name for field in fields(MicRecord))


@dataclass
class MicRejection:
    """A row that could not be read, with its line number and why."""

    line: int
    mic: str
    reason: str


def _parse_date(value: str) -> date | None:
    """YYYYMMDD (as the registry writes dates) to a date; empty is None."""
    value = value.strip()
    if not value:
        return None
    if len(value) != 8 or not value.isdigit():
        raise ValueError(f"date {value!r} is not YYYYMMDD")
    return date(int(value[:4]), int(value[4:6]), int(value[6:]))


def mic_header_check(header: list[str], source: str) -> None:
    """Raise MicFormatError naming what is wrong when a header is not the current 17-column layout."""
    names = [name.strip().lstrip("\ufeff").upper() for name in header]
    if "OPRT/SGMT" not in names and any(name in names for name in PRE_2022_COLUMNS):
        old = ", ".join(name for name in PRE_2022_COLUMNS if name in names)
        raise MicFormatError(
            f"{source}: this is the pre-2022 ISO 10383 layout (it has {old}); the registry has used the "
            f"17-column layout ({', '.join(COLUMNS)}) since 2022: download the current file"
        )
    missing = [name for name in COLUMNS if name not in names]
    if missing:
        raise MicFormatError(f"{source}: missing column(s) {', '.join(missing)} in the header")


def _row_record(row: dict) -> MicRecord:
    """One CSV row (header name -> text) to a MicRecord, or ValueError saying which field is wrong."""
    values = {field: (row.get(column) or "").strip() for column, field in COLUMNS.items()}
    for field in ("mic", "operating_mic"):
        error = mic_error(values[field])
        if error:
            raise ValueError(f"{field.upper().replace('_', ' ')} {values[field]!r}: {error}")
    if values["kind"] not in KINDS:
        raise ValueError(f"OPRT/SGMT {values['kind']!r} is neither OPRT nor SGMT")
    if values["status"] not in STATUSES:
        raise ValueError(f"STATUS {values['status']!r} is not one of {', '.join(STATUSES)}")
    if len(values["country"]) != 2:
        raise ValueError(f"ISO COUNTRY CODE {values['country']!r} is not 2 letters")
    for field in DATE_FIELDS:
        try:
            values[field] = _parse_date(values[field])
        except ValueError as error:
            raise ValueError(f"{field.upper().replace('_', ' ')}: {error}") from None
    return MicRecord(**values)


def mic_rows_parse(lines: Iterable[str], source: str = "MIC file") -> Iterator[MicRecord | MicRejection]:
    """Read ISO 10383 CSV lines into MicRecords; rows that fail a check come out as MicRejections."""
    reader = csv.reader(lines)
    try:
        header = next(reader)
    except StopIteration:
        raise MicFormatError(f"{source}: the file is empty") from None
    mic_header_check(header, source)
    names = [name.strip().lstrip("\ufeff").upper() for name in header]
    for row in reader:
        if not any(cell.strip() for cell in row):
            continue
        line = reader.line_num
        values = dict(zip(names, row, strict=False))
        try:
            yield _row_record(values)
        except ValueError as error:
            yield MicRejection(line=line, mic=(values.get("MIC") or "").strip(), reason=str(error))


def mic_file_parse(data: bytes | str, source: str = "MIC file") -> Iterator[MicRecord | MicRejection]:
    """Parse the whole MIC CSV given as bytes (UTF-8, with or without BOM) or text."""
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise MicFormatError(f"{source}: not UTF-8 text ({error})") from None
    return mic_rows_parse(io.StringIO(data, newline=""), source)
