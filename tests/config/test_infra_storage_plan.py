"""infra/ and the settings describe the same storage plan: a container per source, each under the lifecycle policy.

The Bicep itself is checked by checkov and scripts/bicep_check.py in .ci/run; these tests hold what the app
relies on: the containers main.bicep creates are the ones AZURE_STORAGE_CONTAINERS names by default, the Web App
gets a value of that setting the app parses back to the same mapping, and the policy's ages are the settings'.
"""

import re
from pathlib import Path

import environ
from django.conf import settings

INFRA = Path(__file__).resolve().parents[2] / "infra"


def _text(name: str) -> str:
    return (INFRA / name).read_text(encoding="utf-8")


def _default(parameter: str) -> str:
    match = re.search(rf"^param {parameter} \w+ = (.+)$", _text("main.bicep"), re.MULTILINE)
    assert match, f"main.bicep: no default for param {parameter}"
    return match.group(1).strip()


def test_main_creates_the_containers_the_settings_name_by_default():
    containers = re.findall(r"'([a-z0-9-]+)'", _default("sourceContainers"))
    assert containers == ["firds", "fitrs"]
    assert settings.AZURE_STORAGE_CONTAINERS == {source: source for source in containers}


def test_the_web_apps_container_setting_parses_back_to_the_same_mapping():
    web = _text("modules/web.bicep")
    assert "var containerSetting = [for source in sourceContainers: '${source}=${source}']" in web
    assert "{ name: 'AZURE_STORAGE_CONTAINERS', value: join(containerSetting, ',') }" in web
    rendered = ",".join(f"{source}={source}" for source in ("firds", "fitrs"))  # what join() gives for the default
    assert environ.Env.parse_value(rendered, dict) == settings.AZURE_STORAGE_CONTAINERS


def test_every_container_has_its_own_lifecycle_rule_with_the_settings_ages():
    storage = _text("modules/storage.bicep")
    rules = storage[storage.index("resource lifecycle") :]
    rules = rules[: rules.index("\nresource ")]
    assert "for containerName in containerNames: {" in rules  # one rule per container, the containers' own list
    assert "prefixMatch: ['${containerName}/']" in rules  # a prefix starting with the container: all its blobs
    assert "for containerName in containerNames: {" in storage[: storage.index("resource lifecycle")]
    actions = dict(
        re.findall(r"(tierToCool|tierToArchive|delete): \{ daysAfterModificationGreaterThan: (\w+) \}", rules)
    )
    assert actions == {"tierToCool": "coolAfterDays", "tierToArchive": "archiveAfterDays", "delete": "deleteAfterDays"}
    assert int(_default("coolAfterDays")) == settings.STORAGE_COOL_DAYS == 7
    assert int(_default("archiveAfterDays")) == settings.STORAGE_ARCHIVE_DAYS == 30
    assert int(_default("deleteAfterDays")) == settings.STORAGE_RETENTION_DAYS
    assert int(_default("storageBudgetGb")) == settings.STORAGE_BUDGET_GB == 5


def test_no_container_is_public_and_the_account_is_https_tls12_only():
    storage = _text("modules/storage.bicep")
    assert "properties: { publicAccess: 'None' }" in storage
    for setting in ("allowBlobPublicAccess: false", "supportsHttpsTrafficOnly: true", "minimumTlsVersion: 'TLS1_2'"):
        assert setting in storage, setting
