"""Changelists on big tables: estimated totals from PostgreSQL's statistics, indexed orderings only."""

import pytest
from django.db import connection
from django.urls import reverse

from instruments.models import Instrument
from marketdata.admin import table_row_estimate

from .factories import InstrumentFactory, LegalEntityFactory, ListingFactory

pytestmark = pytest.mark.django_db
postgresql_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="pg_class.reltuples is PostgreSQL's")


@postgresql_only
def test_an_unfiltered_changelist_past_the_cap_shows_the_tables_estimate(superuser_client, settings):
    settings.ADMIN_COUNT_LIMIT = 5
    InstrumentFactory.create_batch(12)
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {Instrument._meta.db_table}")
    assert table_row_estimate(Instrument) == 12
    url = reverse("admin:instruments_instrument_changelist")
    page = superuser_client.get(url).content.decode()
    assert "about 12 instruments (estimated)" in page
    page = superuser_client.get(url, {"category__exact": "D"}).content.decode()
    assert "more than 5 instruments" in page and "estimated" not in page  # a filter: the capped count


def test_other_backends_have_no_estimate():
    if connection.vendor == "postgresql":
        pytest.skip("PostgreSQL has one")
    assert table_row_estimate(Instrument) is None


@pytest.mark.parametrize(
    ("url_name", "sortable", "unsorted"),
    [
        ("instruments_instrument", "isin", "full_name"),
        ("instruments_listing", "valid_from", "full_name"),
        ("entities_legalentity", "lei", "legal_name"),
    ],
)
def test_only_indexed_columns_sort(superuser_client, url_name, sortable, unsorted):
    ListingFactory()
    LegalEntityFactory()
    response = superuser_client.get(reverse(f"admin:{url_name}_changelist"))
    page = response.content.decode()
    assert f'class="sortable column-{sortable}' in page
    assert f'class="sortable column-{unsorted}' not in page and f"column-{unsorted}" in page


def test_listing_search_by_name_is_not_offered(superuser_client):
    """Listings are searched by ISIN or MIC (indexed); a name finds nothing rather than scanning every version."""
    listing = ListingFactory(full_name="Unique Name SE")
    url = reverse("admin:instruments_listing_changelist")
    assert list(superuser_client.get(url, {"q": "Unique Name"}).context["cl"].result_list) == []
    assert list(superuser_client.get(url, {"q": listing.instrument_id}).context["cl"].result_list) == [listing]


def test_big_changelists_offer_no_facet_counts(superuser_client):
    """Facet counts would count every filter choice over the whole table: not offered, and ignored when asked."""
    ListingFactory()
    for url_name in ("instruments_instrument", "instruments_listing", "entities_legalentity"):
        response = superuser_client.get(reverse(f"admin:{url_name}_changelist"), {"_facets": "1"})
        assert response.status_code == 200
        assert response.context["cl"].add_facets is False
        assert "Show counts" not in response.content.decode() and "Hide counts" not in response.content.decode()
