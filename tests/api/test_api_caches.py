"""The caches behind fast reads: verified API keys and instruments/{isin}/ responses stay correct after changes."""

import datetime

import pytest
from django.core.cache import cache
from django.test import Client

from ingestion.services import ingestion_run
from instruments.models import Instrument, Listing
from marketdata.api import authentication
from marketdata.models import ApiKey
from marketdata.services import api_key_issue
from tests.factories import InstrumentFactory, ListingFactory, VenueFactory, make_isin

from .base import client_for, make_user

URL = "/api/v1/instruments/{isin}/"


@pytest.fixture
def detail_cache(settings, db):
    """instruments/{isin}/ responses cached (as with Redis), in an empty cache."""
    settings.API_DETAIL_CACHE_SECONDS = 300
    cache.clear()
    yield
    cache.clear()


def full_name(client, isin: str, **params) -> str:
    return client.get(URL.format(isin=isin), params).json()["full_name"]


def test_detail_cache_serves_repeats_and_a_finished_load_or_an_edit_shows_at_once(
    detail_cache, django_capture_on_commit_callbacks
):
    client = client_for(make_user("analyst"))
    isin = InstrumentFactory(full_name="First").isin
    assert full_name(client, isin) == "First"
    Instrument.objects.filter(isin=isin).update(full_name="Bulk")  # no signal: a loader's bulk write
    assert full_name(client, isin) == "First"  # served from the cache until the load finishes
    with django_capture_on_commit_callbacks(execute=True):
        with ingestion_run("firds", "FULINS_E_test.zip"):
            pass
    assert full_name(client, isin) == "Bulk"
    with django_capture_on_commit_callbacks(execute=True):
        Instrument.objects.filter(isin=isin).update(full_name="Edited")
        Instrument.objects.get(isin=isin).save()  # e.g. a curator's admin edit
    assert full_name(client, isin) == "Edited"


def test_detail_cache_keeps_as_of_apart_and_listing_edits_show(detail_cache, django_capture_on_commit_callbacks):
    client = client_for(make_user("analyst"))
    isin = InstrumentFactory().isin
    VenueFactory(mic="XETR", market_name="Xetra")
    ListingFactory(
        instrument_id=isin, full_name="Old", valid_from="2024-01-01", valid_to="2024-06-30", is_current=False
    )
    ListingFactory(instrument_id=isin, full_name="New", valid_from="2024-07-01")
    url = URL.format(isin=isin)
    assert [row["full_name"] for row in client.get(url).json()["listings"]] == ["New"]
    assert [row["full_name"] for row in client.get(url, {"as_of": "2024-03-01"}).json()["listings"]] == ["Old"]
    with django_capture_on_commit_callbacks(execute=True):
        listing = Listing.objects.get(instrument_id=isin, is_current=True)
        listing.termination_date = datetime.datetime(2025, 1, 1, tzinfo=datetime.UTC)
        listing.save()
    assert client.get(url).json()["listings"][0]["termination_date"] == "2025-01-01T00:00:00Z"
    assert client.get(URL.format(isin="XS0000000018")).status_code == 400
    assert client.get(URL.format(isin=make_isin(987654321))).status_code == 404


def test_detail_without_cache_reads_the_database_every_time(settings, db):
    settings.API_DETAIL_CACHE_SECONDS = 0
    client = client_for(make_user("analyst"))
    isin = InstrumentFactory(full_name="First").isin
    assert full_name(client, isin) == "First"
    Instrument.objects.filter(isin=isin).update(full_name="Bulk")
    assert full_name(client, isin) == "Bulk"


def test_verified_api_key_is_cached_but_revocation_expiry_and_deactivation_apply(settings, db):
    settings.API_KEY_CACHE_SECONDS = 300
    user = make_user("analyst")
    api_key, raw_key = api_key_issue(user=user)
    client = Client(HTTP_AUTHORIZATION=f"Api-Key {raw_key}")
    assert client.get("/api/v1/cfi/ESVUFR/").status_code == 200
    soon = datetime.datetime.now(datetime.UTC) - datetime.timedelta(seconds=1)
    ApiKey.objects.filter(pk=api_key.pk).update(expires_at=soon)  # no signal: only the cache answers
    assert client.get("/api/v1/cfi/ESVUFR/").status_code == 200
    api_key.refresh_from_db()
    api_key.expires_at = None
    api_key.save()  # a save drops the cached verification
    assert client.get("/api/v1/cfi/ESVUFR/").status_code == 200
    user.is_active = False
    user.save()
    assert client.get("/api/v1/cfi/ESVUFR/").status_code == 401
    user.is_active = True
    user.save()
    assert client.get("/api/v1/cfi/ESVUFR/").status_code == 200
    api_key.revoked_at = datetime.datetime.now(datetime.UTC)
    api_key.save(update_fields=["revoked_at"])
    assert client.get("/api/v1/cfi/ESVUFR/").status_code == 401


