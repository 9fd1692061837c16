"""Reads of legal entities and their relationships."""

from dataclasses import dataclass

# API reads: lists, parents (or the reporting exception), children.

LEGAL_ENTITY_BRIEF_COLUMNS = (
    "lei",
    "legal_name",
    "jurisdiction",
    "legal_address_country",
    "category",
    "entity_status",
    "registration_status",
)


def entity_list():
    """Every legal entity, without the raw GLEIF record (lists never need it)."""
    from .models import LegalEntity

    return LegalEntity.objects.defer("record")


def entity_known(lei: str) -> bool:
    """True when the LEI is loaded or named by a stored relationship or reporting exception."""
    from django.db.models import Q

    from .models import EntityRelationship, LegalEntity, ReportingException

    return (
        LegalEntity.objects.filter(lei=lei).exists()
        or EntityRelationship.objects.filter(Q(child_id=lei) | Q(parent_id=lei)).exists()
        or ReportingException.objects.filter(entity_id=lei).exists()
    )


def entity_parents(lei: str) -> dict:
    """The direct and ultimate parent relationships of an LEI, each with the reporting exception when none is given.

    Parent entities are attached (None when that LEI is not loaded); three queries whatever the data.
    """
    from .choices import ExceptionCategory, RelationshipType
    from .models import EntityRelationship, ReportingException

    relationships = EntityRelationship.objects.filter(
        child_id=lei, relationship_type__in=[RelationshipType.DIRECT, RelationshipType.ULTIMATE]
    ).prefetch_related("parent")
    by_type = {}
    for relationship in sorted(relationships, key=lambda r: (r.relationship_status != "ACTIVE", r.id)):
        by_type.setdefault(relationship.relationship_type, relationship)
    exceptions = {exception.category: exception for exception in ReportingException.objects.filter(entity_id=lei)}
    return {
        "lei": lei,
        "direct": by_type.get(RelationshipType.DIRECT),
        "direct_exception": exceptions.get(ExceptionCategory.DIRECT),
        "ultimate": by_type.get(RelationshipType.ULTIMATE),
        "ultimate_exception": exceptions.get(ExceptionCategory.ULTIMATE),
    }


CHILD_KINDS = {"direct": "IS_DIRECTLY_CONSOLIDATED_BY", "ultimate": "IS_ULTIMATELY_CONSOLIDATED_BY"}


def entity_children(lei: str, kind: str | None = None):
    """Relationships naming this LEI as parent (any type, or kind 'direct' / 'ultimate'), child attached if loaded."""
    from .models import EntityRelationship

    relationships = EntityRelationship.objects.filter(parent_id=lei)
    if kind is not None:
        if kind not in CHILD_KINDS:
            raise ValueError(f"kind must be one of {', '.join(CHILD_KINDS)}, not {kind!r}")
        relationships = relationships.filter(relationship_type=CHILD_KINDS[kind])
    return relationships.prefetch_related("child")


@dataclass
class ParentLink:
    """One step up an ownership chain: the parent's LEI, its entity when loaded, and how it was reached."""

    lei: str
    entity: object | None
    relationship_type: str


def entity_parent_chain(lei: str, max_depth: int = 20) -> list[ParentLink]:
    """The parents of an LEI up to its ultimate parent: direct parents in turn, then the reported ultimate one.

    Active relationships are preferred; the walk stops at a cycle or after `max_depth` steps. When the
    direct chain ends below the ultimate parent GLEIF reports for `lei`, that ultimate parent ends the list.
    """
    from .choices import RelationshipType
    from .models import EntityRelationship, LegalEntity

    def parent_of(child: str, relationship_type: str) -> str | None:
        relationships = EntityRelationship.objects.filter(child_id=child, relationship_type=relationship_type)
        best = sorted(relationships, key=lambda r: (r.relationship_status != "ACTIVE", r.end_date is not None, -r.id))
        return best[0].parent_id if best else None

    chain: list[tuple[str, str]] = []
    seen = {lei}
    current = lei
    while len(chain) < max_depth:
        parent = parent_of(current, RelationshipType.DIRECT)
        if parent is None or parent in seen:
            break
        chain.append((parent, RelationshipType.DIRECT))
        seen.add(parent)
        current = parent
    ultimate = parent_of(lei, RelationshipType.ULTIMATE)
    if ultimate and ultimate not in seen:
        chain.append((ultimate, RelationshipType.ULTIMATE))
    entities = LegalEntity.objects.in_bulk([code for code, _ in chain], field_name="lei")
    return [ParentLink(code, entities.get(code), kind) for code, kind in chain]
