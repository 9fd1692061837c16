"""entities/: list, filters, detail, parents (or the reporting exception), children and issued instruments."""

from entities.models import EntityRelationship, LegalEntity
from instruments.models import Instrument
from tests.factories import (
    EntityRelationshipFactory,
    InstrumentFactory,
    LegalEntityFactory,
    ReportingExceptionFactory,
    make_lei,
)

from .base import CodeDetailEndpointTests, EndpointTests, ListEndpointTests

BRIEF = [
    "lei",
    "legal_name",
    "jurisdiction",
    "legal_address_country",
    "category",
    "entity_status",
    "registration_status",
]
URL = "/api/v1/entities/"


def bulk_entities(count: int, **fields) -> list[str]:
    """Create `count` entities in one INSERT; return their LEIs."""
    rows = LegalEntityFactory.build_batch(count, **fields)
    LegalEntity.objects.bulk_create(rows)
    return [row.lei for row in rows]


class TestEntityList(ListEndpointTests):
    list_url = URL
    key_field = "lei"
    brief_fields = BRIEF

    def create_rows(self, count):
        return bulk_entities(count)

    def filter_cases(self):
        bank = LegalEntityFactory(legal_name="Deutsche Beispielbank AG").lei
        fund = LegalEntityFactory(category="FUND", jurisdiction="LU", legal_address_country="LU").lei
        lapsed = LegalEntityFactory(registration_status="LAPSED", entity_status="INACTIVE", jurisdiction="FR").lei
        return [
            ({"q": "beispielbank"}, {bank}),
            ({"q": "Deutsche Beispilbank"}, {bank}),  # a typo: found by the name search, not the substring
            ({"q": fund}, {fund}),
            ({"jurisdiction": "lu"}, {fund}),
            ({"category": "FUND"}, {fund}),
            ({"status": "INACTIVE"}, {lapsed}),
            ({"registration_status": "LAPSED"}, {lapsed}),
            ({"country": "DE"}, {bank, lapsed}),
        ]

    def test_ordering_by_legal_name(self):
        names = ["Zeta AG", "Alpha SA", "Mu plc"]
        leis = {LegalEntityFactory(legal_name=name).lei: name for name in names}
        results = self.get(URL, ordering="legal_name").json()["results"]
        assert [row["legal_name"] for row in results] == sorted(names)
        assert {row["lei"] for row in results} == set(leis)


class TestEntityDetail(CodeDetailEndpointTests):
    detail_url = URL + "{key}/"
    detail_fields = [*BRIEF, "legal_address", "headquarters_address", "legal_form_code", "initial_registration_date"]
    unknown_key = make_lei(123456789)
    malformed_key = "52990000000000000197"
    malformed_reason = "mod-97"

    def create_object(self):
        return LegalEntityFactory().lei

    def test_addresses_are_in_the_record(self):
        lei = LegalEntityFactory(legal_address={"city": "Paris", "country": "FR"}).lei
        assert self.get(self.detail_url.format(key=lei)).json()["legal_address"]["city"] == "Paris"


class TestEntityParents(EndpointTests):
    def test_direct_parent_and_ultimate_exception(self):
        child, parent = LegalEntityFactory(), LegalEntityFactory(legal_name="Parent Holding")
        EntityRelationshipFactory(child_id=child.lei, parent_id=parent.lei)
        ReportingExceptionFactory(entity_id=child.lei, reason="NO_KNOWN_PERSON")
        body = self.get(f"{URL}{child.lei}/parents/").json()
        assert body["direct"]["parent_lei"] == parent.lei
        assert body["direct"]["parent"]["legal_name"] == "Parent Holding"
        assert body["direct_exception"] is None and body["ultimate"] is None
        assert body["ultimate_exception"]["reason"] == "NO_KNOWN_PERSON"
        assert body["ultimate_exception"]["reason_display"] == "No known person controls"

    def test_parent_not_loaded_is_named_by_lei_only(self):
        child = LegalEntityFactory()
        EntityRelationshipFactory(
            child_id=child.lei, parent_id=make_lei(55555), relationship_type="IS_ULTIMATELY_CONSOLIDATED_BY"
        )
        body = self.get(f"{URL}{child.lei}/parents/").json()
        assert body["ultimate"]["parent_lei"] == make_lei(55555)
        assert body["ultimate"]["parent"] is None

    def test_lei_known_only_from_relationships(self):
        child, parent = make_lei(313131), LegalEntityFactory()
        EntityRelationshipFactory(child_id=child, parent_id=parent.lei)
        body = self.get(f"{URL}{child}/parents/").json()
        assert body["lei"] == child and body["direct"]["parent_lei"] == parent.lei
        assert self.get(f"{URL}{child}/children/").json()["results"] == []
        assert self.get(f"{URL}{child}/").status_code == 404  # the record itself is not loaded

    def test_unknown_and_malformed_lei(self):
        assert self.get(f"{URL}{make_lei(424242)}/parents/").status_code == 404
        assert self.get(f"{URL}NOT-A-LEI/parents/").status_code == 400


class TestEntityChildren(ListEndpointTests):
    key_field = "child_lei"
    brief_fields = ["child_lei", "child", "relationship_type", "relationship_status", "start_date", "end_date"]
    max_queries = 3  # the parent entity, the relationships, the child entities

    def setup_data(self):
        self.parent = LegalEntityFactory()

    def get_list_url(self):
        return f"{URL}{self.parent.lei}/children/"

    def create_rows(self, count):
        children = LegalEntityFactory.build_batch(count)
        LegalEntity.objects.bulk_create(children)
        EntityRelationship.objects.bulk_create(
            [EntityRelationshipFactory.build(child_id=child.lei, parent_id=self.parent.lei) for child in children]
        )
        return [child.lei for child in children]

    def test_children_carry_their_brief_record(self):
        lei = self.create_rows(1)[0]
        EntityRelationshipFactory(parent_id=self.parent.lei, child_id=make_lei(777777))
        results = self.get(self.get_list_url()).json()["results"]
        by_lei = {row["child_lei"]: row["child"] for row in results}
        assert by_lei[lei]["lei"] == lei
        assert by_lei[make_lei(777777)] is None


class TestEntityInstruments(ListEndpointTests):
    key_field = "isin"
    brief_fields = [
        "isin",
        "full_name",
        "short_name",
        "cfi_code",
        "category",
        "instrument_type",
        "currency",
        "issuer_lei",
    ]

    def setup_data(self):
        self.lei = make_lei(31337)  # the issuer need not be loaded
        InstrumentFactory(issuer_id=make_lei(31338))  # another issuer's instrument

    def get_list_url(self):
        return f"{URL}{self.lei}/instruments/"

    def create_rows(self, count):
        rows = InstrumentFactory.build_batch(count, issuer_id=self.lei)
        Instrument.objects.bulk_create(rows)
        return [row.isin for row in rows]
