"""Listing writes: the first-version path gives the rows the version rules give."""

import pytest

from benchmarks.firds_synth import synth_trees
from ingestion.loaders.firds import LISTING_COLUMNS, batches_prepare_in_file, prepared_batch_decode
from ingestion.parsers.firds import FirdsFileInfo, iter_records
from ingestion.parsers.firds.writer import firds_file_write
from instruments import services
from instruments.models import Instrument, Listing

pytestmark = pytest.mark.django_db
RELEVANT = LISTING_COLUMNS.index("relevant_venue")


def _items(tmp_path, trees) -> list:
    path = tmp_path / "FULINS_X_20250830_01of01.zip"
    firds_file_write(path, "FULINS", trees, reporting_date="2025-08-30")
    info = FirdsFileInfo()
    batches = batches_prepare_in_file(iter_records(path, info), info, 500)
    return [item for batch in batches for item in prepared_batch_decode(batch)]


def _tables() -> tuple[list, list]:
    """Every listing and instrument row, without ids and time stamps."""
    listings = Listing.objects.order_by("instrument_id", "venue_id", "valid_from").values_list()
    instruments = Instrument.objects.order_by("isin").values_list()
    return [row[3:] for row in listings], [row[3:] for row in instruments]


def test_first_versions_give_what_the_version_rules_give(tmp_path, monkeypatch):
    """New ISINs at several venues (the relevant venue not always the lowest MIC) written as first versions hold the
    same listings and instruments as the same records applied through the version rules."""
    items = _items(tmp_path, list(synth_trees(300, seed=4)))
    venues: dict[str, list] = {}
    for item in items:
        venues.setdefault(item.isin, []).append(item)
    relevant_not_lowest = [
        isin
        for isin, records in venues.items()
        if records[0].listing[RELEVANT] in {r.mic for r in records} - {min(r.mic for r in records)}
    ]
    assert relevant_not_lowest, "the sample should hold an ISIN whose relevant venue is not its lowest MIC"

    outcomes = services.listing_upsert_batch(items, "a.zip")
    assert set(outcomes.values()) == {"inserted"}
    first = _tables()
    for isin in relevant_not_lowest:
        assert Instrument.objects.get(isin=isin).source_mic == venues[isin][0].listing[RELEVANT]

    Listing.objects.all().delete()
    Instrument.objects.all().delete()
    monkeypatch.setattr(services, "_first_versions", lambda batch, stored: ([], batch))
    assert services.listing_upsert_batch(items, "a.zip") == outcomes
    assert _tables() == first
