"""API key authentication: `Authorization: Api-Key <key>` (or DRF's `Token <key>`).

A verified key (with its user) is kept in the default cache for settings.API_KEY_CACHE_SECONDS under its hash, so
that a request costs no query; its revocation and expiry dates are checked again on every request, and saving or
deleting the key or its user (revoke, deactivate) drops the entry at once (every process with a shared cache such
as Redis; with the per-process default cache, other processes see the change within API_KEY_CACHE_SECONDS).
Each process also holds the keys it verified for settings.API_KEY_LOCAL_SECONDS (default 1 s) without reading the
cache (reading and unpickling the entry cost more than the rest of authentication): a save in another process
reaches it within that time.
"""

import time

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import HTTP_HEADER_ENCODING, exceptions
from rest_framework.authentication import BaseAuthentication

from marketdata.models import ApiKey
from marketdata.selectors import api_key_authenticate, api_key_hash
from marketdata.services import api_key_mark_used

API_KEY_KEYWORDS = (b"api-key", b"token")


class ApiKeyAuthentication(BaseAuthentication):
    """Authenticates a machine client by a long-lived API key issued with create_api_key or in the admin."""

    keyword = "Api-Key"

    def authenticate(self, request):
        """(user, ApiKey) for a valid key, None when no key header is sent, 401 for a bad, revoked or expired key."""
        parts = authorization_header(request).split()
        if not parts or parts[0].lower() not in API_KEY_KEYWORDS:
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(_("Invalid API key header: expected 'Api-Key <key>'."))
        try:
            raw_key = parts[1].decode()
        except UnicodeError as error:
            raise exceptions.AuthenticationFailed(_("Invalid API key header: the key is not ASCII.")) from error
        api_key = api_key_authenticate_cached(raw_key)
        if api_key is None:
            raise exceptions.AuthenticationFailed(_("Invalid, revoked or expired API key."), code="invalid_api_key")
        return api_key.user, api_key

    def authenticate_header(self, request):
        """The WWW-Authenticate value of a 401."""
        return f'{self.keyword} realm="api"'


def authorization_header(request) -> bytes:
    """The Authorization header as bytes, read from META (DRF's get_authorization_header builds every header's entry
    in request.headers first, which costs more than the rest of API key authentication)."""
    header = request.META.get("HTTP_AUTHORIZATION", b"")
    return header.encode(HTTP_HEADER_ENCODING) if isinstance(header, str) else header


def _cache_key(hashed_key: str) -> str:
    """The cache key of a verified API key (its hash: the clear key is never stored)."""
    return f"api-key:{hashed_key}"


_HELD: dict[str, tuple[ApiKey, float]] = {}  # hashed key -> (ApiKey, when this process took it from the cache)
_HELD_MAX = 1000  # distinct keys held before the stale ones are dropped


def api_key_authenticate_cached(raw_key: str):
    """The active ApiKey (with its user) of a clear key: held by this process for API_KEY_LOCAL_SECONDS, else from
    the cache when verified in the last API_KEY_CACHE_SECONDS, else as marketdata.selectors.api_key_authenticate
    finds it; its use is recorded (outside the held window)."""
    if "." not in raw_key:
        return None
    hashed_key, now = api_key_hash(raw_key), time.time()
    held = _HELD.get(hashed_key)
    if held is not None and now - held[1] < settings.API_KEY_LOCAL_SECONDS:
        api_key = held[0]
        return api_key if api_key.is_active and api_key.user.is_active else None
    api_key = _api_key_from_cache(hashed_key, raw_key, now)
    if api_key is not None and settings.API_KEY_LOCAL_SECONDS > 0:
        if len(_HELD) >= _HELD_MAX:
            _held_prune(now)
        _HELD[hashed_key] = (api_key, now)
    return api_key


def _held_prune(now: float) -> None:
    """Forget the keys held longer than API_KEY_LOCAL_SECONDS (all of them when every one is recent)."""
    stale = [key for key, (_, held_at) in _HELD.items() if now - held_at >= settings.API_KEY_LOCAL_SECONDS]
    for key in stale or list(_HELD):
        _HELD.pop(key, None)


def _api_key_from_cache(hashed_key: str, raw_key: str, now: float):
    """The active ApiKey of a clear key from the shared cache, or verified against the database and cached."""
    cache_key = _cache_key(hashed_key)
    api_key, verified_at = cache.get(cache_key) or (None, None)
    if api_key is not None and now - verified_at > settings.API_KEY_CACHE_SECONDS:
        api_key = None  # the entry's age stays bounded even when it is rewritten below
    if api_key is None:
        api_key, verified_at = api_key_authenticate(raw_key), now
        if api_key is None:
            return None
        last_used_at = object()  # always store a fresh verification
    elif not (api_key.is_active and api_key.user.is_active):  # expired since it was verified
        cache.delete(cache_key)
        return None
    else:
        last_used_at = api_key.last_used_at
    api_key_mark_used(api_key, every_seconds=settings.API_KEY_LAST_USED_EVERY_SECONDS)
    if api_key.last_used_at != last_used_at:
        timeout = max(settings.API_KEY_CACHE_SECONDS - (now - verified_at), 1)
        cache.set(cache_key, (api_key, verified_at), timeout)
    return api_key


def api_key_cache_drop(sender, instance, **kwargs):
    """Signal receiver: forget the cached verification of a saved or deleted API key, or of every key of a user."""
    if kwargs.get("raw"):  # fixtures: nothing was cached from them
        return
    if isinstance(instance, ApiKey):
        hashed_keys = [instance.hashed_key] if instance.hashed_key else []
    else:
        hashed_keys = list(ApiKey.objects.filter(user_id=instance.pk).values_list("hashed_key", flat=True))
    if hashed_keys:
        cache.delete_many([_cache_key(hashed_key) for hashed_key in hashed_keys])
        for hashed_key in hashed_keys:
            _HELD.pop(hashed_key, None)


for _signal in (post_save, post_delete):
    _signal.connect(api_key_cache_drop, sender=ApiKey, dispatch_uid=f"api_key_cache_drop_key_{_signal is post_save}")
    _signal.connect(
        api_key_cache_drop, sender=get_user_model(), dispatch_uid=f"api_key_cache_drop_user_{_signal is post_save}"
    )


class ApiKeyAuthenticationScheme(OpenApiAuthenticationExtension):
    """Documents API keys in the OpenAPI schema."""

    target_class = ApiKeyAuthentication
    name = "ApiKeyAuth"

    def get_security_definition(self, auto_schema):
        """An Authorization header holding 'Api-Key <key>'."""
        return {"type": "apiKey", "in": "header", "name": "Authorization", "description": "`Api-Key <key>`"}
