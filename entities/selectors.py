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


# Name search: candidates from the backend's index, ranked by marketdata.names.name_match.

NAME_CANDIDATES = 200  # rows the index hands to the ranking, per query


@dataclass(frozen=True)
class EntityCandidate:
    """One ranked answer of a name search: the entity, its score (0-100), why it matched and the name matched."""

    entity: object
    score: float
    reason: str
    matched_name: str


def entity_name_candidates(query: str, country: str = "", limit: int = NAME_CANDIDATES) -> list[int]:
    """Ids of entities whose names are near `query` (trigram index on PostgreSQL, FTS5 on SQLite), best first."""
    from django.db import connection

    from marketdata.names import name_core, name_normalize

    from .models import LegalEntity

    wanted = name_normalize(query)
    core = name_core(wanted)
    if not wanted:
        return []
    country_sql, country_params = (" AND e.legal_address_country = %s", [country.upper()]) if country else ("", [])
    if connection.vendor == "postgresql" and len(core) >= 3:
        # Two nearest-first walks of the GiST index by word distance (<<->: the closest stretch of any of the names),
        # to the name without its legal form and to the whole name; ties (namesakes, "Shell ..." by the thousand)
        # are broken by the distance to the whole query (<->), an incremental sort of each tied group.
        half = (
            "(SELECT e.id FROM entities_legalentity e WHERE TRUE" + country_sql + " ORDER BY %s <<-> e.search_text, "
            "%s <-> e.search_text LIMIT %s)"
        )
        with connection.cursor() as cursor:
            cursor.execute(
                half + " UNION " + half,
                [*country_params, core, wanted, limit // 2, *country_params, wanted, wanted, limit // 2],
            )
            return [row[0] for row in cursor.fetchall()]
    if connection.vendor == "sqlite" and len(wanted) >= 3:
        trigrams = dict.fromkeys(wanted[i : i + 3] for i in range(len(wanted) - 2))
        match = " OR ".join(f'"{trigram}"' for trigram in trigrams)
        sql = (
            "SELECT e.id FROM entities_legalentity_names f JOIN entities_legalentity e ON e.id = f.rowid "
            "WHERE entities_legalentity_names MATCH %s" + country_sql + " ORDER BY bm25(entities_legalentity_names)"
            " LIMIT %s"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [match, *country_params, limit])
            return [row[0] for row in cursor.fetchall()]
    # Other backends, and queries too short for trigrams: names containing one of the query's words.
    from functools import reduce
    from operator import or_

    from django.db.models import Q

    words = reduce(or_, (Q(search_text__contains=word) for word in core.split()), Q(pk__in=[]))
    rows = LegalEntity.objects.filter(words)
    if country:
        rows = rows.filter(legal_address_country=country.upper())
    return list(rows.order_by("lei").values_list("id", flat=True)[:limit])


def entity_resolve(name: str, country: str = "", limit: int = 10, min_score: float = 60.0) -> list[EntityCandidate]:
    """Entities ranked by how well their legal or other names match `name` (active and issued first on a tie)."""
    from marketdata.names import name_match

    from .models import LegalEntity

    ids = entity_name_candidates(name, country)
    candidates = []
    for entity in LegalEntity.objects.filter(id__in=ids).defer("record"):
        match = name_match(name, entity.legal_name, entity.other_names)
        if match.score >= min_score:
            candidates.append(EntityCandidate(entity, match.score, match.reason, match.name))
    candidates.sort(key=lambda c: (-c.score, _standing(c.entity), c.entity.lei))
    return candidates[:limit]


def _standing(entity) -> tuple[bool, bool]:
    """Sorts active before inactive, then issued before other registration statuses."""
    return entity.entity_status != "ACTIVE", entity.registration_status != "ISSUED"
