"""Stream GLEIF golden-copy files (LEI-CDF 3.1, RR-CDF 2.1, reporting exceptions) into plain records.

Any namespace is accepted (the golden copy uses the ``leidata/2016``, ``rr/2016`` and ``repex/2016``
namespaces whatever the format version), full files and deltas alike, as ``.xml`` or inside a ``.zip``.
"""

import os
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from lxml import etree

from .files import DEFAULT_LIMITS, XmlLimitError, XmlLimits, doctype_problem, limit_reason, limited, xml_streams
from .gleif_records import LeiRecord, RelationshipRecord, ReportingExceptionRecord
from .xml import element_close, element_tree, local_name

LEI_CDF, RR_CDF, REPEX = "LEI-CDF", "RR-CDF", "REPEX"
# Root element -> (file kind, header element, record element).
DOCUMENTS = {
    "LEIData": (LEI_CDF, "LEIHeader", "LEIRecord"),
    "RelationshipData": (RR_CDF, "Header", "RelationshipRecord"),
    "ReportingExceptionData": (REPEX, "Header", "Exception"),
}
_RECORD_TAGS = {record: kind for kind, _, record in DOCUMENTS.values()}
_WATCHED = [f"{{*}}{tag}" for tag in {*DOCUMENTS, "LEIHeader", "Header", *_RECORD_TAGS}]


class GleifFileError(Exception):
    """A file that cannot be read as a GLEIF golden-copy file: names the file and where reading stopped."""

    def __init__(self, file_name: str, reason: str, *, line: int = 0, record: int = 0):
        self.file_name, self.reason, self.line, self.record = file_name, reason, line, record
        where = [f"line {line}"] if line else []
        where.append(f"after record {record}" if record else "before the first record")
        super().__init__(f"{file_name}: {reason} ({', '.join(where)})")


@dataclass
class GleifHeader:
    """What a file's header says: its kind, content date, content type and record count."""

    kind: str
    content_date: datetime | None = None
    file_content: str = ""
    record_count: int | None = None
    delta_start: datetime | None = None


@dataclass
class GleifRejection:
    """A record that could not be read, with its line and why."""

    line: int
    key: str
    reason: str


def _text(value) -> str:
    """The text of a parsed leaf (plain text or {'$': text, ...}); empty when absent."""
    if isinstance(value, dict):
        return value.get("$", "")
    if isinstance(value, list):
        return _text(value[0]) if value else ""
    return value or ""


def _as_list(value) -> list:
    """A parsed value as a list (absent -> [], single -> [it])."""
    if value in (None, ""):
        return []
    return value if isinstance(value, list) else [value]


def parse_datetime(value: str, field: str) -> datetime | None:
    """An ISO 8601 date-time (as GLEIF writes them) or None when empty; ValueError naming the field otherwise."""
    value = (value or "").strip()
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00") if value.endswith("Z") else value)
    except ValueError:
        raise ValueError(f"{field} {value!r} is not an ISO 8601 date-time") from None
    if parsed.tzinfo is None:
        raise ValueError(f"{field} {value!r} has no time zone")
    return parsed


def _address(data) -> dict:
    """A LEI-CDF address as the API shapes it (addressLines, city, region, country, postalCode, ...)."""
    if not isinstance(data, dict):
        return {}
    additional = [_text(line) for line in _as_list(data.get("AdditionalAddressLine"))]
    lines = [_text(data.get("FirstAddressLine")), *additional]
    address = {
        "language": data.get("@lang", ""),
        "addressLines": [line for line in lines if line],
        "addressNumber": _text(data.get("AddressNumber")) or None,
        "addressNumberWithinBuilding": _text(data.get("AddressNumberWithinBuilding")) or None,
        "mailRouting": _text(data.get("MailRouting")) or None,
        "city": _text(data.get("City")),
        "region": _text(data.get("Region")) or None,
        "country": _text(data.get("Country")),
        "postalCode": _text(data.get("PostalCode")) or None,
    }
    return address


def _names(items, default_type: str = "") -> list[dict]:
    """Other or transliterated names as [{'name', 'language', 'type'}]."""
    return [
        {
            "name": _text(item),
            "language": item.get("@lang", "") if isinstance(item, dict) else "",
            "type": item.get("@type", default_type) if isinstance(item, dict) else default_type,
        }
        for item in _as_list(items)
    ]


