""".env.example documents every environment variable the settings read."""

import re

from tests.conftest import ROOT

SETTINGS_FILES = (
    "config/settings/base.py",
    "config/settings/production.py",
    "config/databases.py",
    "config/keyvault.py",
)


def _read_by_settings() -> set[str]:
    text = "".join((ROOT / name).read_text() for name in SETTINGS_FILES)
    names = set(re.findall(r"env(?:\.\w+)?\(\s*\"([A-Z][A-Z0-9_]+)\"", text))
    names |= set(re.findall(r"_required\(env, \"([A-Z][A-Z0-9_]+)\"", text))
    names |= set(re.findall(r"environ\.get\(\"([A-Z][A-Z0-9_]+)\"", text))
    return names


def test_the_scan_finds_the_variables_it_should():
    assert {"DATABASE_TYPE", "AZURE_SQL_SERVER", "AZURE_KEY_VAULT_URL", "DJANGO_SECRET_KEY"} <= _read_by_settings()


def test_every_variable_the_settings_read_is_documented():
    documented = set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]+)=", (ROOT / ".env.example").read_text(), re.M))
    missing = sorted(_read_by_settings() - documented)
    assert missing == [], f"add these to .env.example: {missing}"
