"""Write FITRS records (element trees) as ESMA-shaped ISO 20022 XML, zipped like ESMA's files.

The inverse of the reader, for the shipped samples, the benchmark generator and test fixtures. Trees are written
in their own key order (build them in schema order); '@name' keys are attributes, '#text' the text beside them.
"""

import os
from collections.abc import Iterable
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

from ..firds.writer import _open_text
from .reader import EQUITY

# Record kind -> (message definition, report element, record element).
MESSAGES = {
    EQUITY: ("auth.044.001.02", "FinInstrmRptgEqtyTradgActvtyRslt", "EqtyTrnsprncyData"),
    "non_equity": ("auth.045.001.03", "FinInstrmRptgNonEqtyTradgActvtyRslt", "NonEqtyTrnsprncyData"),
}


def tree_xml(tree: dict) -> str:
    """Children of a record as XML text, in the tree's own order (values: text, nested dicts, lists, '@attr')."""
    parts = []
    for name, values in tree.items():
        if name[0] in "@#":
            continue
        for value in values if isinstance(values, list) else [values]:
            attributes = ""
            if isinstance(value, dict):
                attributes = "".join(f" {key[1:]}={quoteattr(item)}" for key, item in value.items() if key[0] == "@")
                if "#text" in value:
                    value = value["#text"]
            if isinstance(value, dict):
                parts.append(f"<{name}{attributes}>{tree_xml(value)}</{name}>")
            else:
                parts.append(f"<{name}{attributes}>{escape(str(value))}</{name}>")
    return "".join(parts)


def _head(kind: str, message_id: str, reporting_date: str, created: str) -> str:
    definition, report, _ = MESSAGES[kind]
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<BizData xmlns="urn:iso:std:iso:20022:tech:xsd:head.003.001.01" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        '<Hdr><AppHdr xmlns="urn:iso:std:iso:20022:tech:xsd:head.001.001.01">'
        "<Fr><OrgId><Id><OrgId><Othr><Id>EU</Id></Othr></OrgId></Id></OrgId></Fr>"
        "<To><OrgId><Id><OrgId><Othr><Id>Public</Id></Othr></OrgId></Id></OrgId></To>"
        f"<BizMsgIdr>{escape(message_id)}</BizMsgIdr><MsgDefIdr>{definition}</MsgDefIdr>"
        f"<CreDt>{created}</CreDt></AppHdr></Hdr>"
        f'<Pyld><Document xmlns="urn:iso:std:iso:20022:tech:xsd:{definition}"><{report}>'
        "<RptHdr><RptgNtty><NtlCmptntAuthrty>EU</NtlCmptntAuthrty></RptgNtty>"
        f"<RptgPrd><Dt>{reporting_date}</Dt></RptgPrd><SubmissnDtTm>{created}</SubmissnDtTm></RptHdr>\n"
    )


def fitrs_file_write(
    path: str | os.PathLike, kind: str, records: Iterable[dict], *, reporting_date: str, created: str | None = None
) -> int:
    """Write a FULECR/DLTECR (kind EQUITY) or FULNCR/DLTNCR (NON_EQUITY) file of record trees; returns the count."""
    path = Path(path)
    _, report, record_tag = MESSAGES[kind]
    count = 0
    with _open_text(path) as out:
        out.write(_head(kind, path.name.split(".")[0], reporting_date, created or f"{reporting_date}T06:00:00Z"))
        for tree in records:
            out.write(f"<{record_tag}>{tree_xml(tree)}</{record_tag}>\n")
            count += 1
        out.write(f"</{report}></Document></Pyld></BizData>\n")
    return count