def lei_record_from_tree(data: dict) -> LeiRecord:
    """A LEI-CDF LEIRecord (as element_tree data) to a LeiRecord."""
    entity = data.get("Entity") or {}
    registration = data.get("Registration") or {}
    legal_name = entity.get("LegalName")
    legal_form = entity.get("LegalForm") or {}
    successors = [s for s in _as_list(entity.get("SuccessorEntity")) if isinstance(s, dict)]
    return LeiRecord(
        lei=_text(data.get("LEI")),
        legal_name=_text(legal_name),
        legal_name_language=legal_name.get("@lang", "") if isinstance(legal_name, dict) else "",
        other_names=_names(entity.get("OtherEntityNames")) + _names(entity.get("TransliteratedOtherEntityNames")),
        legal_address=_address(entity.get("LegalAddress")),
        headquarters_address=_address(entity.get("HeadquartersAddress")),
        jurisdiction=_text(entity.get("LegalJurisdiction")),
        category=_text(entity.get("EntityCategory")),
        sub_category=_text(entity.get("EntitySubCategory")),
        legal_form_code=_text(legal_form.get("EntityLegalFormCode")) if isinstance(legal_form, dict) else "",
        legal_form_text=_text(legal_form.get("OtherLegalForm")) if isinstance(legal_form, dict) else "",
        entity_status=_text(entity.get("EntityStatus")),
        registration_status=_text(registration.get("RegistrationStatus")),
        initial_registration_date=parse_datetime(
            _text(registration.get("InitialRegistrationDate")), "InitialRegistrationDate"
        ),
        last_update_date=parse_datetime(_text(registration.get("LastUpdateDate")), "LastUpdateDate"),
        next_renewal_date=parse_datetime(_text(registration.get("NextRenewalDate")), "NextRenewalDate"),
        managing_lou=_text(registration.get("ManagingLOU")),
        corroboration_level=_text(registration.get("ValidationSources")),
        successor_lei=next((_text(s.get("SuccessorLEI")) for s in successors if s.get("SuccessorLEI")), ""),
        record=data,
    )


def _periods(items) -> list[dict]:
    """RR-CDF RelationshipPeriods as [{'startDate', 'endDate', 'type'}] (the API's shape)."""
    periods = []
    for item in _as_list(items):
        if not isinstance(item, dict):
            continue
        period = {"startDate": _text(item.get("StartDate")) or None, "type": _text(item.get("PeriodType"))}
        if _text(item.get("EndDate")):
            period["endDate"] = _text(item.get("EndDate"))
        periods.append(period)
    return periods


def _node(data, which: str) -> str:
    """The LEI of a relationship's start or end node; ValueError when the node is not identified by an LEI."""
    node = data.get(which) or {}
    node_type = _text(node.get("NodeIDType")) if isinstance(node, dict) else ""
    if node_type and node_type != "LEI":
        raise ValueError(f"{which} is identified by {node_type}, not by an LEI")
    return _text(node.get("NodeID")) if isinstance(node, dict) else ""


def relationship_record_from_tree(data: dict) -> RelationshipRecord:
    """An RR-CDF RelationshipRecord (as element_tree data) to a RelationshipRecord."""
    relationship = data.get("Relationship") or {}
    registration = data.get("Registration") or {}
    periods = _periods(relationship.get("RelationshipPeriods"))
    main = next((p for p in periods if p["type"] == "RELATIONSHIP_PERIOD"), {})
    return RelationshipRecord(
        child_lei=_node(relationship, "StartNode"),
        parent_lei=_node(relationship, "EndNode"),
        relationship_type=_text(relationship.get("RelationshipType")),
        relationship_status=_text(relationship.get("RelationshipStatus")),
        periods=periods,
        start_date=parse_datetime(main.get("startDate") or "", "RelationshipPeriod StartDate"),
        end_date=parse_datetime(main.get("endDate") or "", "RelationshipPeriod EndDate"),
        registration_status=_text(registration.get("RegistrationStatus")),
        initial_registration_date=parse_datetime(
            _text(registration.get("InitialRegistrationDate")), "InitialRegistrationDate"
        ),
        last_update_date=parse_datetime(_text(registration.get("LastUpdateDate")), "LastUpdateDate"),
        validation_sources=_text(registration.get("ValidationSources")),
        record=data,
    )


def reporting_exception_from_tree(data: dict) -> ReportingExceptionRecord:
    """A repex Exception (as element_tree data) to a ReportingExceptionRecord (the first reason when several)."""
    registration = data.get("Registration") or {}
    return ReportingExceptionRecord(
        lei=_text(data.get("LEI")),
        category=_text(data.get("ExceptionCategory")),
        reason=_text(data.get("ExceptionReason")),
        reference=_text(data.get("ExceptionReference")),
        registration_status=_text(registration.get("RegistrationStatus")) if isinstance(registration, dict) else "",
        last_update_date=parse_datetime(_text(registration.get("LastUpdateDate")), "LastUpdateDate")
        if isinstance(registration, dict)
        else None,
    )


