"""The Transparency admin on loaded FITRS files: changelist filters and search, the detail with the whole record
and a link to the instrument (or why there is none)."""

from pathlib import Path

import pytest
from django.urls import reverse

from ingestion.pipelines.fitrs import fitrs_load_paths
from instruments.models import Transparency

from .factories import InstrumentFactory

ROOT = Path(__file__).resolve().parents[2]
CHANGELIST = "admin:instruments_transparency_changelist"

pytestmark = pytest.mark.django_db


@pytest.fixture
def loaded():
    """The FITRS sample set, through the real loader."""
    runs = fitrs_load_paths([ROOT / "samples" / "fitrs"])
    assert {run.status for run in runs} == {"succeeded"}


def test_changelist_filters_and_search(superuser_client, loaded):
    for params, expected in [
        ({"classification": "ETFS"}, 3),
        ({"methodology": "SINT"}, 9),
        (
            {"liquid__exact": "1", "classification": "SDRV"},
            Transparency.objects.filter(liquid=True, classification="SDRV").count(),
        ),
        ({"is_equity__exact": "1"}, 9),
        ({"file_type": "DLTNCR"}, 2),
        ({"q": "XS2749349564"}, 4),  # three versions of 2025-08-30, one of the delta
        ({"q": "Swaptions"}, 9),
    ]:
        response = superuser_client.get(reverse(CHANGELIST), params)
        assert response.status_code == 200, params
        assert len(response.context["cl"].result_list) == expected, params


def test_detail_shows_the_record_and_links_the_instrument_when_loaded(superuser_client, loaded):
    row = Transparency.objects.get(identifier="XS2749349564", valid_to__isnull=False)
    url = reverse("admin:instruments_transparency_change", args=[row.pk])
    html = superuser_client.get(url).content.decode()
    assert "XS2749349564 (not loaded from FIRDS)" in html
    assert "record as fitrs sent it" in html.lower() and "PreTradInstrmSzSpcfcThrshld" in html
    instrument = InstrumentFactory(isin="XS2749349564")
    html = superuser_client.get(url).content.decode()
    assert reverse("admin:instruments_instrument_change", args=[instrument.pk]) in html
