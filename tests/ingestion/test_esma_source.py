"""The ESMA registry client and the verified downloader, run against a local fake ESMA server."""

import datetime as dt
import json
import socket
import uuid
from pathlib import Path

import pytest
from django.core.files.storage import default_storage

from ingestion.sources.esma import EsmaRegistryClient, RegistryFile
from ingestion.sources.http import (
    ChecksumMismatch,
    Download,
    SourceResponseError,
    SourceUnavailable,
    file_download,
    local_path,
)
from tests.fakes.esma import FIRDS_CORE, FITRS_CORE, FIXTURES, RECORDED_ANSWERS, FakeEsmaServer

ZIP_NAME = "FULINS_E_20260815_01of01.zip"
AZURITE_KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="


def recorded_docs() -> list[dict]:
    """Every doc of the recorded registry answers shipped in tests/fixtures/esma."""
    return [doc for name in RECORDED_ANSWERS for doc in json.loads((FIXTURES / name).read_text())["response"]["docs"]]


def recorded_names(day_from: str, day_to: str, prefix: str = "") -> set[str]:
    """File names of the recorded docs published in a window, optionally starting with ``prefix``."""
    return {
        d["file_name"]
        for d in recorded_docs()
        if day_from <= d["publication_date"][:10] <= day_to and d["file_name"].startswith(prefix)
    }


@pytest.fixture
def esma(settings):
    """A running fake ESMA server with the recorded answers; settings point at it, retries are quick."""
    with FakeEsmaServer() as fake:
        fake.load_recorded()
        settings.ESMA_FIRDS_REGISTRY_URL = fake.firds_url
        settings.ESMA_FITRS_REGISTRY_URL = fake.fitrs_url
        settings.HTTP_TIMEOUT_SECONDS = 0.5
        settings.HTTP_MAX_RETRIES = 2
        settings.HTTP_RETRY_BACKOFF_SECONDS = 0.01
        yield fake


@pytest.fixture
def zip_bytes() -> bytes:
    """A tiny valid FULINS zip."""
    return (FIXTURES / ZIP_NAME).read_bytes()


def test_files_pages_through_every_result(esma):
    """A window wider than one page is read page by page until numFound docs are in."""
    files = EsmaRegistryClient().files("2019-05-16", "2019-05-30")
    expected = recorded_names("2019-05-16", "2019-05-30")
    assert len(expected) > 3 * esma.max_rows
    assert {f.file_name for f in files} == expected
    starts = [int(p.split("start=")[1].split("&")[0]) for p in esma.paths(FIRDS_CORE)]
    assert starts == list(range(0, len(expected), esma.max_rows))


