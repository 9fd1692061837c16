"""Changelists on big tables: a capped count, a fixed number of queries, index-friendly searches."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from entities.models import EntityRelationship

from .factories import (
    EntityRelationshipFactory,
    InstrumentFactory,
    LegalEntityFactory,
    ListingFactory,
    ReportingExceptionFactory,
    VenueFactory,
    make_lei,
)

pytestmark = pytest.mark.django_db


def _get(client, url, **params):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params)
    assert response.status_code == 200
    return response, [query["sql"] for query in queries.captured_queries]


def _counts(sql: list[str]) -> list[str]:
    return [query for query in sql if re.search(r"\bCOUNT\(", query, re.I)]


def test_instrument_changelist_counts_at_most_the_cap(superuser_client, settings):
    settings.ADMIN_COUNT_LIMIT = 20
    InstrumentFactory.create_batch(30)
    response, sql = _get(superuser_client, reverse("admin:instruments_instrument_changelist"))
    counts = _counts(sql)
    assert counts, "the changelist ran no count at all"
    assert all(re.search(r"\bLIMIT 21\b", query) for query in counts), counts
    # An unbounded count would say 30; the capped one stops at the cap plus one.
    assert response.context["cl"].result_count == 21
    assert response.context["cl"].full_result_count is None
    assert "more than 20 instruments" in response.content.decode()


def test_an_uncapped_changelist_shows_the_exact_count(superuser_client, settings):
    settings.ADMIN_COUNT_LIMIT = 20
    InstrumentFactory.create_batch(7)
    response, _ = _get(superuser_client, reverse("admin:instruments_instrument_changelist"))
    assert "7 instruments" in response.content.decode()
    assert "more than" not in response.content.decode()


def _relationships_half_orphaned(n):
    """n relationships; every other one names a parent LEI that is not loaded."""
    for i, relationship in enumerate(EntityRelationshipFactory.create_batch(n)):
        if i % 2:
            EntityRelationship.objects.filter(pk=relationship.pk).update(parent_id=make_lei(900_000 + relationship.pk))


def _rows_and_queries(client, url, create, rows):
    create(rows)
    response, sql = _get(client, url)
    return len(response.context["cl"].result_list), len(sql)


@pytest.mark.parametrize(
    ("url_name", "create"),
    [
        (
            "instruments_instrument",
            # Half the instruments name an issuer that is loaded, half one that is not.
            lambda n: [
                InstrumentFactory(issuer_id=(LegalEntityFactory().lei if i % 2 else f"MISSING{i:011d}00"))
                for i in range(n)
            ],
        ),
        (
            "instruments_listing",
            lambda n: [ListingFactory(venue_id=VenueFactory().mic if i % 2 else "ZZZZ") for i in range(n)],
        ),
        ("entities_legalentity", lambda n: LegalEntityFactory.create_batch(n)),
        ("entities_entityrelationship", lambda n: _relationships_half_orphaned(n)),
        ("entities_reportingexception", lambda n: ReportingExceptionFactory.create_batch(n)),
        ("venues_venue", lambda n: VenueFactory.create_batch(n)),
    ],
)
def test_changelist_queries_do_not_grow_with_rows(superuser_client, url_name, create):
    url = reverse(f"admin:{url_name}_changelist")
    small_rows, small_queries = _rows_and_queries(superuser_client, url, create, 10)
    big_rows, big_queries = _rows_and_queries(superuser_client, url, create, 490)
    assert (small_rows, big_rows) == (10, 50)
    assert big_queries == small_queries


def test_instrument_changelist_shows_issuer_names_and_keeps_unloaded_issuers(superuser_client):
    entity = LegalEntityFactory(legal_name="Shell plc")
    InstrumentFactory(issuer=entity)
    orphan = InstrumentFactory(issuer_id="21380068P1DRHMJ8KU70")
    html = _get(superuser_client, reverse("admin:instruments_instrument_changelist"))[0].content.decode()
    assert "Shell plc" in html
    assert orphan.isin in html and "21380068P1DRHMJ8KU70" in html


def test_listing_changelist_keeps_listings_whose_venue_is_not_loaded(superuser_client):
    ListingFactory(venue=VenueFactory(mic="XPAR", market_name="Euronext Paris"))
    orphan = ListingFactory(venue_id="XMAD")
    response, _ = _get(superuser_client, reverse("admin:instruments_listing_changelist"))
    html = response.content.decode()
    assert response.context["cl"].result_count == 2
    assert "Euronext Paris" in html and orphan.instrument_id in html and "(MIC not loaded)" in html


def test_an_isin_search_is_an_exact_indexed_match(superuser_client):
    wanted, *_ = InstrumentFactory.create_batch(5)
    response, sql = _get(superuser_client, reverse("admin:instruments_instrument_changelist"), q=wanted.isin.lower())
    assert [obj.isin for obj in response.context["cl"].result_list] == [wanted.isin]
    searches = [query for query in sql if wanted.isin in query]
    assert searches
    for query in searches:
        assert re.search(rf"\"isin\" = '?{wanted.isin}'?", query), query
        assert "UPPER(" not in query and " LIKE " not in query, query


def test_a_name_search_still_searches_names(superuser_client):
    InstrumentFactory(full_name="ALSTOM")
    InstrumentFactory(full_name="FINCANTIERI")
    response, _ = _get(superuser_client, reverse("admin:instruments_instrument_changelist"), q="alstom")
    assert [obj.full_name for obj in response.context["cl"].result_list] == ["ALSTOM"]


def test_an_lei_search_finds_the_instruments_of_an_issuer(superuser_client):
    entity = LegalEntityFactory()
    mine = InstrumentFactory(issuer=entity)
    InstrumentFactory(issuer=LegalEntityFactory())
    response, _ = _get(superuser_client, reverse("admin:instruments_instrument_changelist"), q=entity.lei)
    assert list(response.context["cl"].result_list) == [mine]


@pytest.mark.parametrize(
    ("url_name", "params", "field", "value"),
    [
        ("instruments_instrument", {"currency": "USD"}, "currency", "USD"),
        ("instruments_instrument", {"category": "E"}, "category", "E"),
        ("entities_legalentity", {"legal_address_country": "FR"}, "legal_address_country", "FR"),
    ],
)
def test_filters_select_rows_without_a_distinct_scan(superuser_client, url_name, params, field, value):
    InstrumentFactory(currency="USD", category="E", cfi_code="ESVUFR")
    InstrumentFactory()
    LegalEntityFactory(legal_address_country="FR")
    LegalEntityFactory()
    response, sql = _get(superuser_client, reverse(f"admin:{url_name}_changelist"), **params)
    rows = list(response.context["cl"].result_list)
    assert len(rows) == 1 and getattr(rows[0], field) == value
    assert not [query for query in sql if "DISTINCT" in query.upper()]


def test_relationship_changelist_names_both_sides_when_loaded(superuser_client):
    relationship = EntityRelationshipFactory(child__legal_name="Child SA", parent__legal_name="Parent NV")
    orphan = EntityRelationshipFactory()
    EntityRelationship.objects.filter(pk=orphan.pk).update(parent_id="5493001KJTIIGC8Y1R12")
    html = _get(superuser_client, reverse("admin:entities_entityrelationship_changelist"))[0].content.decode()
    assert "Child SA" in html and "Parent NV" in html and relationship.parent_id in html
    assert "5493001KJTIIGC8Y1R12" in html and "(LEI not loaded)" in html


def test_an_entity_name_search_tolerates_typos_and_legal_forms(superuser_client):
    shell = LegalEntityFactory(legal_name="SHELL PLC", other_names=[{"name": "ROYAL DUTCH SHELL PLC"}])
    LegalEntityFactory(legal_name="PUMA SE")
    url = reverse("admin:entities_legalentity_changelist")
    for typed in ("schell", "Shell public limited company", "royal dutch shel"):
        response, _ = _get(superuser_client, url, q=typed)
        assert [obj.lei for obj in response.context["cl"].result_list] == [shell.lei], typed
