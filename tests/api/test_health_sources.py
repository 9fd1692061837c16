"""/health/ready/: the version, a storage check that reads the container, and GLEIF, OpenFIGI and ESMA as sources
that are "degraded" when down (never a 503), checked in the background so a probe never waits for them."""

import socket
import time
import uuid

import pytest

from marketdata import health
from tests.fakes.esma import FakeEsmaServer
from tests.fakes.gleif import FakeGleif
from tests.fakes.openfigi import FakeOpenFigi
from tests.fakes.ratelimited import Fault

pytestmark = pytest.mark.django_db
SOURCES = {"gleif", "openfigi", "esma"}
AZURITE_KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
AZURITE = (
    "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;"
    f"AccountKey={AZURITE_KEY};BlobEndpoint=http://127.0.0.1:10000/devstoreaccount1;"
)


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(autouse=True)
def fresh_sources():
    """Every test starts with no source result kept."""
    health.external_wait()
    health.external_forget()
    yield
    health.external_wait()
    health.external_forget()


@pytest.fixture
def sources_up(settings):
    """GLEIF, OpenFIGI and ESMA fakes running, with the settings pointing at them."""
    with FakeGleif() as gleif, FakeOpenFigi() as figi, FakeEsmaServer() as esma:
        settings.GLEIF_API_URL, settings.OPENFIGI_API_URL = gleif.api_url, figi.api_url
        settings.ESMA_FIRDS_REGISTRY_URL = esma.firds_url
        yield gleif, figi, esma


def _ready(client):
    response = client.get("/health/ready/")
    return response.status_code, response.json()


def test_the_version_is_shown_with_the_commit_when_set(client, settings):
    settings.GIT_SHA = "0123abc"
    _, body = _ready(client)
    assert body["version"] == "0.1.0" and body["git_sha"] == "0123abc"  # pyproject.toml's version
    settings.GIT_SHA = ""
    assert "git_sha" not in _ready(client)[1]


def test_sources_up_are_ok_after_the_background_check(client, sources_up):
    status, body = _ready(client)
    assert body["sources"] == {name: {"status": "unknown"} for name in SOURCES}  # first probe: not yet asked
    health.external_wait()
    status, body = _ready(client)
    assert body["sources"] == {name: {"status": "ok"} for name in SOURCES}
    gleif, figi, esma = sources_up
    assert gleif.log and figi.log and esma.paths("/")  # each fake was really asked


def test_sources_down_are_degraded_and_readiness_stays_200(client, settings):
    port = closed_port()
    settings.GLEIF_API_URL = settings.OPENFIGI_API_URL = f"http://127.0.0.1:{port}/api"
    settings.ESMA_FIRDS_REGISTRY_URL = f"http://127.0.0.1:{port}/solr/select"
    _ready(client)
    health.external_wait()
    status, body = _ready(client)
    assert status == 200 and body["status"] == "ok"
    assert body["sources"] == {name: {"status": "degraded", "reason": "ConnectError"} for name in SOURCES}
    assert str(port) not in str(body)  # the probe shows no host or port


def test_a_source_answering_5xx_or_429_is_degraded(client, sources_up):
    gleif, figi, _ = sources_up
    gleif.fail_next(Fault("status", status=503))
    figi.fail_next(Fault("status", status=429, seconds=1))
    health.external_refresh()
    sources = _ready(client)[1]["sources"]
    assert sources["gleif"] == {"status": "degraded", "reason": "HTTP 503"}
    assert sources["openfigi"] == {"status": "degraded", "reason": "HTTP 429"}
    assert sources["esma"] == {"status": "ok"}


def test_a_probe_never_waits_for_a_slow_source(client, sources_up, settings):
    gleif, _, _ = sources_up
    gleif.fail_next(Fault("slow", seconds=3))
    settings.HEALTH_EXTERNAL_TIMEOUT_SECONDS = 1
    started = time.monotonic()
    _ready(client)
    assert time.monotonic() - started < 1  # the check of the sources runs behind the probe
    health.external_wait()
    assert _ready(client)[1]["sources"]["gleif"] == {"status": "degraded", "reason": "timeout"}


def test_results_are_kept_until_they_are_stale(client, sources_up, settings):
    gleif, _, _ = sources_up
    health.external_refresh()
    asked = len(gleif.log)
    for _ in range(5):
        _ready(client)
    assert len(gleif.log) == asked  # fresh results: nobody asked again
    settings.HEALTH_EXTERNAL_CACHE_SECONDS = 0
    _ready(client)
    health.external_wait()
    assert len(gleif.log) == asked + 1


def test_a_missing_container_is_a_storage_error(client, settings):
    with socket.socket() as sock:
        sock.settimeout(0.5)
        if sock.connect_ex(("127.0.0.1", 10000)) != 0:
            pytest.skip("Azurite is not listening on 127.0.0.1:10000 (start it with scripts/services.sh)")
    from azure.storage.blob import BlobServiceClient

    name = f"health-{uuid.uuid4().hex[:12]}"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.azure_storage.AzureStorage",
            "OPTIONS": {"connection_string": AZURITE, "azure_container": name},
        },
    }
    status, body = _ready(client)
    assert status == 503 and body["checks"]["storage"] == {"status": "error"}
    container = BlobServiceClient.from_connection_string(AZURITE).create_container(name)
    try:
        status, body = _ready(client)
        assert body["checks"]["storage"] == {"status": "ok"}
    finally:
        container.delete_container()
