"""Fixtures shared by the ingestion tests."""

from pathlib import Path

import pytest


@pytest.fixture
def storage(settings, tmp_path) -> Path:
    """Local file storage in a fresh folder (MEDIA_ROOT too); returns the storage folder."""
    location = tmp_path / "files"
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(location)}},
    }
    return location
