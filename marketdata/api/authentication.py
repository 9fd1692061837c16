"""API key authentication: `Authorization: Api-Key <key>` (or DRF's `Token <key>`)."""

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header

from marketdata.selectors import api_key_authenticate
from marketdata.services import api_key_mark_used

API_KEY_KEYWORDS = (b"api-key", b"token")


class ApiKeyAuthentication(BaseAuthentication):
    """Authenticates a machine client by a long-lived API key issued with create_api_key or in the admin."""

    keyword = "Api-Key"

    def authenticate(self, request):
        """(user, ApiKey) for a valid key, None when no key header is sent, 401 for a bad, revoked or expired key."""
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() not in API_KEY_KEYWORDS:
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(_("Invalid API key header: expected 'Api-Key <key>'."))
        try:
            raw_key = parts[1].decode()
        except UnicodeError as error:
            raise exceptions.AuthenticationFailed(_("Invalid API key header: the key is not ASCII.")) from error
        api_key = api_key_authenticate(raw_key)
        if api_key is None:
            raise exceptions.AuthenticationFailed(_("Invalid, revoked or expired API key."), code="invalid_api_key")
        api_key_mark_used(api_key, every_seconds=settings.API_KEY_LAST_USED_EVERY_SECONDS)
        return api_key.user, api_key

    def authenticate_header(self, request):
        """The WWW-Authenticate value of a 401."""
        return f'{self.keyword} realm="api"'


class ApiKeyAuthenticationScheme(OpenApiAuthenticationExtension):
    """Documents API keys in the OpenAPI schema."""

    target_class = ApiKeyAuthentication
    name = "ApiKeyAuth"

    def get_security_definition(self, auto_schema):
        """An Authorization header holding 'Api-Key <key>'."""
        return {"type": "apiKey", "in": "header", "name": "Authorization", "description": "`Api-Key <key>`"}
