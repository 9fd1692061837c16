"""The auth matrix: every operation of the published schema x every kind of caller -> the expected status.

Operations come from the OpenAPI schema (so a new endpoint is covered the day it is added); path parameters
are filled with rows created here. Expected: anonymous callers and bad credentials (expired token, refresh
token used as access token, revoked API key) get 401; analysts read (GET, and POSTs that only read, e.g.
lookup) but get 403 elsewhere; curators and admins may do everything; ingestion runs are for curators/admins.
"""

import pytest
from drf_spectacular.generators import SchemaGenerator

from tests.factories import (
    IngestionRunFactory,
    InstrumentFactory,
    LegalEntityFactory,
    ListingFactory,
    TransparencyFactory,
    VenueFactory,
)

from .access import api_key_header, bearer, expired_bearer, refresh_as_bearer, revoked_api_key_header, role_user

pytestmark = pytest.mark.django_db
PUBLIC_PREFIXES = ("/api/v1/auth/",)  # token endpoints: no credentials needed (they issue them)
CURATOR_ONLY_PREFIXES = ("/api/v1/ingestion/",)
READ_ONLY_POSTS = {"/api/v1/instruments/lookup/"}
REQUIRED_QUERIES = {"/api/v1/entities/resolve/": "?name=shell"}  # operations that need a query parameter
CALLERS = ("anonymous", "analyst", "curator", "admin", "expired_token", "refresh_as_access", "revoked_api_key")
HTTP_METHODS = ("get", "post", "put", "patch", "delete")


def operations() -> list[tuple[str, str]]:
    """(METHOD, path template) of every operation under /api/v1/ in the published schema."""
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return sorted(
        (method.upper(), path)
        for path, item in schema["paths"].items()
        if path.startswith("/api/v1/") and not path.startswith(PUBLIC_PREFIXES)
        for method in item
        if method in HTTP_METHODS
    )


def rows() -> dict[str, str]:
    """Path parameter name -> a value that exists."""
    venue = VenueFactory()
    entity = LegalEntityFactory()
    instrument = InstrumentFactory(issuer_id=entity.lei)
    ListingFactory(instrument_id=instrument.isin, venue_id=venue.mic)
    TransparencyFactory(identifier=instrument.isin)
    return {
        "isin": instrument.isin,
        "lei": entity.lei,
        "mic": venue.mic,
        "code": "ESVUFR",
        "id": str(IngestionRunFactory().pk),
    }


def expected(caller: str, method: str, path: str) -> int:
    """The status each caller should get: 200 when allowed, else 401 or 403."""
    if caller in ("anonymous", "expired_token", "refresh_as_access", "revoked_api_key"):
        return 401
    if caller in ("curator", "admin"):
        return 200
    if path.startswith(CURATOR_ONLY_PREFIXES):
        return 403
    return 200 if method == "GET" or path in READ_ONLY_POSTS else 403


def authorization(caller: str) -> str | None:
    """The Authorization header of a caller."""
    if caller == "anonymous":
        return None
    if caller in ("analyst", "curator", "admin"):
        user = role_user(caller)
        return api_key_header(user) if caller == "admin" else bearer(user)  # both credential kinds in use
    user = role_user("curator")
    return {"expired_token": expired_bearer, "refresh_as_access": refresh_as_bearer}.get(
        caller, revoked_api_key_header
    )(user)


@pytest.mark.parametrize("caller", CALLERS)
def test_every_endpoint_answers_each_caller_as_expected(client, caller):
    values, header = rows(), authorization(caller)
    headers = {"Authorization": header} if header else {}
    table, mismatches = operations(), []
    assert len(table) >= 15, table  # the schema really lists the API
    for method, template in table:
        path = template
        for name, value in values.items():
            path = path.replace("{" + name + "}", value)
        assert "{" not in path, f"no row for a path parameter of {template}: add it to rows()"
        path += REQUIRED_QUERIES.get(template, "")
        body = {"isins": [values["isin"]]} if method == "POST" else None
        response = client.generic(method, path, data=_json(body), content_type="application/json", headers=headers)
        want = expected(caller, method, template)
        if response.status_code != want:
            mismatches.append(f"{method} {path}: {response.status_code}, expected {want}")
        elif want != 200:
            assert response.json()["error"]["code"], f"{method} {path}: error body without a code"
    assert not mismatches, "\n".join(mismatches)


def _json(body) -> str:
    import json

    return json.dumps(body) if body is not None else ""
