"""Existing databases: the migration keeps what is stored, and `load_firds --rebuild` fills in every venue's record."""

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from ingestion.pipelines.firds import firds_files_on_record, firds_load_paths
from instruments.models import Instrument as CurrentInstrument
from instruments.models import Listing

SAMPLES = Path(__file__).resolve().parents[2] / "samples" / "firds"


@pytest.mark.django_db
def test_rebuild_reloads_the_files_on_record_in_order_and_fills_every_venues_record(tmp_path):
    runs = firds_load_paths([SAMPLES])
    assert [run.file_name for run in runs] == firds_files_on_record()
    whole = {(row.instrument_id, row.venue_id, row.valid_from): row.record for row in Listing.objects.all()}
    # what a migrated database holds: no record (nor terms) for venues other than the instrument's
    Listing.objects.update(record=None, expiry_date=None)
    out = StringIO()
    call_command("load_firds", "--rebuild", str(SAMPLES), stdout=out)
    assert {(row.instrument_id, row.venue_id, row.valid_from): row.record for row in Listing.objects.all()} == whole
    assert Listing.objects.filter(record__isnull=True).count() == 0
    with pytest.raises(CommandError, match=r"11 file\(s\) on record not found in .*FULINS_C_20250830_01of01.zip"):
        call_command("load_firds", "--rebuild", str(tmp_path), stdout=StringIO())


@pytest.mark.django_db(transaction=True)
def test_migration_moves_each_instruments_record_to_its_listing_and_blanks_become_null():
    executor = MigrationExecutor(connection)
    executor.migrate([("instruments", "0003_instrument_category_currency_index")])
    old = executor.loader.project_state([("instruments", "0003_instrument_category_currency_index")]).apps
    Instrument, Listing_ = old.get_model("instruments", "Instrument"), old.get_model("instruments", "Listing")
    tree = {"TradgVnRltdAttrbts": {"Id": "XEUR"}, "DerivInstrmAttrbts": {"XpryDt": "2026-12-18"}}
    Instrument.objects.create(
        isin="DE000C0000X1", attributes=tree, expiry_date="2026-12-18", option_type="", debt_seniority=""
    )
    for mic in ("XEUR", "XMAD"):
        Listing_.objects.create(instrument_id="DE000C0000X1", venue_id=mic, valid_from="2025-09-01", issuer_lei="")
    try:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
        instrument = CurrentInstrument.objects.get(isin="DE000C0000X1")
        assert (instrument.source_mic, instrument.option_type, instrument.debt_seniority) == ("XEUR", None, None)
        moved = Listing.objects.get(venue_id="XEUR")
        assert moved.record == tree and str(moved.expiry_date) == "2026-12-18" and moved.issuer_lei is None
        other = Listing.objects.get(venue_id="XMAD")  # never stored before: filled by a rebuild
        assert other.record is None and other.expiry_date is None
    finally:  # (the test database is flushed after a transactional test)
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