def test_cached_api_key_past_its_expiry_is_refused_without_a_save(settings, db):
    settings.API_KEY_CACHE_SECONDS = 300
    settings.API_KEY_LOCAL_SECONDS = 0  # the shared cache's entry alone
    expires_at = datetime.datetime.now(datetime.UTC) + datetime.timedelta(hours=1)
    api_key, raw_key = api_key_issue(user=make_user("analyst"), expires_at=expires_at)
    client = Client(HTTP_AUTHORIZATION=f"Api-Key {raw_key}")
    assert client.get("/api/v1/cfi/ESVUFR/").status_code == 200
    cached_key, verified_at = cache.get(f"api-key:{api_key.hashed_key}")
    cached_key.expires_at = datetime.datetime.now(datetime.UTC) - datetime.timedelta(seconds=1)
    cache.set(f"api-key:{api_key.hashed_key}", (cached_key, verified_at), 300)  # as if an hour had passed
    assert client.get("/api/v1/cfi/ESVUFR/").status_code == 401


def test_key_held_by_the_process_skips_the_cache_until_its_time_is_up(settings, db, monkeypatch):
    settings.API_KEY_CACHE_SECONDS = 300
    settings.API_KEY_LOCAL_SECONDS = 60
    api_key, raw_key = api_key_issue(user=make_user("analyst"))
    client = Client(HTTP_AUTHORIZATION=f"Api-Key {raw_key}")
    assert client.get("/api/v1/cfi/ESVUFR/").status_code == 200
    cache_reads = []
    monkeypatch.setattr(cache, "get", lambda *args, **kwargs: cache_reads.append(args))
    assert client.get("/api/v1/cfi/ESVUFR/").status_code == 200
    assert cache_reads == []
    monkeypatch.undo()
    # Another process revokes the key: its signal reaches the shared cache, not this process's memory.
    ApiKey.objects.filter(pk=api_key.pk).update(revoked_at=datetime.datetime.now(datetime.UTC))
    cache.delete(f"api-key:{api_key.hashed_key}")
    assert client.get("/api/v1/cfi/ESVUFR/").status_code == 200
    held_key, held_at = authentication._HELD[api_key.hashed_key]
    authentication._HELD[api_key.hashed_key] = (held_key, held_at - 60)  # as if API_KEY_LOCAL_SECONDS had passed
    assert client.get("/api/v1/cfi/ESVUFR/").status_code == 401


def test_key_held_by_the_process_is_refused_once_expired_or_saved(settings, db):
    settings.API_KEY_LOCAL_SECONDS = 60
    expires_at = datetime.datetime.now(datetime.UTC) + datetime.timedelta(hours=1)
    api_key, raw_key = api_key_issue(user=make_user("analyst"), expires_at=expires_at)
    client = Client(HTTP_AUTHORIZATION=f"Api-Key {raw_key}")
    assert client.get("/api/v1/cfi/ESVUFR/").status_code == 200
    held_key, _ = authentication._HELD[api_key.hashed_key]
    held_key.expires_at = datetime.datetime.now(datetime.UTC) - datetime.timedelta(seconds=1)  # an hour later
    assert client.get("/api/v1/cfi/ESVUFR/").status_code == 401
    api_key.refresh_from_db()
    api_key.expires_at = None
    api_key.save()  # this process's save drops what it held
    assert api_key.hashed_key not in authentication._HELD
    assert client.get("/api/v1/cfi/ESVUFR/").status_code == 200
    api_key.revoked_at = datetime.datetime.now(datetime.UTC)
    api_key.save(update_fields=["revoked_at"])
    assert client.get("/api/v1/cfi/ESVUFR/").status_code == 401
