"""Stream FIRDS records out of a zip or XML file with lxml iterparse, clearing as it goes."""

import os
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager

from lxml import etree

from ..files import DEFAULT_LIMITS, XmlLimitError, XmlLimits, doctype_problem, limit_reason, xml_streams
from ..xml import element_close, element_tree, local_name
from .extract import FieldError, record_from_tree, text
from .records import RECORD_TAGS, FirdsFileInfo, FirdsRecord

# Report element (first child of Document) -> report kind.
REPORTS = {
    "FinInstrmRptgRefDataRpt": "FULINS",
    "FinInstrmRptgRefDataDltaRpt": "DLTINS",
    "FinInstrmRptgCxlRpt": "FULCAN",
    "FinInstrmRptgCancRpt": "FULCAN",
}
_WATCHED = [f"{{*}}{tag}" for tag in (*RECORD_TAGS, *REPORTS, "RptHdr", "RptgPrd", "MsgDefIdr", "BizMsgIdr")]


class FirdsFileError(Exception):
    """A file that cannot be read as FIRDS: names the file and where in it reading stopped."""

    def __init__(self, file_name: str, reason: str, *, line: int = 0, record: int = 0):
        self.file_name = file_name
        self.reason = reason
        self.line = line
        self.record = record
        where = []
        if line:
            where.append(f"line {line}")
        where.append(f"after record {record}" if record else "before the first record")
        super().__init__(f"{file_name}: {reason} ({', '.join(where)})")


@contextmanager
def open_xml_stream(path: str | os.PathLike, limits: XmlLimits = DEFAULT_LIMITS):
    """Yield (display name, LimitedStream) of the XML in a .zip (its first .xml member) or of an .xml file."""
    with xml_streams(path, FirdsFileError, limits) as streams:
        yield next(streams)


def iter_records(
    path: str | os.PathLike, info: FirdsFileInfo | None = None, limits: XmlLimits = DEFAULT_LIMITS
) -> Iterator[FirdsRecord]:
    """Yield every record of a FIRDS file in order; raise FirdsFileError on file-level faults.

    `info`, when given, is filled in with what the envelope says (message type, report kind). `limits`
    caps the XML's size, its zip ratio and one record's bytes (lxml's huge_tree only runs under them).
    """
    return map(record_build, iter_record_items(path, info, limits))


def record_build(item) -> FirdsRecord:
    """The FirdsRecord of one (record type, number, line, tree) that iter_record_items gives; a value that does not
    parse makes a record with its `error` set (rejected, the file goes on)."""
    record_type, number, line, tree = item
    try:
        return record_from_tree(tree, record_type, number, line)
    except FieldError as error:
        general = tree.get("FinInstrmGnlAttrbts") or {}
        record = FirdsRecord(record_type, number, line, isin=text(general.get("Id")), attributes=tree)
        record.error = str(error)
        return record


def iter_record_items(
    path: str | os.PathLike, info: FirdsFileInfo | None = None, limits: XmlLimits = DEFAULT_LIMITS
) -> Iterator[tuple]:
    """Yield (record type, number, line, tree) for every record of a FIRDS file in order: iter_records before the
    fields are read from the tree (the part of parsing that runs in the reader's process)."""
    info = info if info is not None else FirdsFileInfo()
    number = 0
    line = 0
    record_line = 0  # where the record being read started (0 between records)
    doctype_checked = False
    with open_xml_stream(path, limits) as (name, stream):
        mark = stream.mark
        context = etree.iterparse(
            stream, events=("start", "end"), tag=_WATCHED, huge_tree=True, remove_comments=True, resolve_entities=False
        )
        try:
            for event, element in context:
                mark()
                tag = local_name(element.tag)
                if event == "start":
                    if not doctype_checked:
                        doctype_checked = True
                        problem = doctype_problem(element)
                        if problem:
                            raise FirdsFileError(name, problem, line=element.sourceline or 0)
                    if tag in RECORD_TAGS:
                        record_line = element.sourceline or 0
                    elif tag in REPORTS:
                        info.report = REPORTS[tag]
                        namespace = element.tag[1:].partition("}")[0]
                        info.message_type = info.message_type or namespace.rpartition(":")[2]
                    elif tag == "RptHdr" and not info.report:
                        parent = element.getparent()
                        parent_name = local_name(parent.tag) if parent is not None else "(none)"
                        raise FirdsFileError(
                            name,
                            f"wrong message type: {parent_name} is not a FIRDS instrument report "
                            f"(expected one of {', '.join(REPORTS)})",
                            line=element.sourceline or 0,
                        )
                    continue
                record_type = RECORD_TAGS.get(tag)
                if record_type is None:
                    if tag == "MsgDefIdr":
                        info.message_type = (element.text or "").strip()
                    elif tag == "BizMsgIdr":
                        info.business_message_id = (element.text or "").strip()
                    elif tag == "RptgPrd" and not info.reporting_date:
                        period = element_tree(element)
                        span = period.get("FrDtToDt") or {}
                        info.reporting_date = text(period.get("Dt") or span.get("ToDt") or span.get("FrDt"))
                    continue
                if not info.report:
                    raise FirdsFileError(
                        name, f"wrong message type: {tag} outside a FIRDS report", line=element.sourceline or 0
                    )
                number += 1
                line = element.sourceline or 0
                tree = element_tree(element)
                element_close(element)
                record_line = 0
                yield record_type, number, line, tree
        except XmlLimitError as error:
            raise FirdsFileError(
                name, limit_reason(error, number, record_line), line=error.line, record=number
            ) from None
        except etree.XMLSyntaxError as error:
            raise FirdsFileError(
                name, f"malformed XML: {error.msg}", line=error.lineno or line, record=number
            ) from None
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as error:
            raise FirdsFileError(name, f"zip data truncated or corrupt: {error}", line=line, record=number) from None
        if not info.report:
            root = context.root
            root_name = local_name(root.tag) if root is not None else "(none)"
            raise FirdsFileError(name, f"wrong message type: root element {root_name} holds no FIRDS instrument report")
