"""Key Vault secret loading: name mapping and the path without a vault."""

import re

from config.keyvault import SECRET_NAMES, load_key_vault_secrets, secret_name
from tests.conftest import ROOT

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
