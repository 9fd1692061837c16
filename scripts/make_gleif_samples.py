"""Build samples/gleif: golden-copy LEI-CDF, RR-CDF and repex XML from the recorded GLEIF API answers.

Reads ../shared/data/gleif (api/ and golden-copy/) beside the repository.
Run: .venv/bin/python scripts/make_gleif_samples.py
"""

import json
import sys
from pathlib import Path

from lxml import etree

ROOT = Path(__file__).resolve().parent.parent
API = ROOT.parent / "shared" / "data" / "gleif" / "api"
GOLDEN = ROOT.parent / "shared" / "data" / "gleif" / "golden-copy"
LEI_NS = "http://www.gleif.org/data/schema/leidata/2016"
RR_NS = "http://www.gleif.org/data/schema/rr/2016"
REPEX_NS = "http://www.gleif.org/data/schema/repex/2016"
GLEIF_NS = "http://www.gleif.org/data/schema/golden-copy/extensions/1.0"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
CONTENT_DATE = "2025-05-15T08:00:00Z"


def load(path):
    """The resources of one recorded API answer, as a list."""
    data = json.loads(path.read_text())["data"]
    return data if isinstance(data, list) else ([data] if data else [])


def sub(parent, ns, tag, text=None, **attrib):
    """Append a child element (lang= becomes xml:lang)."""
    el = etree.SubElement(parent, f"{{{ns}}}{tag}")
    for key, value in attrib.items():
        el.set(XML_LANG if key == "lang" else key, value)
    if text is not None:
        el.text = text
    return el


def address(parent, tag, a):
    """An API address as a LEI-CDF address element."""
    el = sub(parent, LEI_NS, tag, **({"lang": a["language"]} if a.get("language") else {}))
    lines = a.get("addressLines") or [""]
    sub(el, LEI_NS, "FirstAddressLine", lines[0])
    if a.get("addressNumber"):
        sub(el, LEI_NS, "AddressNumber", a["addressNumber"])
    if a.get("addressNumberWithinBuilding"):
        sub(el, LEI_NS, "AddressNumberWithinBuilding", a["addressNumberWithinBuilding"])
    if a.get("mailRouting"):
        sub(el, LEI_NS, "MailRouting", a["mailRouting"])
    for line in lines[1:]:
        sub(el, LEI_NS, "AdditionalAddressLine", line)
    sub(el, LEI_NS, "City", a.get("city") or "")
    if a.get("region"):
        sub(el, LEI_NS, "Region", a["region"])
    sub(el, LEI_NS, "Country", a.get("country") or "")
    if a.get("postalCode"):
        sub(el, LEI_NS, "PostalCode", a["postalCode"])


