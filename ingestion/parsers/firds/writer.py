"""Write FIRDS records (attribute trees) as ESMA-shaped ISO 20022 XML, zipped like ESMA's files.

The inverse of the reader, for the shipped samples, the benchmark generator and test fixtures.
"""

import os
import zipfile
from collections.abc import Iterable
from contextlib import contextmanager
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

# Schema order of every element name the writer may meet (children are written in this order).
_ORDER = """
FinInstrmGnlAttrbts Issr TradgVnRltdAttrbts DebtInstrmAttrbts DerivInstrmAttrbts TechAttrbts
Id FullNm ShrtNm ClssfctnTp NtnlCcy CmmdtyDerivInd IssrReq AdmssnApprvlDtByIssr ReqForAdmssnDt FrstTradDt TermntnDt
TtlIssdNmnlAmt MtrtyDt NmnlValPerUnit IntrstRate DebtSnrty
XpryDt PricMltplr UndrlygInstrm OptnTp StrkPric OptnExrcStyle DlvryTp AsstClssSpcfcAttrbts
Swp Othr Sngl Bskt ISIN LEI Indx Nm RefRate Term Unit Val Fxd Fltg BsisPtSprd
Pric NoPric MntryVal Pctg Yld BsisPts Amt Sgn Pdg Ccy
Cmmdty Intrst FX Pdct BasePdct SubPdct AddtlSubPdct TxTp FnlPricTp FrstLegIntrstRate FxTp OthrNtnlCcy OthrLegIntrstRate
RlvntCmptntAuthrty PblctnPrd FrDtToDt FrDt ToDt RlvntTradgVn
""".split()
RANK = {name: index for index, name in enumerate(_ORDER)}

# Report kind -> (message definition, report element, record wrapper).
MESSAGES = {
    "FULINS": ("auth.017.001.02", "FinInstrmRptgRefDataRpt"),
    "DLTINS": ("auth.036.001.03", "FinInstrmRptgRefDataDltaRpt"),
    "FULCAN": ("auth.102.001.01", "FinInstrmRptgCxlRpt"),
}
DELTA_TAGS = {"NEW": "NewRcrd", "MODIFIED": "ModfdRcrd", "TERMINATED": "TermntdRcrd", "CANCELLED": "CancRcrd"}


def tree_xml(tree: dict) -> str:
    """Children of a record as XML text, in schema order (values: text, nested dicts, lists, '@attr')."""
    parts = []
    for name in sorted((key for key in tree if key[0] not in "@#"), key=lambda key: RANK.get(key, 999)):
        values = tree[name]
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


def _head(report: str, message_id: str, reporting_date: str, created: str) -> str:
    definition, root = MESSAGES[report]
    period = (
        f"<Dt>{reporting_date}</Dt>"
        if report == "DLTINS"
        else f"<FrDtToDt><FrDt>{reporting_date}</FrDt><ToDt>{reporting_date}</ToDt></FrDtToDt>"
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<BizData xmlns="urn:iso:std:iso:20022:tech:xsd:head.003.001.01" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        '<Hdr><AppHdr xmlns="urn:iso:std:iso:20022:tech:xsd:head.001.001.01">'
        "<Fr><OrgId><Id><OrgId><Othr><Id>EU</Id></Othr></OrgId></Id></OrgId></Fr>"
        "<To><OrgId><Id><OrgId><Othr><Id>Public</Id></Othr></OrgId></Id></OrgId></To>"
        f"<BizMsgIdr>{escape(message_id)}</BizMsgIdr><MsgDefIdr>{definition}</MsgDefIdr>"
        f"<CreDt>{created}</CreDt></AppHdr></Hdr>"
        f'<Pyld><Document xmlns="urn:iso:std:iso:20022:tech:xsd:{definition}"><{root}>'
        f"<RptHdr><RptgNtty><NtlCmptntAuthrty>EU</NtlCmptntAuthrty></RptgNtty><RptgPrd>{period}</RptgPrd></RptHdr>\n"
    )


def _tail(report: str) -> str:
    return f"</{MESSAGES[report][1]}></Document></Pyld></BizData>\n"


def record_xml(report: str, tree: dict, record_type: str = "FULL") -> str:
    """One record element: RefData (FULINS), FinInstrm/<delta tag> (DLTINS) or CxlData (FULCAN)."""
    body = tree_xml(tree)
    if report == "FULINS":
        return f"<RefData>{body}</RefData>\n"
    if report == "FULCAN":
        return f"<CxlData>{body}</CxlData>\n"
    tag = DELTA_TAGS[record_type]
    return f"<FinInstrm><{tag}>{body}</{tag}></FinInstrm>\n"


@contextmanager
def _open_text(path: Path):
    """A text stream into `path`, zipped (one .xml member named after the zip) when it ends with .zip."""
    if path.suffix.lower() == ".zip":
        with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
            with archive.open(path.with_suffix(".xml").name, "w", force_zip64=True) as raw:
                buffer = _Utf8Writer(raw)
                yield buffer
                buffer.flush()
    else:
        with open(path, "w", encoding="utf-8", newline="\n") as handle:
            yield handle


class _Utf8Writer:
    """Buffers text and writes it as UTF-8 in large chunks."""

    def __init__(self, raw):
        self.raw = raw
        self.parts: list[str] = []
        self.size = 0

    def write(self, text: str) -> None:
        self.parts.append(text)
        self.size += len(text)
        if self.size > 1 << 20:
            self.flush()

    def flush(self) -> None:
        self.raw.write("".join(self.parts).encode("utf-8"))
        self.parts.clear()
        self.size = 0


def firds_file_write(
    path: str | os.PathLike,
    report: str,
    records: Iterable[dict | tuple[str, dict]],
    *,
    reporting_date: str,
    created: str | None = None,
) -> int:
    """Write a FULINS / DLTINS / FULCAN file; records are trees, or (record type, tree) for DLTINS. Returns count."""
    path = Path(path)
    count = 0
    with _open_text(path) as out:
        out.write(_head(report, path.name.split(".")[0], reporting_date, created or f"{reporting_date}T06:00:00Z"))
        for item in records:
            record_type, tree = item if isinstance(item, tuple) else ("FULL", item)
            out.write(record_xml(report, tree, record_type))
            count += 1
        out.write(_tail(report))
    return count
