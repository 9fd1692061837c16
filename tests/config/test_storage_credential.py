"""Blob Storage by account name (no connection string) authenticates with the managed identity, not anonymously."""

import json
import os
import subprocess
import sys

from tests.conftest import ROOT
from tests.fakes.keyvault import FakeManagedIdentity

PROBE = """
import json
from django.core.files.storage import default_storage
firds, fitrs = (default_storage.container_storage(source) for source in ("firds", "fitrs"))
credential = firds.service_client.credential
token = credential.get_token("https://storage.azure.com/.default").token
print(json.dumps({"backend": type(default_storage._wrapped).__name__, "credential": type(credential).__name__,
                  "token": token, "containers": [firds.azure_container, fitrs.azure_container],
                  "shared": fitrs.service_client.credential is credential, "account": firds.account_name}))
"""


def test_account_name_alone_gets_a_token_from_the_managed_identity():
    with FakeManagedIdentity() as identity:
        env = {k: v for k, v in os.environ.items() if not k.startswith("AZURE_STORAGE_")}
        env.update(identity.environment())
        env.update(
            {"AZURE_STORAGE_ACCOUNT_NAME": "stmarketdatastaging", "DJANGO_SETTINGS_MODULE": "config.settings.base"}
        )
        env["DJANGO_SECRET_KEY"] = "storage-credential-test-key"  # base settings without DEBUG need their own key
        result = subprocess.run(
            [sys.executable, "-c", "import django; django.setup()\n" + PROBE],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert result.returncode == 0, result.stderr[-2000:]
    probe = json.loads(result.stdout.strip().splitlines()[-1])
    assert probe["backend"] == "SourceContainersStorage" and probe["credential"] == "DefaultAzureCredential"
    assert probe["containers"] == ["firds", "fitrs"] and probe["shared"] and probe["account"] == "stmarketdatastaging"
    assert identity.issued[probe["token"]] == "https://storage.azure.com"  # the token the identity issued
