"""GLEIF's ISIN-to-LEI mapping file (``isin-lei-<timestamp>.csv``, zipped as GLEIF publishes it): ``LEI,ISIN`` lines.

Streamed line by line (7M+ lines in the real file); no Django here.
"""

import csv
import io
import os
import zipfile
from collections.abc import Iterator
from pathlib import Path

from .files import DEFAULT_LIMITS, zip_member_problem
from .gleif import GleifFileError


def isin_lei_pairs(path: str | os.PathLike) -> Iterator[tuple[str, str, str]]:
    """(label, ISIN, LEI) for each line of the mapping (a .csv, or a .zip holding one); GleifFileError on a file
    that is not one (no LEI and ISIN columns, not a readable zip, an entry too large or too compressed)."""
    path = Path(path)
    name = path.name
    if not path.is_file():
        raise GleifFileError(name, "file not found")
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            members = [info for info in archive.infolist() if info.filename.lower().endswith(".csv")]
            if not members:
                raise GleifFileError(name, "zip holds no .csv file")
            problem = zip_member_problem(members[0], DEFAULT_LIMITS)
            if problem:
                raise GleifFileError(name, problem)
            with archive.open(members[0]) as raw:
                yield from _pairs(io.TextIOWrapper(raw, encoding="utf-8-sig", newline=""), name)
    else:
        with open(path, encoding="utf-8-sig", newline="") as text:
            yield from _pairs(text, name)


def _pairs(text, name: str) -> Iterator[tuple[str, str, str]]:
    """The lines after the header, as (label, ISIN, LEI)."""
    reader = csv.reader(text)
    try:
        header = [column.strip().upper() for column in next(reader, [])]
    except (csv.Error, UnicodeDecodeError) as error:
        raise GleifFileError(name, f"not a CSV file: {error}", line=1) from None
    if "LEI" not in header or "ISIN" not in header:
        raise GleifFileError(
            name, f"not GLEIF's ISIN-LEI mapping: the header {','.join(header)[:80]!r} lacks LEI and ISIN", line=1
        )
    lei_at, isin_at = header.index("LEI"), header.index("ISIN")
    try:
        for row in reader:
            if not row:
                continue
            cell = dict(enumerate(row))
            yield f"line {reader.line_num}", cell.get(isin_at, ""), cell.get(lei_at, "")
    except (csv.Error, UnicodeDecodeError) as error:
        raise GleifFileError(name, f"unreadable CSV: {error}", line=reader.line_num) from None
