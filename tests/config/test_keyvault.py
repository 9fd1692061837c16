"""Key Vault secret loading: name mapping, the path without a vault, and a fake vault over HTTPS."""

import os
import re
import subprocess
import sys

import pytest
from azure.core.exceptions import ClientAuthenticationError

from config.keyvault import SECRET_NAMES, load_key_vault_secrets, secret_name
from tests.conftest import ROOT
from tests.fakes.keyvault import FakeKeyVault, FakeManagedIdentity

# Key Vault secret names: 1-127 letters, digits and dashes.
KEY_VAULT_NAME = re.compile(r"^[0-9A-Za-z-]{1,127}$")


def test_secret_names_map_underscores_to_dashes():
    assert secret_name("DJANGO_SECRET_KEY") == "DJANGO-SECRET-KEY"
    assert secret_name("APPLICATIONINSIGHTS_CONNECTION_STRING") == "APPLICATIONINSIGHTS-CONNECTION-STRING"


def test_every_secret_maps_to_a_legal_and_distinct_key_vault_name():
    names = [secret_name(variable) for variable in SECRET_NAMES]
    assert all(KEY_VAULT_NAME.match(name) for name in names)
    assert len(set(names)) == len(names)


def test_every_secret_is_a_variable_the_settings_read():
    settings_text = (ROOT / "config" / "settings" / "base.py").read_text() + (
        ROOT / "config" / "databases.py"
    ).read_text()
    for variable in SECRET_NAMES:
        assert f'"{variable}"' in settings_text, f"{variable} is loaded from Key Vault but no setting reads it"


def test_without_a_vault_nothing_is_loaded_and_nothing_changes():
    environment = {"DJANGO_SECRET_KEY": "kept", "AZURE_KEY_VAULT_URL": ""}
    assert load_key_vault_secrets(environment) == []
    assert environment == {"DJANGO_SECRET_KEY": "kept", "AZURE_KEY_VAULT_URL": ""}


@pytest.fixture
def vault(monkeypatch):
    """The fake Key Vault (HTTPS, self-signed) with App Service's managed identity in the environment."""
    with FakeManagedIdentity() as identity, FakeKeyVault(identity, VAULT_SECRETS) as vault:
        for name, value in identity.environment().items():
            monkeypatch.setenv(name, value)
        monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(vault.ca_file))  # trust the fake's certificate
        yield vault


VAULT_SECRETS = {"DJANGO-SECRET-KEY": "from-the-vault", "OPENFIGI-API-KEY": "figi-key-from-the-vault"}


def test_secrets_are_read_from_the_vault_into_unset_variables(vault):
    environment = {"AZURE_KEY_VAULT_URL": vault.base_url + "/", "OPENFIGI_API_KEY": "already-set"}
    assert load_key_vault_secrets(environment) == ["DJANGO_SECRET_KEY"]
    assert environment["DJANGO_SECRET_KEY"] == "from-the-vault"
    assert environment["OPENFIGI_API_KEY"] == "already-set"  # a set variable wins over the vault
    assert "AZURE_SQL_PASSWORD" not in environment  # not in the vault: left unset
    # the SDK's challenge flow: first request unauthenticated (401), then with the managed identity's token
    first, second = vault.requests[0], vault.requests[1]
    assert first[0].rstrip("/") == "/secrets/DJANGO-SECRET-KEY" and first[2] == ""
    assert second[0].rstrip("/") == "/secrets/DJANGO-SECRET-KEY" and second[2].startswith("Bearer fake-mi-")
    assert set(vault.identity.issued.values()) == {vault.resource}


def test_the_vault_fake_lists_secrets_as_the_sdk_pages_them(vault):
    from azure.identity import DefaultAzureCredential
    from azure.keyvault.secrets import SecretClient

    vault.secrets.update({f"EXTRA-{n}": str(n) for n in range(5)})
    client = SecretClient(vault.base_url, DefaultAzureCredential())
    names = [secret.name for secret in client.list_properties_of_secrets(max_page_size=2)]
    assert names == sorted(vault.secrets)
    assert sum(1 for path, query, _ in vault.requests if path == "/secrets" and "skip" in query) == 3


def test_a_token_from_another_identity_is_refused(vault, monkeypatch):
    with FakeManagedIdentity() as other:  # an identity the vault does not trust
        environment = {"AZURE_KEY_VAULT_URL": vault.base_url}
        for name, value in other.environment().items():
            monkeypatch.setenv(name, value)
        with pytest.raises(ClientAuthenticationError):
            load_key_vault_secrets(environment)


def test_settings_take_the_secrets_from_the_vault(vault, tmp_path):
    """A process started with AZURE_KEY_VAULT_URL gets SECRET_KEY and OPENFIGI_API_KEY from the vault."""
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SECRET_KEY", "OPENFIGI_API_KEY")}
    env.update({"AZURE_KEY_VAULT_URL": vault.base_url, "DJANGO_SETTINGS_MODULE": "config.settings.base"})
    code = "from django.conf import settings; print(settings.SECRET_KEY, settings.OPENFIGI_API_KEY)"
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.split() == ["from-the-vault", "figi-key-from-the-vault"]