_BUILDERS = {LEI_CDF: lei_record_from_tree, RR_CDF: relationship_record_from_tree, REPEX: reporting_exception_from_tree}
_KEYS = {LEI_CDF: ("LEI",), RR_CDF: ("Relationship", "StartNode", "NodeID"), REPEX: ("LEI",)}


def _record_key(kind: str, data: dict) -> str:
    """The LEI a record is about, for error messages."""
    value = data
    for part in _KEYS[kind]:
        value = value.get(part) if isinstance(value, dict) else None
    return _text(value) if value is not None else ""


def gleif_open(path: str | os.PathLike, limits: XmlLimits = DEFAULT_LIMITS):
    """Yield (display name, LimitedStream) for each .xml in a .zip, or for an .xml file (a list of one)."""
    return xml_streams(path, GleifFileError, limits)


def _header(kind: str, data: dict, name: str, line: int) -> GleifHeader:
    """A header element (as element_tree data) to a GleifHeader."""
    count = _text(data.get("RecordCount"))
    try:
        return GleifHeader(
            kind=kind,
            content_date=parse_datetime(_text(data.get("ContentDate")), "ContentDate"),
            file_content=_text(data.get("FileContent")),
            record_count=int(count) if count else None,
            delta_start=parse_datetime(_text(data.get("DeltaStart")), "DeltaStart"),
        )
    except ValueError as error:
        raise GleifFileError(name, f"bad header: {error}", line=line) from None


def _not_gleif(name: str, root: str, line: int) -> GleifFileError:
    """The error for a well-formed XML file that is not a golden-copy document."""
    expected = ", ".join(DOCUMENTS)
    return GleifFileError(name, f"not a GLEIF golden-copy file: <{root}> is none of {expected}", line=line)


def gleif_stream_parse(
    stream, name: str, limits: XmlLimits = DEFAULT_LIMITS
) -> Iterator[GleifHeader | tuple[int, object]]:
    """Yield a file's GleifHeader, then (line, record) for each record: a dataclass, or a GleifRejection.

    A stream that is not a LimitedStream is read as one under `limits` (lxml's huge_tree only runs under them).
    """
    kind = None
    header_sent = False
    number = 0
    line = 0
    record_line = 0  # where the record being read started (0 between records)
    stream = limited(stream, limits)
    mark = stream.mark
    context = etree.iterparse(
        stream, events=("start", "end"), tag=_WATCHED, huge_tree=True, remove_comments=True, resolve_entities=False
    )
    try:
        for event, element in context:
            mark()
            tag = local_name(element.tag)
            line = element.sourceline or line
            if event == "start":
                if kind is None:
                    problem = doctype_problem(element)
                    if problem:
                        raise GleifFileError(name, problem, line=line)
                    root = local_name(element.getroottree().getroot().tag)
                    if root not in DOCUMENTS:
                        raise _not_gleif(name, root, line)
                    kind, header_tag, record_tag = DOCUMENTS[root]
                if tag == record_tag:
                    record_line = line
                continue
            if kind is None or tag in DOCUMENTS:
                continue
            if tag == header_tag and not header_sent:
                header_sent = True
                yield _header(kind, element_tree(element, "$", trimmed=True), name, line)
                element_close(element)
                continue
            if tag != record_tag:
                continue
            if not header_sent:
                header_sent = True
                yield GleifHeader(kind=kind)
            number += 1
            data = element_tree(element, "$", trimmed=True)
            element_close(element)
            record_line = 0
            try:
                yield line, _BUILDERS[kind](data)
            except ValueError as error:
                yield line, GleifRejection(line=line, key=_record_key(kind, data), reason=str(error))
    except XmlLimitError as error:
        raise GleifFileError(name, limit_reason(error, number, record_line), line=error.line, record=number) from None
    except etree.XMLSyntaxError as error:
        raise GleifFileError(name, f"malformed XML: {error.msg}", line=error.lineno or line, record=number) from None
    except (zipfile.BadZipFile, EOFError, OSError) as error:
        raise GleifFileError(name, f"truncated or corrupt ({error})", line=line, record=number) from None
    if kind is None:
        root = getattr(context, "root", None)
        raise _not_gleif(name, local_name(root.tag), 1) if root is not None else GleifFileError(name, "no XML element")
    if not header_sent:
        yield GleifHeader(kind=kind)
