"""Fuzzing per endpoint family (hypothesis): any query string, path code, header or JSON body is answered, never a 500.

The operations and their parameters come from the published schema, so a new endpoint is fuzzed the day it is added.
"""

from urllib.parse import quote

import pytest
from django.test import Client
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.factories import IngestionRunFactory, InstrumentFactory, LegalEntityFactory, ListingFactory, VenueFactory

from .access import bearer, role_user

pytestmark = pytest.mark.django_db
FAMILIES = ("instruments", "entities", "venues", "ingestion", "cfi", "auth")
FUZZ = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)

# Text as clients send it: any code point a URL or JSON can carry (no lone surrogates, which no encoder writes).
TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=40)
NASTY = st.sampled_from(
    ["", "0", "-1", "1e999", "NaN", "9" * 40, "\x00", "' OR 1=1 --", "%00", "../..", "2025-02-30", "null", "[]", "{}"]
)
VALUES = st.one_of(TEXT, NASTY)
# A header as a server hands it on: bytes read as Latin-1.
HEADER = st.text(st.characters(max_codepoint=255, blacklist_categories=("Cs",)), max_size=60)
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | TEXT,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TEXT, inner, max_size=4),
    max_leaves=12,
)


def operations(family: str) -> list[tuple[str, str, list[str]]]:
    """(METHOD, path template, query parameter names) of the family's operations in the published schema."""
    schema = SchemaGenerator().get_schema(request=None, public=True)
    found = []
    for path, item in schema["paths"].items():
        if not path.startswith(f"/api/v1/{family}"):
            continue
        for method, operation in item.items():
            if method in ("get", "post", "put", "patch", "delete"):
                names = [p["name"] for p in operation.get("parameters", []) if p["in"] == "query"]
                found.append((method.upper(), path, names))
    return sorted(found)


@pytest.fixture
def fuzz_client(settings):
    """A curator's client (every endpoint reachable), rate limits out of the way, a few rows to find."""
    settings.API_RATE_LIMITS = {scope: ["1000000/m"] for scope in settings.API_RATE_LIMITS}
    venue, entity = VenueFactory(), LegalEntityFactory()
    ListingFactory(instrument=InstrumentFactory(issuer_id=entity.lei), venue_id=venue.mic)
    IngestionRunFactory()
    return Client(raise_request_exception=False), {"Authorization": bearer(role_user("curator"))}


@pytest.mark.parametrize("family", FAMILIES)
def test_no_input_gives_a_500(fuzz_client, family):
    client, headers = fuzz_client
    ops = operations(family)
    assert ops, family

    @FUZZ
    @given(
        op=st.sampled_from(ops),
        code=VALUES,
        params=st.data(),
        extra=st.dictionaries(TEXT, VALUES, max_size=2),
        body=JSON,
        authorization=st.one_of(st.none(), HEADER.map("Bearer {}".format), HEADER.map("Api-Key {}".format), HEADER),
    )
    def probe(op, code, params, extra, body, authorization):
        method, template, names = op
        path = template
        while "{" in path:
            start, end = path.index("{"), path.index("}")
            path = path[:start] + quote(code or "x", safe="") + path[end + 1 :]
        query = {name: params.draw(VALUES, label=name) for name in names} | extra
        sent = dict(headers) if authorization is None else {"Authorization": authorization}
        if method == "GET":
            response = client.get(path, query, headers=sent)
        else:
            response = client.generic(method, path, _json(body), content_type="application/json", headers=sent)
        assert response.status_code < 500, (method, path, query, response.status_code)
        if response["Content-Type"].startswith("application/json") and response.status_code >= 400:
            assert set(response.json()["error"]) == {"code", "message", "details"}

    probe()


def _json(value) -> str:
    """A JSON text of `value`."""
    import json

    return json.dumps(value)
