"""Helpers for access tests: users of each role and the Authorization headers of each credential."""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from rest_framework_simplejwt.tokens import AccessToken, RefreshToken

from marketdata.roles import ANALYSTS, CURATORS
from marketdata.services import api_key_issue, api_key_revoke

PASSWORD = "a-long-test-password-42"


def role_user(role: str):
    """A user of a role: "analyst", "curator" or "admin" (superuser); created with a known password."""
    User = get_user_model()
    user = User.objects.create_user(username=f"{role}-user", password=PASSWORD, is_superuser=role == "admin")
    group = {"analyst": ANALYSTS, "curator": CURATORS}.get(role)
    if group:
        user.groups.add(Group.objects.get_or_create(name=group)[0])
    return user


def bearer(user) -> str:
    """A valid JWT access token header."""
    return f"Bearer {AccessToken.for_user(user)}"


def expired_bearer(user) -> str:
    """A JWT access token header that expired a minute ago."""
    token = AccessToken.for_user(user)
    token.set_exp(lifetime=-timedelta(minutes=1))
    return f"Bearer {token}"


def refresh_as_bearer(user) -> str:
    """A (valid) refresh token sent where an access token belongs."""
    return f"Bearer {RefreshToken.for_user(user)}"


def api_key_header(user, keyword: str = "Api-Key") -> str:
    """A valid API key header."""
    return f"{keyword} {api_key_issue(user=user, name='test')[1]}"


def revoked_api_key_header(user) -> str:
    """The header of an API key that has been revoked."""
    api_key, raw_key = api_key_issue(user=user, name="revoked")
    api_key_revoke(api_key.prefix)
    return f"Api-Key {raw_key}"