def test_files_follow_short_pages(esma):
    """When the server returns fewer rows than asked, the client advances by what it got, not by rows."""
    client = EsmaRegistryClient()
    client.page_size = 1000
    esma.max_rows = 7
    files = client.files(dt.date(2018, 8, 25))
    assert {f.file_name for f in files} == recorded_names("2018-08-25", "2018-08-25")
    assert len(esma.paths(FIRDS_CORE)) == -(-len(files) // 7)


def test_files_of_one_day_and_their_fields(esma):
    """One day's files only, with typed fields; old answers have no checksum."""
    files = EsmaRegistryClient().files(dt.date(2019, 5, 24))
    assert {f.file_name for f in files} == recorded_names("2019-05-24", "2019-05-24")
    first = files[0]
    assert first.publication_date == dt.date(2019, 5, 24)
    assert first.file_type == "DLTINS"
    assert first.checksum == ""
    assert first.download_link == esma.file_url(first.file_name)
    assert first.storage_name == f"firds/{first.file_name}"


def test_files_filtered_by_type_and_cfi_letter(esma):
    """file_type and the CFI letter in the file name narrow the list; full sets sort before deltas."""
    client = EsmaRegistryClient()
    shares = client.files("2019-05-25", file_type="fulins", cfi="s")
    assert {f.file_name for f in shares} == recorded_names("2019-05-25", "2019-05-25", "FULINS_S_")
    assert {f.cfi_letter for f in shares} == {"S"}
    deltas = client.files("2019-05-25", file_type="DLTINS")
    assert {f.file_name for f in deltas} == recorded_names("2019-05-25", "2019-05-25", "DLTINS_")
    everything = client.files("2019-05-25")
    types = [f.file_type for f in everything]
    assert types == sorted(types, key=lambda t: t != "FULINS")
    assert client.files("2019-05-25", file_type="DLTINS", cfi="S") == []


def test_full_set_is_the_latest_fulins_of_the_week(esma):
    """The week's full set: the FULINS parts of the latest publication in the seven days up to the date."""
    files = EsmaRegistryClient().full_set(dt.date(2019, 5, 30))
    assert {f.file_name for f in files} == recorded_names("2019-05-25", "2019-05-25", "FULINS_")
    assert EsmaRegistryClient().full_set(dt.date(2019, 5, 17)) == []


def test_fitrs_registry_filters_on_creation_date(esma):
    """The FITRS core is asked with creation_date (the fake rejects publication_date there)."""
    esma.add_file("FULECR_20250830_E_1of1.zip", b"fitrs", "2025-08-30", core=FITRS_CORE)
    esma.add_file("FULNCR_20250830_D_1of1.zip", b"fitrs", "2025-08-30", core=FITRS_CORE)
    files = EsmaRegistryClient.fitrs().files("2025-08-30", cfi="E")
    assert [(f.file_name, f.file_type, f.source) for f in files] == [("FULECR_20250830_E_1of1.zip", "FULECR", "fitrs")]
    assert files[0].storage_name == "fitrs/FULECR_20250830_E_1of1.zip"
    assert "creation_date" in esma.paths(FITRS_CORE)[0].replace("%3A", ":")


def test_registry_5xx_retried_then_answered(esma):
    """A 429 and a 503, then the answer: the client retries and gets every file."""
    esma.fail(FIRDS_CORE, 429, times=1)
    esma.fail(FIRDS_CORE, 503, times=1)
    files = EsmaRegistryClient().files("2018-08-25")
    assert {f.file_name for f in files} == recorded_names("2018-08-25", "2018-08-25")
    assert len(esma.paths(FIRDS_CORE)) == 2 + -(-len(files) // esma.max_rows)


def test_registry_5xx_beyond_retries_is_a_clear_error(esma):
    """A registry that keeps failing gives up after 1 + HTTP_MAX_RETRIES attempts, naming the URL."""
    esma.fail(FIRDS_CORE, 502, times=10)
    with pytest.raises(SourceUnavailable, match=r"esma_registers_firds_files/select.*3 attempts.*HTTP 502"):
        EsmaRegistryClient().files("2018-08-25")
    assert len(esma.paths(FIRDS_CORE)) == 3


def test_registry_timeouts_retried_then_a_clear_error(esma):
    """Slow answers time out; one is retried past, endless ones end in an error naming the URL."""
    esma.slow(FIRDS_CORE, seconds=2.0, times=1)
    assert EsmaRegistryClient().files("2018-08-25")
    esma.slow(FIRDS_CORE, seconds=2.0, times=10)
    with pytest.raises(SourceUnavailable, match=r"select.*3 attempts.*Timeout"):
        EsmaRegistryClient().files("2018-08-25")


def test_registry_client_error_is_not_retried(esma):
    """A 4xx is the client's fault: no retry, an error naming the URL and status."""
    esma.fail(FIRDS_CORE, 404, times=1)
    with pytest.raises(SourceResponseError, match=r"select.* answered HTTP 404"):
        EsmaRegistryClient().files("2018-08-25")
    assert len(esma.paths(FIRDS_CORE)) == 1


def test_registry_answer_that_is_not_solr_is_rejected(esma):
    """A JSON answer without response.docs is an error naming the URL, not an empty list."""
    client = EsmaRegistryClient(esma.base_url + "/firds/not-solr.json")
    esma.files["/firds/not-solr.json"] = b'{"error": "maintenance"}'
    with pytest.raises(SourceResponseError, match="not-solr.json.*not a Solr answer"):
        client.files("2018-08-25")


def test_download_verifies_and_keeps_the_file_in_storage(esma, storage, zip_bytes):
    """A listed file is downloaded, its MD5 checked, and kept in storage under firds/<name>."""
    esma.add_file(ZIP_NAME, zip_bytes, "2026-08-15")
    (registry_file,) = EsmaRegistryClient().files("2026-08-15")
    assert registry_file.checksum
    path = file_download(registry_file)
    assert Path(path) == storage / "firds" / ZIP_NAME
    assert Path(path).read_bytes() == zip_bytes
    assert default_storage.exists(f"firds/{ZIP_NAME}")
    assert list((storage / "firds").iterdir()) == [Path(path)]
    assert local_path(f"firds/{ZIP_NAME}") == path


def test_download_with_a_known_checksum_is_not_repeated(esma, storage, zip_bytes):
    """A file already in storage with the announced checksum is not fetched again."""
    esma.add_file(ZIP_NAME, zip_bytes, "2026-08-15")
    (registry_file,) = EsmaRegistryClient().files("2026-08-15")
    file_download(registry_file)
    file_download(registry_file)
    assert len(esma.paths("/firds/")) == 1


def test_download_checksum_mismatch_is_rejected_and_not_kept(esma, storage, zip_bytes):
    """A body whose MD5 differs from the registry's is deleted and reported."""
    esma.add_file(ZIP_NAME, zip_bytes, "2026-08-15", checksum="0" * 32)
    (registry_file,) = EsmaRegistryClient().files("2026-08-15")
    with pytest.raises(ChecksumMismatch, match=rf"{ZIP_NAME}: MD5 \w+ does not match.*0{{32}}"):
        file_download(registry_file)
    assert not default_storage.exists(f"firds/{ZIP_NAME}")
    assert not [p for p in storage.rglob("*") if p.is_file()]


def test_download_truncated_body_is_retried(esma, storage, zip_bytes):
    """A connection that closes half-way through a sized body is retried and the full file kept."""
    esma.add_file(ZIP_NAME, zip_bytes, "2026-08-15")
    esma.truncate(f"/firds/{ZIP_NAME}", times=1)
    path = file_download(EsmaRegistryClient().files("2026-08-15")[0])
    assert Path(path).read_bytes() == zip_bytes
    assert len(esma.paths("/firds/")) == 2


def test_download_truncated_unsized_body_fails_its_checksum(esma, storage, zip_bytes):
    """A body cut short without Content-Length looks complete to HTTP; the checksum catches it."""
    esma.add_file(ZIP_NAME, zip_bytes, "2026-08-15")
    esma.truncate(f"/firds/{ZIP_NAME}", times=1, content_length=False)
    with pytest.raises(ChecksumMismatch, match=ZIP_NAME):
        file_download(EsmaRegistryClient().files("2026-08-15")[0])
    assert not [p for p in storage.rglob("*") if p.is_file()]


def test_download_5xx_and_timeouts_beyond_retries_keep_nothing(esma, storage, zip_bytes):
    """A download that keeps failing ends in an error naming its URL, with no file or .part left."""
    esma.add_file(ZIP_NAME, zip_bytes, "2026-08-15")
    (registry_file,) = EsmaRegistryClient().files("2026-08-15")
    esma.fail(f"/firds/{ZIP_NAME}", 500, times=3)
    with pytest.raises(SourceUnavailable, match=rf"/firds/{ZIP_NAME} failed after 3 attempts; last error: HTTP 500"):
        file_download(registry_file)
    esma.slow(f"/firds/{ZIP_NAME}", seconds=2.0, times=3)
    with pytest.raises(SourceUnavailable, match=rf"/firds/{ZIP_NAME} failed after 3 attempts.*Timeout"):
        file_download(registry_file)
    assert not [p for p in storage.rglob("*") if p.is_file()]
    esma.fail(f"/firds/{ZIP_NAME}", 503, times=2)
    assert Path(file_download(registry_file)).read_bytes() == zip_bytes


def test_download_without_checksum_is_kept_unverified(esma, storage, zip_bytes):
    """Files listed before 2021 carry no checksum: they are downloaded (and fetched again each time)."""
    esma.files["/gleif/golden-copy.zip"] = zip_bytes
    download = Download(esma.base_url + "/gleif/golden-copy.zip", "gleif/golden-copy.zip")
    assert Path(file_download(download)).read_bytes() == zip_bytes
    assert Path(file_download(download)).read_bytes() == zip_bytes
    assert len(esma.paths("/gleif/")) == 2


def test_registry_file_round_trips_as_task_argument():
    """RegistryFile.as_dict is JSON-friendly and from_dict restores it."""
    original = RegistryFile(ZIP_NAME, "FULINS", "http://x/" + ZIP_NAME, dt.date(2026, 8, 15), "ab" * 16)
    assert RegistryFile.from_dict(json.loads(json.dumps(original.as_dict()))) == original


def _azurite_running() -> bool:
    """Whether something listens on Azurite's blob port."""
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", 10000)) == 0


def test_download_lands_in_blob_storage(esma, settings, tmp_path, zip_bytes):
    """With Azure Blob Storage configured (Azurite), the verified file is uploaded to the container."""
    if not _azurite_running():
        pytest.skip("Azurite is not listening on 127.0.0.1:10000 (start it with scripts/services.sh)")
    from azure.storage.blob import BlobServiceClient

    connection = (
        "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;"
        f"AccountKey={AZURITE_KEY};BlobEndpoint=http://127.0.0.1:10000/devstoreaccount1;"
    )
    container = f"test-{uuid.uuid4().hex[:12]}"
    service = BlobServiceClient.from_connection_string(connection)
    service.create_container(container)
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.azure_storage.AzureStorage",
            "OPTIONS": {"connection_string": connection, "azure_container": container, "overwrite_files": True},
        },
    }
    try:
        esma.add_file(ZIP_NAME, zip_bytes, "2026-08-15")
        path = file_download(EsmaRegistryClient().files("2026-08-15")[0])
        blob = service.get_blob_client(container, f"firds/{ZIP_NAME}")
        assert blob.download_blob().readall() == zip_bytes
        assert Path(path).is_relative_to(tmp_path / "media") and Path(path).read_bytes() == zip_bytes
        Path(path).unlink()
        assert Path(local_path(f"firds/{ZIP_NAME}")).read_bytes() == zip_bytes
    finally:
        service.delete_container(container)