def lei_record(parent, resource):
    """An API lei-record as a LEI-CDF LEIRecord."""
    at = resource["attributes"]
    en, rg = at["entity"], at["registration"]
    rec = sub(parent, LEI_NS, "LEIRecord")
    sub(rec, LEI_NS, "LEI", at["lei"])
    e = sub(rec, LEI_NS, "Entity")
    ln = en["legalName"]
    sub(e, LEI_NS, "LegalName", ln["name"], **({"lang": ln["language"]} if ln.get("language") else {}))
    if en.get("otherNames"):
        box = sub(e, LEI_NS, "OtherEntityNames")
        for n in en["otherNames"]:
            sub(
                box,
                LEI_NS,
                "OtherEntityName",
                n["name"],
                type=n["type"],
                **({"lang": n["language"]} if n.get("language") else {}),
            )
    if en.get("transliteratedOtherNames"):
        box = sub(e, LEI_NS, "TransliteratedOtherEntityNames")
        for n in en["transliteratedOtherNames"]:
            sub(
                box,
                LEI_NS,
                "TransliteratedOtherEntityName",
                n["name"],
                type=n["type"],
                **({"lang": n["language"]} if n.get("language") else {}),
            )
    address(e, "LegalAddress", en["legalAddress"])
    address(e, "HeadquartersAddress", en["headquartersAddress"])
    ra = en.get("registeredAt") or {}
    if ra.get("id"):
        box = sub(e, LEI_NS, "RegistrationAuthority")
        sub(box, LEI_NS, "RegistrationAuthorityID", ra["id"])
        if ra.get("other"):
            sub(box, LEI_NS, "OtherRegistrationAuthorityID", ra["other"])
        if en.get("registeredAs"):
            sub(box, LEI_NS, "RegistrationAuthorityEntityID", en["registeredAs"])
    sub(e, LEI_NS, "LegalJurisdiction", en.get("jurisdiction") or "")
    if en.get("category"):
        sub(e, LEI_NS, "EntityCategory", en["category"])
    if en.get("subCategory"):
        sub(e, LEI_NS, "EntitySubCategory", en["subCategory"])
    lf = sub(e, LEI_NS, "LegalForm")
    sub(lf, LEI_NS, "EntityLegalFormCode", (en.get("legalForm") or {}).get("id") or "8888")
    if (en.get("legalForm") or {}).get("other"):
        sub(lf, LEI_NS, "OtherLegalForm", en["legalForm"]["other"])
    assoc = en.get("associatedEntity") or {}
    if assoc.get("lei"):
        box = sub(e, LEI_NS, "AssociatedEntity", type="FUND_FAMILY")
        sub(box, LEI_NS, "AssociatedLEI", assoc["lei"])
    sub(e, LEI_NS, "EntityStatus", en["status"])
    if en.get("creationDate"):
        sub(e, LEI_NS, "EntityCreationDate", en["creationDate"])
    exp = en.get("expiration") or {}
    if exp.get("date"):
        sub(e, LEI_NS, "EntityExpirationDate", exp["date"])
    if exp.get("reason"):
        sub(e, LEI_NS, "EntityExpirationReason", exp["reason"])
    succ = en.get("successorEntity") or {}
    if succ.get("lei") or succ.get("name"):
        box = sub(e, LEI_NS, "SuccessorEntity")
        if succ.get("lei"):
            sub(box, LEI_NS, "SuccessorLEI", succ["lei"])
        else:
            sub(box, LEI_NS, "SuccessorEntityName", succ["name"])
    r = sub(rec, LEI_NS, "Registration")
    sub(r, LEI_NS, "InitialRegistrationDate", rg["initialRegistrationDate"])
    sub(r, LEI_NS, "LastUpdateDate", rg["lastUpdateDate"])
    sub(r, LEI_NS, "RegistrationStatus", rg["status"])
    sub(r, LEI_NS, "NextRenewalDate", rg["nextRenewalDate"])
    sub(r, LEI_NS, "ManagingLOU", rg["managingLou"])
    sub(r, LEI_NS, "ValidationSources", rg["corroborationLevel"])
    va = rg.get("validatedAt") or {}
    if va.get("id"):
        box = sub(r, LEI_NS, "ValidationAuthority")
        sub(box, LEI_NS, "ValidationAuthorityID", va["id"])
        if rg.get("validatedAs"):
            sub(box, LEI_NS, "ValidationAuthorityEntityID", rg["validatedAs"])
    sub(rec, LEI_NS, "Extension")
    return rec


def rr_record(parent, resource):
    """An API relationship-record as an RR-CDF RelationshipRecord."""
    at = resource["attributes"]
    rel, rg = at["relationship"], at["registration"]
    rec = sub(parent, RR_NS, "RelationshipRecord")
    r = sub(rec, RR_NS, "Relationship")
    for tag, node in (("StartNode", rel["startNode"]), ("EndNode", rel["endNode"])):
        box = sub(r, RR_NS, tag)
        sub(box, RR_NS, "NodeID", node["id"])
        sub(box, RR_NS, "NodeIDType", node["type"])
    sub(r, RR_NS, "RelationshipType", rel["type"])
    box = sub(r, RR_NS, "RelationshipPeriods")
    for p in rel.get("periods") or []:
        pe = sub(box, RR_NS, "RelationshipPeriod")
        sub(pe, RR_NS, "StartDate", p["startDate"])
        if p.get("endDate"):
            sub(pe, RR_NS, "EndDate", p["endDate"])
        sub(pe, RR_NS, "PeriodType", p["type"])
    sub(r, RR_NS, "RelationshipStatus", rel["status"])
    g = sub(rec, RR_NS, "Registration")
    sub(g, RR_NS, "InitialRegistrationDate", rg["initialRegistrationDate"])
    sub(g, RR_NS, "LastUpdateDate", rg["lastUpdateDate"])
    sub(g, RR_NS, "RegistrationStatus", rg["status"])
    sub(g, RR_NS, "NextRenewalDate", rg["nextRenewalDate"])
    sub(g, RR_NS, "ManagingLOU", rg["managingLou"])
    sub(g, RR_NS, "ValidationSources", rg["corroborationLevel"])
    sub(g, RR_NS, "ValidationDocuments", rg["corroborationDocuments"])
    if rg.get("corroborationReference"):
        sub(g, RR_NS, "ValidationReference", rg["corroborationReference"])
    return rec


