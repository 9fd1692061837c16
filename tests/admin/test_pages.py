"""Every registered admin answers, and the instrument page shows what a person needs."""

import pytest
from django.contrib import admin
from django.urls import reverse

from .factories import (
    EntityRelationshipFactory,
    FigiMappingFactory,
    IngestionRunFactory,
    InstrumentFactory,
    LegalEntityFactory,
    ListingFactory,
    ReportingExceptionFactory,
    TransparencyFactory,
    VenueFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def one_of_each(db):
    """At least one row for every model this project's admin shows."""
    entity = LegalEntityFactory()
    venue = VenueFactory()
    VenueFactory(kind="SGMT", operating=venue)
    ListingFactory(instrument=InstrumentFactory(issuer=entity), venue=venue)
    EntityRelationshipFactory(child=entity)
    ReportingExceptionFactory(entity=entity)
    FigiMappingFactory()
    TransparencyFactory()
    IngestionRunFactory()


def _registered():
    return sorted(admin.site._registry.items(), key=lambda item: item[0]._meta.label)


def test_every_registered_admin_renders_changelist_search_and_change(superuser_client, one_of_each):
    opened = []
    for model, model_admin in _registered():
        info = model._meta.app_label, model._meta.model_name
        changelist = reverse("admin:{}_{}_changelist".format(*info))
        assert superuser_client.get(changelist).status_code == 200, changelist
        if model_admin.search_fields:
            response = superuser_client.get(changelist, {"q": "XS0000000000"})
            assert response.status_code == 200, f"{changelist}?q="
            response = superuser_client.get(changelist, {"q": "name"})
            assert response.status_code == 200, f"{changelist}?q=name"
        obj = model_admin.get_queryset(superuser_client.request().wsgi_request).first()
        if obj is not None:
            change = reverse("admin:{}_{}_change".format(*info), args=[obj.pk])
            response = superuser_client.get(change)
            assert response.status_code == 200, change
            opened.append(model._meta.label)
    expected = {
        "instruments.Instrument",
        "instruments.Listing",
        "instruments.FigiMapping",
        "instruments.Transparency",
        "entities.LegalEntity",
        "entities.EntityRelationship",
        "entities.ReportingException",
        "venues.Venue",
        "ingestion.IngestionRun",
    }
    assert expected <= set(opened)


def test_every_model_of_the_data_apps_is_registered():
    from django.apps import apps

    from marketdata.roles import DATA_APPS

    models = {model for label in DATA_APPS for model in apps.get_app_config(label).get_models()}
    assert models - set(admin.site._registry) == set()


def test_instrument_page_shows_issuer_cfi_listings_and_links(superuser_client):
    entity = LegalEntityFactory(legal_name="Kreditanstalt fuer Wiederaufbau")
    instrument = InstrumentFactory(isin="DE000A1R07V3", issuer=entity, cfi_code="DBFTFB")
    ListingFactory(instrument=instrument, venue=VenueFactory(mic="XEUM", market_name="Euronext Access Paris"))
    ListingFactory(instrument=instrument, venue_id="XMAD")  # a venue that is not loaded
    html = superuser_client.get(reverse("admin:instruments_instrument_change", args=[instrument.pk])).content.decode()
    assert "Kreditanstalt fuer Wiederaufbau" in html
    assert reverse("admin:entities_legalentity_change", args=[entity.pk]) in html
    assert "Debt instruments" in html and "Bonds" in html and "Fixed rate" in html
    assert "Euronext Access Paris" in html and "XMAD" in html and "(MIC not loaded)" in html
    assert f"{reverse('admin:instruments_listing_changelist')}?instrument__exact={instrument.isin}" in html


def test_instrument_page_names_an_issuer_that_is_not_loaded(superuser_client):
    instrument = InstrumentFactory(issuer_id="529900W18LQJJN6SJ336", cfi_code="ZZZZZZ")
    html = superuser_client.get(reverse("admin:instruments_instrument_change", args=[instrument.pk])).content.decode()
    assert "529900W18LQJJN6SJ336 (LEI not loaded)" in html
    assert "invalid CFI" in html


def test_related_links_filter_their_changelists(superuser_client):
    entity = LegalEntityFactory()
    instrument = InstrumentFactory(issuer=entity)
    ListingFactory(instrument=instrument)
    ListingFactory()
    EntityRelationshipFactory(parent=entity)
    EntityRelationshipFactory()
    FigiMappingFactory(isin=instrument.isin)
    TransparencyFactory(identifier=instrument.isin)
    FigiMappingFactory()
    TransparencyFactory()
    for url_name, param, value in [
        ("instruments_listing", "instrument__exact", instrument.isin),
        ("instruments_figimapping", "isin", instrument.isin),
        ("instruments_transparency", "identifier", instrument.isin),
        ("entities_entityrelationship", "parent__exact", entity.lei),
        ("instruments_instrument", "issuer__exact", entity.lei),
        ("instruments_listing", "venue__exact", ListingFactory().venue_id),
    ]:
        response = superuser_client.get(reverse(f"admin:{url_name}_changelist"), {param: value})
        assert response.status_code == 200 and "e" not in response.wsgi_request.GET, url_name
        assert len(response.context["cl"].result_list) == 1, url_name


def test_entity_page_links_children_and_instruments_with_counts(superuser_client):
    entity = LegalEntityFactory()
    EntityRelationshipFactory.create_batch(3, parent=entity)
    InstrumentFactory.create_batch(2, issuer=entity)
    html = superuser_client.get(reverse("admin:entities_legalentity_change", args=[entity.pk])).content.decode()
    assert "3 child relationships" in html and "2 instruments" in html


def test_venue_page_links_its_current_listings(superuser_client):
    venue = VenueFactory(mic="XPAR")
    ListingFactory(venue=venue)
    ListingFactory(venue=venue, is_current=False, valid_from="2025-01-01")
    html = superuser_client.get(reverse("admin:venues_venue_change", args=[venue.pk])).content.decode()
    link = f"{reverse('admin:instruments_listing_changelist')}?venue__exact=XPAR&amp;is_current__exact=1"
    assert link in html
    response = superuser_client.get(link.replace("&amp;", "&"))
    assert len(response.context["cl"].result_list) == 1
