"""Load secrets from Azure Key Vault into the environment before settings read it."""

import os

# Environment variable -> Key Vault secret name (Key Vault names allow only letters, digits, '-').
SECRET_NAMES = (
    "DJANGO_SECRET_KEY",
    "AZURE_SQL_PASSWORD",
    "AZURE_STORAGE_CONNECTION_STRING",
    "OPENFIGI_API_KEY",
    "REDIS_URL",
    "APPLICATIONINSIGHTS_CONNECTION_STRING",
)


def secret_name(variable: str) -> str:
    """The Key Vault secret name for an environment variable (DJANGO_SECRET_KEY -> DJANGO-SECRET-KEY)."""
    return variable.replace("_", "-")


def load_key_vault_secrets(environ=os.environ) -> list[str]:
    """Copy secrets from AZURE_KEY_VAULT_URL into unset variables; return the names loaded."""
    vault_url = environ.get("AZURE_KEY_VAULT_URL")
    if not vault_url:
        return []
    from azure.core.exceptions import ResourceNotFoundError
    from azure.identity import DefaultAzureCredential
    from azure.keyvault.secrets import SecretClient

    client = SecretClient(vault_url=vault_url, credential=DefaultAzureCredential())
    loaded = []
    for variable in SECRET_NAMES:
        if environ.get(variable):
            continue
        try:
            environ[variable] = client.get_secret(secret_name(variable)).value
        except ResourceNotFoundError:
            continue
        loaded.append(variable)
    return loaded
