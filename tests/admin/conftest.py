"""Admin test users: an analyst, a curator and a superuser."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from marketdata.roles import ANALYSTS, CURATORS

PASSWORD = "admin-test-password"


def _staff(username: str, group: str | None = None, **flags):
    user = get_user_model().objects.create_user(username, password=PASSWORD, is_staff=True, **flags)
    if group:
        user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def analyst(db):
    """A staff user in the Analysts group (view only)."""
    return _staff("analyst", ANALYSTS)


@pytest.fixture
def curator(db):
    """A staff user in the Curators group (view, add, change)."""
    return _staff("curator", CURATORS)


@pytest.fixture
def superuser(db):
    """A superuser."""
    return _staff("root", is_superuser=True)


@pytest.fixture
def analyst_client(client, analyst):
    client.force_login(analyst)
    return client


@pytest.fixture
def curator_client(client, curator):
    client.force_login(curator)
    return client


@pytest.fixture
def superuser_client(client, superuser):
    client.force_login(superuser)
    return client
