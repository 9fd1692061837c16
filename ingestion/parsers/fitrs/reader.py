"""Stream FITRS transparency records out of a zip or XML file with lxml iterparse, clearing as it goes.

Namespace-agnostic: equity files (auth.044, repeated EqtyTrnsprncyData) and non-equity files (auth.045, repeated
NonEqtyTrnsprncyData) are told apart by their report element. Each record comes out whole, as nested dicts of the
element text (repeated elements as lists, attributes as '@name'), with nothing dropped.
"""

import os
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field

from lxml import etree

from ..files import DEFAULT_LIMITS, XmlLimitError, XmlLimits, doctype_problem, limit_reason, xml_streams
from ..xml import element_close, element_tree, local_name

EQUITY = "equity"
NON_EQUITY = "non_equity"
# Report element (first child of Document) -> what its records are.
REPORTS = {
    "FinInstrmRptgEqtyTradgActvtyRslt": EQUITY,  # auth.044.001.02
    "FinInstrmRptgEqtyTrnsprncyDataRpt": EQUITY,  # auth.044.001.01
    "FinInstrmRptgNonEqtyTradgActvtyRslt": NON_EQUITY,  # auth.045.001.03
    "FinInstrmRptgNonEqtyTrnsprncyDataRpt": NON_EQUITY,  # auth.045.001.01/02
}
RECORD_TAGS = {"EqtyTrnsprncyData": EQUITY, "NonEqtyTrnsprncyData": NON_EQUITY}
_WATCHED = [f"{{*}}{tag}" for tag in (*RECORD_TAGS, *REPORTS, "RptHdr", "MsgDefIdr", "BizMsgIdr")]


class FitrsFileError(Exception):
    """A file that cannot be read as FITRS: names the file and where in it reading stopped."""

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


@dataclass(slots=True)
class FitrsRecord:
    """One transparency record: its position in the file and its whole element tree."""

    number: int  # 1-based position in the file
    line: int  # line of the record's start tag
    kind: str  # EQUITY or NON_EQUITY
    tree: dict = field(default_factory=dict)


@dataclass(slots=True)
class FitrsFileInfo:
    """What a file's envelope says: message definition, record kind, header period and submission time."""

    message_type: str = ""  # e.g. auth.045.001.03 (AppHdr/MsgDefIdr, or the namespace)
    kind: str = ""  # EQUITY or NON_EQUITY
    business_message_id: str = ""
    reporting_date: str = ""  # RptHdr/RptgPrd: Dt, or the end of FrDtToDt
    submitted: str = ""  # RptHdr/SubmissnDtTm


def _text(value) -> str:
    if isinstance(value, dict):
        return value.get("#text") or ""
    return value or ""


def _header(info: FitrsFileInfo, header: dict) -> None:
    period = header.get("RptgPrd") or {}
    if isinstance(period, dict):
        span = period.get("FrDtToDt") or {}
        info.reporting_date = _text(period.get("Dt") or span.get("ToDt") or period.get("ToDt") or period.get("FrDt"))
    info.submitted = _text(header.get("SubmissnDtTm"))


def iter_records(
    path: str | os.PathLike, info: FitrsFileInfo | None = None, limits: XmlLimits = DEFAULT_LIMITS
) -> Iterator[FitrsRecord]:
    """Yield every record of a FITRS file in order; raise FitrsFileError on file-level faults.

    `info`, when given, is filled in with what the envelope says (the header comes before the first record).
    """
    return map(record_build, iter_record_items(path, info, limits))


def record_build(item) -> FitrsRecord:
    """The FitrsRecord of one (number, line, kind, tree) that iter_record_items gives."""
    return FitrsRecord(*item)


def iter_record_items(
    path: str | os.PathLike, info: FitrsFileInfo | None = None, limits: XmlLimits = DEFAULT_LIMITS
) -> Iterator[tuple]:
    """Yield (number, line, kind, tree) for every record of a FITRS file in order: iter_records as plain tuples,
    which travel cheaply from the reader's process to the preparer's."""
    info = info if info is not None else FitrsFileInfo()
    number = line = record_line = 0
    doctype_checked = False
    with xml_streams(path, FitrsFileError, limits) as streams:
        name, stream = next(streams)
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
                            raise FitrsFileError(name, problem, line=element.sourceline or 0)
                    if tag in RECORD_TAGS:
                        record_line = element.sourceline or 0
                    elif tag in REPORTS:
                        info.kind = REPORTS[tag]
                        namespace = element.tag[1:].partition("}")[0] if element.tag[0] == "{" else ""
                        info.message_type = info.message_type or namespace.rpartition(":")[2]
                    elif tag == "RptHdr" and not info.kind:
                        parent = element.getparent()
                        parent_name = local_name(parent.tag) if parent is not None else "(none)"
                        raise FitrsFileError(
                            name,
                            f"wrong message type: {parent_name} is not a FITRS transparency report "
                            f"(expected one of {', '.join(REPORTS)})",
                            line=element.sourceline or 0,
                        )
                    continue
                kind = RECORD_TAGS.get(tag)
                if kind is None:
                    if tag == "MsgDefIdr":
                        info.message_type = (element.text or "").strip()
                    elif tag == "BizMsgIdr":
                        info.business_message_id = (element.text or "").strip()
                    elif tag == "RptHdr":
                        _header(info, element_tree(element))
                        element_close(element)
                    continue
                if info.kind != kind:
                    expected = "a FITRS report" if not info.kind else f"a {info.kind.replace('_', '-')} report"
                    raise FitrsFileError(
                        name, f"wrong message type: {tag} outside {expected}", line=element.sourceline or 0
                    )
                number += 1
                line = element.sourceline or 0
                tree = element_tree(element)
                element_close(element)
                record_line = 0
                yield number, line, kind, tree
        except XmlLimitError as error:
            raise FitrsFileError(
                name, limit_reason(error, number, record_line), line=error.line, record=number
            ) from None
        except etree.XMLSyntaxError as error:
            raise FitrsFileError(
                name, f"malformed XML: {error.msg}", line=error.lineno or line, record=number
            ) from None
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as error:
            raise FitrsFileError(name, f"zip data truncated or corrupt: {error}", line=line, record=number) from None
        if not info.kind:
            root = context.root
            root_name = local_name(root.tag) if root is not None else "(none)"
            raise FitrsFileError(
                name, f"wrong message type: root element {root_name} holds no FITRS transparency report"
            )
