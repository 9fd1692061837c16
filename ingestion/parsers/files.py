"""Open a source file as XML streams, each .xml member of a .zip or the .xml file itself, within limits (no Django).

Every stream is a ``LimitedStream``: it never reads more than the zip entry declares (nor more than
``XmlLimits.max_bytes``), and it stops when more than ``XmlLimits.max_record_bytes`` pass between two
element boundaries the parser marks (one record, or the text between two records). A zip entry whose
declared size or compression ratio is over the limits is refused before a byte of it is inflated.
So a zip bomb (2 GiB of XML in 2 MB) or one huge element costs a bounded amount of memory, which is
what lets the parsers use lxml's ``huge_tree`` (no libxml2 cap on one text node) at all.
"""

import os
import zipfile
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

MiB = 1 << 20
GiB = 1 << 30


@dataclass(frozen=True)
class XmlLimits:
    """Caps on one XML file: its decompressed size, its zip compression ratio, and one record's size in bytes."""

    # Real files: a FIRDS part is ~365 MB of XML, GLEIF's full LEI-CDF golden copy several GB.
    max_bytes: int = 32 * GiB
    # Real ratios: ESMA's FIRDS zips about 10-45, GLEIF's about 10-20; 2 GiB of blanks deflate about 1,000 to 1.
    max_ratio: float = 100.0
    ratio_from_bytes: int = MiB  # smaller entries are not held to the ratio (tiny files compress unevenly)
    # Real records: a FIRDS record is 1-3 KB, a GLEIF LEIRecord a few KB (tens with many names).
    max_record_bytes: int = MiB


DEFAULT_LIMITS = XmlLimits()


class XmlLimitError(Exception):
    """A stream went past one of its XmlLimits; `line` is the line reading had reached, `per_record` which limit."""

    def __init__(self, reason: str, line: int = 0, *, per_record: bool = False):
        self.reason = reason
        self.line = line
        self.per_record = per_record
        super().__init__(reason)


class LimitedStream:
    """A binary stream that counts bytes and lines, and stops past its size or between-marks limit."""

    def __init__(self, raw, *, max_bytes: int, max_record_bytes: int, declared: bool = False):
        self._raw = raw
        self.max_bytes = max_bytes
        self.max_record_bytes = max_record_bytes
        self._declared = declared  # max_bytes is the zip entry's declared size
        self.position = 0
        self.line = 1
        self._mark = 0

    def read(self, size: int = -1) -> bytes:
        """Read like the wrapped stream; raise XmlLimitError past the total or the per-record limit."""
        data = self._raw.read(size)
        self.position += len(data)
        self.line += data.count(b"\n")
        if self.position > self.max_bytes:
            what = "the size its zip entry declares" if self._declared else "the limit"
            raise XmlLimitError(f"the XML is larger than {self.max_bytes} bytes ({what})", self.line)
        if self.position - self._mark > self.max_record_bytes:
            raise XmlLimitError(
                f"more than {self.max_record_bytes} bytes without an element boundary", self.line, per_record=True
            )
        return data

    def mark(self) -> None:
        """Note an element boundary the parser reached: the per-record count starts again here."""
        self._mark = self.position

    def close(self) -> None:
        """Close the wrapped stream."""
        self._raw.close()


def limited(stream, limits: XmlLimits = DEFAULT_LIMITS) -> LimitedStream:
    """A stream as a LimitedStream (unchanged when it is one already)."""
    if isinstance(stream, LimitedStream):
        return stream
    return LimitedStream(stream, max_bytes=limits.max_bytes, max_record_bytes=limits.max_record_bytes)


def doctype_problem(element) -> str | None:
    """Why a document's DOCTYPE is refused (FIRDS and GLEIF files have none; entities would go unexpanded)."""
    docinfo = element.getroottree().docinfo
    if not docinfo.doctype:
        return None
    dtd = docinfo.internalDTD
    entities = sorted(entity.name for entity in dtd.iterentities()) if dtd is not None else []
    declared = f" declaring the entities {', '.join(entities[:5])}" if entities else ""
    return f"the file has a DOCTYPE{declared}; source files have none, and their entities are not expanded: refused"


def limit_reason(error: XmlLimitError, number: int, record_line: int) -> str:
    """What went past a limit, for a file error: the record being read, the text between records, or the file."""
    if not error.per_record:
        return error.reason
    if record_line:
        return f"record {number + 1} (from line {record_line}) is too large: {error.reason}"
    where = f"after record {number}" if number else "before the first record"
    return f"the text {where} is too large: {error.reason}"


def zip_member_problem(info: zipfile.ZipInfo, limits: XmlLimits) -> str | None:
    """Why a zip entry is refused before inflating it (declared size or compression ratio), or None."""
    if info.file_size > limits.max_bytes:
        return f"{info.filename} declares {info.file_size} bytes of XML, more than the {limits.max_bytes} allowed"
    if info.file_size > limits.ratio_from_bytes:
        ratio = info.file_size / max(info.compress_size, 1)
        if ratio > limits.max_ratio:
            return (
                f"{info.filename} declares {info.file_size} bytes from {info.compress_size} compressed "
                f"(ratio {ratio:.0f} to 1, more than {limits.max_ratio:g}): refused as a possible zip bomb"
            )
    return None


@contextmanager
def xml_streams(path: str | os.PathLike, error: type[Exception], limits: XmlLimits = DEFAULT_LIMITS):
    """Yield an iterator of (display name, LimitedStream); faults raise `error(file name, reason)`."""
    path = Path(path)
    name = path.name
    if not path.exists():
        raise error(name, "file not found")
    if path.stat().st_size == 0:
        raise error(name, "file is empty")
    if zipfile.is_zipfile(path) or path.suffix.lower() == ".zip":
        try:
            archive = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, OSError) as fault:
            raise error(name, f"not a readable zip, truncated or corrupt ({fault})") from None
        with archive:
            members = [info for info in archive.infolist() if info.filename.lower().endswith(".xml")]
            if not members:
                raise error(name, "zip holds no .xml file")

            def streams():
                for member in members:
                    problem = zip_member_problem(member, limits)
                    if problem:
                        raise error(name, problem)
                    with archive.open(member) as stream:
                        yield (
                            f"{name}:{member.filename}",
                            LimitedStream(
                                stream,
                                max_bytes=member.file_size,
                                max_record_bytes=limits.max_record_bytes,
                                declared=True,
                            ),
                        )

            yield streams()
    else:
        size = path.stat().st_size
        if size > limits.max_bytes:
            raise error(name, f"the file has {size} bytes of XML, more than the {limits.max_bytes} allowed")
        with open(path, "rb") as stream:
            yield iter([(name, limited(stream, limits))])
