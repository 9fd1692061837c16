"""What the instrument and entity pages of the admin show besides their fields: timelines, chains, graphs, tables."""

import datetime as dt
from dataclasses import dataclass

from django.urls import reverse
from django.utils import timezone

from .admin_svg import GraphException, GraphNode, TimelineRow, TimelineVersion, listing_timeline, ownership_graph

CHILDREN_DRAWN = 400  # children per kind in the picture; the rest are a link away
TRANSPARENCY_ROWS = 50


def entity_url(lei: str) -> str:
    """The admin page of an LEI (its record when loaded, else the relationships naming it)."""
    return reverse("admin:entities_legalentity_by_lei", args=[lei])


@dataclass
class IssuerStep:
    """The issuer or one of its parents, for the chain on the instrument page."""

    lei: str
    name: str | None
    relationship: str
    url: str


def _issuer_chain(lei: str | None) -> list[IssuerStep]:
    from entities.choices import RelationshipType
    from entities.models import LegalEntity
    from entities.selectors import entity_parent_chain

    if not lei:
        return []
    issuer = LegalEntity.objects.filter(lei=lei).only("lei", "legal_name").first()
    steps = [IssuerStep(lei, issuer.legal_name if issuer else None, "issuer", entity_url(lei))]
    for link in entity_parent_chain(lei):
        name = link.entity.legal_name if link.entity else None
        kind = "ultimate parent" if link.relationship_type == RelationshipType.ULTIMATE else "direct parent"
        steps.append(IssuerStep(link.lei, name, kind, entity_url(link.lei)))
    return steps


def instrument_page_context(instrument, as_of: dt.date | None) -> dict:
    """The listing timeline (versions valid on `as_of` highlighted), issuer chain, FIGIs per venue, transparency."""
    from instruments.models import FigiMapping, Listing, Transparency
    from venues.models import Venue

    today = timezone.now().date()
    as_of = as_of or today
    versions = list(
        Listing.objects.filter(instrument_id=instrument.isin)
        .order_by("venue_id", "valid_from")
        .only("pk", "venue_id", "full_name", "valid_from", "valid_to", "is_current", "is_cancelled", "record_type")
    )
    names = dict(Venue.objects.filter(mic__in={v.venue_id for v in versions}).values_list("mic", "market_name"))
    rows: dict[str, TimelineRow] = {}
    table = []
    for version in versions:
        row = rows.setdefault(
            version.venue_id, TimelineRow(version.venue_id, names.get(version.venue_id, "(MIC not loaded)"))
        )
        url = reverse("admin:instruments_listing_change", args=[version.pk])
        until = version.valid_to.isoformat() if version.valid_to else "open"
        label = f"{version.venue_id} {version.valid_from.isoformat()} to {until}: {version.full_name}"
        label += " (cancelled)" if version.is_cancelled else ""
        row.versions.append(
            TimelineVersion(version.valid_from, version.valid_to, version.is_current, version.is_cancelled, url, label)
        )
        valid = version.valid_from <= as_of and (version.valid_to is None or as_of <= version.valid_to)
        table.append({"listing": version, "venue_name": row.venue_name, "url": url, "valid_on_day": valid})
    figis: dict[str, list] = {}
    for mapping in FigiMapping.objects.filter(isin=instrument.isin).order_by("mic", "figi"):
        figis.setdefault(mapping.mic or "(composite)", []).append(mapping)
    transparency = list(
        Transparency.objects.filter(identifier=instrument.isin).order_by("-valid_from", "methodology")[
            :TRANSPARENCY_ROWS
        ]
    )
    return {
        "as_of": as_of,
        "timeline": listing_timeline(list(rows.values()), as_of, today) if rows else "",
        "versions_table": table,
        "valid_on_day": sum(1 for row in table if row["valid_on_day"] and not row["listing"].is_cancelled),
        "issuer_chain": _issuer_chain(instrument.issuer_id),
        "figis_per_venue": sorted(figis.items()),
        "transparency_rows": transparency,
    }


def _nodes(relationships, side: str) -> list[GraphNode]:
    nodes = []
    for relationship in relationships:
        lei = getattr(relationship, f"{side}_id")
        entity = getattr(relationship, side, None)  # prefetched; missing when that LEI is not loaded
        status = relationship.relationship_status
        nodes.append(GraphNode(lei, entity.legal_name if entity else None, entity_url(lei), status.lower()))
    return nodes


def entity_page_context(entity) -> dict:
    """The ownership picture: the parent chain (or the reporting exceptions), the entity, its children in grids."""
    from entities.choices import RelationshipType
    from entities.models import EntityRelationship, ReportingException
    from entities.selectors import entity_parent_chain

    chain = entity_parent_chain(entity.lei)
    parents = [
        (
            GraphNode(link.lei, link.entity.legal_name if link.entity else None, entity_url(link.lei)),
            "ultimate parent" if link.relationship_type == RelationshipType.ULTIMATE else "direct parent",
        )
        for link in chain
    ]
    exceptions = [
        GraphException(exception.category, exception.reason)
        for exception in ReportingException.objects.filter(entity_id=entity.lei).order_by("category")
    ]
    children = []
    changelist = reverse("admin:entities_entityrelationship_changelist")
    for title, kind in (("Direct children", RelationshipType.DIRECT), ("Ultimate children", RelationshipType.ULTIMATE)):
        relationships = EntityRelationship.objects.filter(parent_id=entity.lei, relationship_type=kind)
        total = relationships.count()
        shown = relationships.order_by("child_id").prefetch_related("child")[:CHILDREN_DRAWN] if total else []
        url = f"{changelist}?parent__exact={entity.lei}&relationship_type__exact={kind}"
        children.append((title, _nodes(shown, "child"), total, url))
    node = GraphNode(entity.lei, entity.legal_name, reverse("admin:entities_legalentity_change", args=[entity.pk]))
    return {
        "ownership_graph": ownership_graph(node, parents, exceptions, children),
        "children_totals": {title: total for title, _, total, _ in children},
    }
