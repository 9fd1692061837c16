"""Analysts view, curators view and change, nobody but a superuser deletes."""

import pytest
from django.urls import reverse

from instruments.models import Instrument

from .factories import InstrumentFactory, ListingFactory

pytestmark = pytest.mark.django_db


def _change_url(instrument):
    return reverse("admin:instruments_instrument_change", args=[instrument.pk])


def _form_data(instrument, **changes):
    """The instrument change form as a browser would post it (no listing rows: the inline is read-only)."""
    data = {
        "isin": instrument.isin,
        "full_name": instrument.full_name,
        "short_name": "",
        "cfi_code": instrument.cfi_code,
        "category": instrument.category,
        "instrument_type": instrument.instrument_type,
        "currency": instrument.currency,
        "commodity_derivative": "unknown",
        "underlying_isins": "[]",
        "attributes": "{}",
        "listings-TOTAL_FORMS": "0",
        "listings-INITIAL_FORMS": "0",
        "listings-MIN_NUM_FORMS": "0",
        "listings-MAX_NUM_FORMS": "1000",
    }
    data.update(changes)
    return data


def test_analyst_can_view_but_not_change(analyst_client):
    instrument = ListingFactory().instrument
    assert analyst_client.get(reverse("admin:instruments_instrument_changelist")).status_code == 200
    page = analyst_client.get(_change_url(instrument))
    assert page.status_code == 200
    html = page.content.decode()
    assert instrument.isin in html
    assert 'name="_save"' not in html
    assert 'name="full_name"' not in html and "<textarea" not in html  # fields shown as text, not widgets
    assert "Test bond" in html

    response = analyst_client.post(_change_url(instrument), _form_data(instrument, full_name="Changed"))
    assert response.status_code == 403
    instrument.refresh_from_db()
    assert instrument.full_name != "Changed"
    assert analyst_client.get(reverse("admin:instruments_instrument_add")).status_code == 403
    assert analyst_client.get(reverse("admin:instruments_instrument_delete", args=[instrument.pk])).status_code == 403


def test_analyst_sees_every_data_app_on_the_index_but_ingestion_runs(analyst_client):
    html = analyst_client.get(reverse("admin:index")).content.decode()
    for url_name in (
        "instruments_instrument",
        "instruments_listing",
        "entities_legalentity",
        "entities_entityrelationship",
        "venues_venue",
    ):
        assert reverse(f"admin:{url_name}_changelist") in html
    assert reverse("admin:auth_user_changelist") not in html
    # The admin grants what the API grants: ingestion runs are for curators and admins (the API answers 403).
    assert reverse("admin:ingestion_ingestionrun_changelist") not in html
    assert analyst_client.get(reverse("admin:ingestion_ingestionrun_changelist")).status_code == 403


def test_curator_can_change(curator_client):
    instrument = InstrumentFactory()
    page = curator_client.get(_change_url(instrument))
    assert 'name="_save"' in page.content.decode()

    response = curator_client.post(_change_url(instrument), _form_data(instrument, full_name="Corrected name"))
    assert response.status_code == 302, response.content.decode()[:2000]
    instrument.refresh_from_db()
    assert instrument.full_name == "Corrected name"


def test_curator_can_add_but_not_delete(curator_client):
    response = curator_client.post(
        reverse("admin:instruments_instrument_add"),
        _form_data(InstrumentFactory.build(isin="DE000A1R07V3", full_name="KFW 1 5/8 01/15/21")),
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    instrument = Instrument.objects.get(isin="DE000A1R07V3")
    url = reverse("admin:instruments_instrument_delete", args=[instrument.pk])
    assert curator_client.post(url, {"post": "yes"}).status_code == 403
    assert Instrument.objects.filter(isin="DE000A1R07V3").exists()


def test_ingestion_runs_are_read_only_even_for_curators(curator_client):
    from .factories import IngestionRunFactory

    run = IngestionRunFactory()
    assert curator_client.get(reverse("admin:ingestion_ingestionrun_add")).status_code == 403
    html = curator_client.get(reverse("admin:ingestion_ingestionrun_change", args=[run.pk])).content.decode()
    assert run.file_name in html
    assert 'name="file_name"' not in html
