"""A container per source against Azurite: firds/X.zip is blob X.zip in the FIRDS container, and back."""

import socket
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from ingestion.blob_storage import UnmappedStorageName
from ingestion.sources.esma import EsmaRegistryClient
from ingestion.sources.http import file_download, local_path
from tests.fakes.esma import FIXTURES, FakeEsmaServer
from tests.ingestion.test_storage_plan import _containers

ZIP_NAME = "FULINS_E_20260815_01of01.zip"


@pytest.fixture
def containers(settings, tmp_path):
    """Fresh FIRDS and FITRS containers in Azurite behind the default storage; their clients by source."""
    with socket.socket() as sock:
        sock.settimeout(0.5)
        if sock.connect_ex(("127.0.0.1", 10000)) != 0:
            pytest.skip("Azurite is not listening on 127.0.0.1:10000 (start it with scripts/services.sh)")
    settings.MEDIA_ROOT = str(tmp_path / "media")
    clients = _containers(settings, {"overwrite_files": True})
    yield clients
    for client in clients.values():
        client.delete_container()


def test_a_download_lands_in_its_sources_container(containers, settings):
    zip_bytes = (FIXTURES / ZIP_NAME).read_bytes()
    with FakeEsmaServer() as esma:
        settings.ESMA_FIRDS_REGISTRY_URL = esma.firds_url
        esma.add_file(ZIP_NAME, zip_bytes, "2026-08-15")
        path = file_download(EsmaRegistryClient().files("2026-08-15")[0])
    assert [blob.name for blob in containers["firds"].list_blobs()] == [ZIP_NAME]
    assert list(containers["fitrs"].list_blobs()) == []
    assert containers["firds"].get_blob_client(ZIP_NAME).download_blob().readall() == zip_bytes
    Path(path).unlink()  # the local copy goes; a load reads the blob again by its storage name
    assert Path(local_path(f"firds/{ZIP_NAME}")).read_bytes() == zip_bytes
    assert default_storage.exists(f"firds/{ZIP_NAME}") and not default_storage.exists(f"fitrs/{ZIP_NAME}")
    assert default_storage.size(f"firds/{ZIP_NAME}") == len(zip_bytes)
    assert default_storage.listdir("") == (["firds", "fitrs"], [])
    assert default_storage.listdir("firds") == ([], [ZIP_NAME])


def test_save_open_and_delete_keep_the_source_folder_in_the_name(containers):
    assert default_storage.save("fitrs/FULNCR_20260725_E_1of2.zip", ContentFile(b"abc")) == (
        "fitrs/FULNCR_20260725_E_1of2.zip"
    )
    with default_storage.open("fitrs/FULNCR_20260725_E_1of2.zip", "rb") as handle:
        assert handle.read() == b"abc"
    assert [blob.name for blob in containers["fitrs"].list_blobs()] == ["FULNCR_20260725_E_1of2.zip"]
    default_storage.delete("fitrs/FULNCR_20260725_E_1of2.zip")
    assert list(containers["fitrs"].list_blobs()) == []


@pytest.mark.parametrize("name", ["gleif/lei.zip", "FULINS_E_20260815_01of01.zip", "firds/"])
def test_a_name_outside_the_source_folders_is_refused_with_the_name(containers, name):
    with pytest.raises(UnmappedStorageName, match=f"{name}: a stored file must be named <folder>/<file>"):
        default_storage.save(name, ContentFile(b"abc"))
    assert all(list(client.list_blobs()) == [] for client in containers.values())


@pytest.mark.django_db
def test_readiness_reads_every_sources_container(containers, client):
    assert client.get("/health/ready/").json()["checks"]["storage"] == {"status": "ok"}
    fitrs = containers.pop("fitrs")
    fitrs.delete_container()
    response = client.get("/health/ready/")
    assert response.status_code == 503 and response.json()["checks"]["storage"] == {"status": "error"}


def test_the_settings_map_each_source_to_its_own_container(settings):
    assert settings.AZURE_STORAGE_CONTAINERS == {"firds": "firds", "fitrs": "fitrs"}


def test_a_load_of_a_path_that_is_neither_a_file_nor_stored_names_it(containers, tmp_path):
    missing = tmp_path / "FULINS_E_20260815_01of01.zip"
    with pytest.raises(FileNotFoundError, match=f"{missing}: neither a local file nor a file in storage"):
        local_path(str(missing))
    with pytest.raises(FileNotFoundError, match="firds/nothing.zip: neither a local file nor a file in storage"):
        local_path("firds/nothing.zip")
