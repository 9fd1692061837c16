"""Shared test fixtures: paths to shipped fixtures and to ../shared/data."""

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
SHARED_DATA = ROOT.parent / "shared" / "data"


@pytest.fixture
def fixtures_dir() -> Path:
    """The project's own test fixtures (tests/fixtures)."""
    return FIXTURES


@pytest.fixture
def shared_data() -> Path:
    """../shared/data, for tests that read a file too large or restricted to ship."""
    if not SHARED_DATA.exists():
        pytest.skip("../shared/data is not present")
    return SHARED_DATA


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each test starts with an empty cache, so API rate limit counters never leak between tests."""
    from django.core.cache import cache

    from marketdata.api import middleware

    cache.clear()
    middleware._BLOCKED.clear()  # IPs this process blocked after failed credentials
    yield