def repex_record(parent, resource):
    """An API reporting-exception as a repex Exception."""
    at = resource["attributes"]
    rec = sub(parent, REPEX_NS, "Exception")
    sub(rec, REPEX_NS, "LEI", at["lei"])
    sub(rec, REPEX_NS, "ExceptionCategory", at["category"])
    sub(rec, REPEX_NS, "ExceptionReason", at["reason"])
    if at.get("reference"):
        sub(rec, REPEX_NS, "ExceptionReference", at["reference"])
    return rec


def document(kind, resources, delta_start=None, count=None):
    """A whole golden-copy document (lei, rr or repex) with its header."""
    if kind == "lei":
        root = etree.Element(f"{{{LEI_NS}}}LEIData", nsmap={"lei": LEI_NS, "gleif": GLEIF_NS})
        ns, header_tag, box_tag, build = LEI_NS, "LEIHeader", "LEIRecords", lei_record
    elif kind == "rr":
        root = etree.Element(f"{{{RR_NS}}}RelationshipData", nsmap={"rr": RR_NS, "gleif": GLEIF_NS})
        ns, header_tag, box_tag, build = RR_NS, "Header", "RelationshipRecords", rr_record
    else:
        root = etree.Element(f"{{{REPEX_NS}}}ReportingExceptionData", nsmap={"repex": REPEX_NS, "gleif": GLEIF_NS})
        ns, header_tag, box_tag, build = REPEX_NS, "Header", "ReportingExceptions", repex_record
    header = sub(root, ns, header_tag)
    sub(header, ns, "ContentDate", CONTENT_DATE if not delta_start else "2025-05-22T08:00:00Z")
    sub(header, ns, "FileContent", "GLEIF_FULL_PUBLISHED" if not delta_start else "GLEIF_DELTA_PUBLISHED")
    if delta_start:
        sub(header, ns, "DeltaStart", delta_start)
    sub(header, ns, "RecordCount", str(len(resources) if count is None else count))
    box = sub(root, ns, box_tag)
    for resource in resources:
        if isinstance(resource, etree._Element):
            box.append(resource)
        else:
            build(box, resource)
    return root


def write(root, path):
    """Write a document as UTF-8 XML."""
    path.parent.mkdir(parents=True, exist_ok=True)
    etree.ElementTree(root).write(str(path), xml_declaration=True, encoding="UTF-8", pretty_print=True)


def unique(resources, key):
    """The resources without repeats of the same key, in order."""
    seen, out = set(), []
    for r in resources:
        k = key(r)
        if k not in seen:
            seen.add(k)
            out.append(r)
    return out


def golden_socgen_record():
    """The real LEI-CDF record of the recorded export."""
    tree = etree.parse(str(next(GOLDEN.glob("lei-cdf_*.xml"))))
    return tree.getroot().find(f".//{{{LEI_NS}}}LEIRecord")


def all_entities():
    """Every recorded LEI record: issuers, parents, first pages of children."""
    items = []
    for pattern in (
        "single_lei_record_*.json",
        "direct-parent_*.json",
        "ultimate-parent_*.json",
        "direct-children_*.json",
    ):
        for f in sorted((API / "lei_records").glob(pattern)):
            items += load(f)
    return unique(items, lambda r: r["attributes"]["lei"])


def all_relationships():
    """Every recorded relationship record."""
    items = []
    for pattern in (
        "direct-parent-relationship_*",
        "ultimate-parent-relationship_*",
        "direct-child-relationships_*",
        "ultimate-child-relationships_*",
    ):
        for f in sorted((API / "relationships").glob(pattern)):
            items += load(f)

    def key(resource):
        relationship = resource["attributes"]["relationship"]
        return relationship["startNode"]["id"], relationship["endNode"]["id"], relationship["type"]

    return unique(items, key)


def all_exceptions():
    """Every recorded reporting exception."""
    items = []
    for f in sorted((API / "reporting_exceptions").glob("*.json")):
        items += load(f)
    return unique(items, lambda r: (r["attributes"]["lei"], r["attributes"]["category"]))


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT
    ents = all_entities()
    write(document("lei", ents + [golden_socgen_record()]), target / "samples/gleif/1-lei-cdf.xml")
    write(document("rr", all_relationships()), target / "samples/gleif/2-rr-cdf.xml")
    write(document("repex", all_exceptions()), target / "samples/gleif/3-repex.xml")
    print(len(ents) + 1, len(all_relationships()), len(all_exceptions()))
