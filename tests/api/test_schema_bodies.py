"""Every operation of the published schema, on the shipped samples: each body validates against its documented response.

The samples in samples/ (MIC csv, GLEIF xml, FIRDS zips) are loaded by the real loaders (load_sample_data), then
the test walks /api/schema/ itself: list endpoints first (every page), whose bodies give the values for the path
parameters of the paths below them (ISINs, LEIs, MICs, run ids; CFI codes from the instruments), then every other
operation with each of those values. Every body (200, and 400/401/404 for malformed, unauthenticated and absent
requests) is validated with openapi-schema-validator against the response the document gives for that path, method
and status ($refs resolved against the whole document). Nothing here names a response field except the parents/
check, so it keeps working when serializers change; an operation added to the schema that this test cannot reach
fails it, naming the operation.
"""

import io
import json
import re
from collections import defaultdict

import pytest
from django.core.management import call_command
from django.test import override_settings
from jsonschema.exceptions import best_match
from openapi_schema_validator import OAS30ReadValidator, OAS31Validator

from tests.factories import make_isin, make_lei

from .base import client_for, make_user, path_of

SCHEMA_URL = "/api/schema/"
WRITE_METHODS = ("post", "put", "patch", "delete")
METHODS = ("get", *WRITE_METHODS)
PARAMETER = re.compile(r"\{([^}]+)\}")
# Path parameters not named like the field a collection above them serves: where their values come from.
PARAMETER_KEYS = {"code": "cfi_code"}
# Well-formed values that name nothing loaded (404 expected), by path parameter name.
ABSENT = {"isin": make_isin(999_999_999, "XS"), "lei": make_lei(999_999_999), "mic": "ZZZ9", "id": "999999999"}
# Malformed values (400 expected where the view checks the code): a wrong check digit, a bad CFI category.
MALFORMED = {"isin": ABSENT["isin"][:-1] + str((int(ABSENT["isin"][-1]) + 1) % 10), "lei": make_lei(7)[:-2] + "00"}
MALFORMED |= {"code": "ZZZZZZ", "mic": "A-B", "id": "not-an-id"}
DATES = ("2025-09-01",)  # a valid value for every `format: date` query parameter (between FULINS and DLTINS)
MAX_PAGES = 50
PASSWORD = "x"  # tests.api.base.make_user's


# A valid JSON body per path of a write operation, from the values served before it (writes run in path order).
REQUEST_BODIES = {
    "/api/v1/auth/token/": lambda values: {"username": "admin-api", "password": PASSWORD},
    "/api/v1/auth/token/refresh/": lambda values: {"refresh": _first(values, "refresh")},
    "/api/v1/auth/token/verify/": lambda values: {"token": _first(values, "access")},
    "/api/v1/instruments/lookup/": lambda values: {"isins": [*values["isin"][:5], ABSENT["isin"], MALFORMED["isin"]]},
}

# Query values for operations with a required query parameter, from the values served before them.
REQUIRED_QUERIES = {
    "/api/v1/entities/resolve/": lambda values: {"name": _first(values, "legal_name")},
}


def _first(values: dict[str, list], key: str):
    assert values[key], f"no {key!r} was served before it is needed (is the operation that serves it in the schema?)"
    return values[key][0]


def harvest(body, into: dict[str, list]) -> None:
    """Every scalar value of a JSON body under its key, in order of first appearance."""
    if isinstance(body, list):
        for item in body:
            harvest(item, into)
    elif isinstance(body, dict):
        for key, value in body.items():
            if isinstance(value, str | int) and not isinstance(value, bool):
                if value not in into[key]:
                    into[key].append(value)
            else:
                harvest(value, into)


class SchemaWalk:
    """The published document, its validators and the outcome of every request made against it."""

    def __init__(self, document: dict):
        self.document = document
        version = str(document["openapi"])
        assert version.startswith(("3.0", "3.1")), f"published OpenAPI {version}: pick its validator here"
        self.validator_class = OAS30ReadValidator if version.startswith("3.0") else OAS31Validator
        self.validators = {}
        self.failures: dict[str, list[str]] = defaultdict(list)  # by operation and status
        self.statuses: dict[tuple[str, str], set[int]] = defaultdict(set)
        self.bodies: dict[tuple[str, str], list] = defaultdict(list)
        self.served: dict[str, list] = defaultdict(list)  # every value any body served, by key
        self.collections: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))  # by list path

    def operations(self) -> list[tuple[str, str, dict]]:
        """(method, path template, operation) of every operation in the document."""
        return [
            (method, path, operation)
            for path, item in self.document["paths"].items()
            for method, operation in item.items()
            if method in METHODS
        ]

    def check(self, method: str, template: str, operation: dict, response, url: str) -> object:
        """Validate one response against the document; returns its parsed body (None when it is not JSON)."""
        status = str(response.status_code)
        where, failures = f"{method.upper()} {url} -> {status}", self.failures[f"{method.upper()} {template} {status}"]
        documented = operation["responses"].get(status) or operation["responses"].get("default")
        if documented is None:
            failures.append(f"{where}: status not documented for {method.upper()} {template}")
            return None
        media_type = response.get("Content-Type", "").split(";")[0].strip()
        content = documented.get("content", {})
        raw = response.getvalue()
        if not content:
            if raw:
                failures.append(f"{where}: a body where the schema documents none")
            return None
        if media_type not in content:
            failures.append(f"{where}: {media_type!r} served, the schema documents {sorted(content)}")
            return None
        body = json.loads(raw) if media_type.endswith("json") else raw.decode()
        key = (method, template, status, media_type)
        if key not in self.validators:
            schema = {**content[media_type].get("schema", {}), "components": self.document.get("components", {})}
            self.validators[key] = self.validator_class(schema, format_checker=self.validator_class.FORMAT_CHECKER)
        errors = list(self.validators[key].iter_errors(body))
        if errors:
            error = best_match(errors)
            at = "/".join(map(str, error.absolute_path)) or "(body)"
            failures.append(
                f"{where}: {len(errors)} schema error(s), e.g. at {at}: {error.message[:300]} "
                f"(schema {'/'.join(map(str, error.absolute_schema_path))})"
            )
            return body
        self.statuses[(method, template)].add(response.status_code)
        if response.status_code == 200:
            self.bodies[(method, template)].append(body)
            if isinstance(body, dict | list):
                harvest(body, self.served)
                harvest(body, self.collections[template])
        return body

    def parameter_values(self, template: str) -> dict[str, list]:
        """Values for each path parameter: what the collection above it served, else any body's field."""
        values = {}
        for name in PARAMETER.findall(template):
            collection = template.split("{" + name + "}")[0]
            key = PARAMETER_KEYS.get(name, name)
            found = self.collections.get(collection, {}).get(key) or self.served.get(key)
            assert found, (
                f"no value served for path parameter {name!r} of {template}: no body of {collection} or of any "
                f"other operation holds {key!r}; say where its values come from in PARAMETER_KEYS"
            )
            values[name] = found
        return values


def fill(template: str, values: dict[str, str]) -> str:
    """A path template with its parameters filled in."""
    return PARAMETER.sub(lambda match: str(values[match.group(1)]), template)


def date_parameters(operation: dict) -> list[str]:
    """The operation's query parameters of format date."""
    return [
        parameter["name"]
        for parameter in operation.get("parameters", [])
        if parameter.get("in") == "query" and parameter.get("schema", {}).get("format") == "date"
    ]


def has_query_parameter(operation: dict, name: str) -> bool:
    return any(p.get("in") == "query" and p.get("name") == name for p in operation.get("parameters", []))


@pytest.fixture
def walk(db):
    """The shipped samples loaded by the real loaders, and the schema the API publishes."""
    call_command("load_sample_data", stdout=io.StringIO())
    response = client_for().get(SCHEMA_URL, {"format": "json"})
    assert response.status_code == 200, response.content[:500]
    return SchemaWalk(json.loads(response.content))


@override_settings(API_RATE_LIMITS={"default": []})
def test_every_operation_serves_bodies_its_schema_documents(walk):
    # A superuser reads every operation (which role may read what: test_auth_matrix.py).
    client, anonymous = client_for(make_user("admin")), client_for()
    operations = walk.operations()
    # Collections first (their bodies hold the path parameters' values), then writes, then paths with parameters.
    ordered = sorted(
        operations, key=lambda op: (bool(PARAMETER.search(op[1])), op[0] != "get", op[1].count("/"), op[1])
    )
    uncovered = []
    for method, template, operation in ordered:
        if method == "get":
            get_operation(walk, client, template, operation)
        elif template in REQUEST_BODIES:
            url = fill(template, {n: v[0] for n, v in walk.parameter_values(template).items()})
            for body in (REQUEST_BODIES[template](walk.served), {}):
                walk.check(method, template, operation, client.generic(method.upper(), url, *_json(body)), url)
        else:
            uncovered.append(f"{method.upper()} {template}: no request body for it in REQUEST_BODIES")
            continue
        url = fill(template, {n: v[0] for n, v in walk.parameter_values(template).items()})
        response = anonymous.generic(method.upper(), url, *_json({})) if method != "get" else anonymous.get(url)
        walk.check(method, template, operation, response, url)

    for method, template, _ in operations:
        if not any(200 <= status < 300 for status in walk.statuses[(method, template)]):
            uncovered.append(
                f"{method.upper()} {template}: no 2xx body validated (statuses seen: "
                f"{sorted(walk.statuses[(method, template)])})"
            )
    broken = {key: found for key, found in walk.failures.items() if found}
    assert not broken, "responses that break the published schema:\n" + "\n".join(
        f"{key}: {len(found)} response(s), e.g. {found[0]}" for key, found in broken.items()
    )
    assert not uncovered, "operations of the published schema not covered:\n" + "\n".join(uncovered)
    seen = {status for statuses in walk.statuses.values() for status in statuses}
    assert {200, 400, 401, 404} <= seen, f"error shapes not exercised: {sorted({200, 400, 401, 404} - seen)}"
    parents = walk.bodies[("get", "/api/v1/entities/{lei}/parents/")]
    assert any(body["direct"] or body["ultimate"] for body in parents), "no LEI with a parent was served"
    assert any(body["direct"] is None for body in parents), "no LEI without a direct parent was served"


def get_operation(walk: SchemaWalk, client, template: str, operation: dict) -> None:
    """Every value of the path parameters (every page of a list), a date and a bad date, absent and malformed codes."""
    names = PARAMETER.findall(template)
    values = walk.parameter_values(template)
    combos = [dict(zip(names, combo, strict=True)) for combo in zip(*values.values(), strict=False)] or [{}]
    for combo in combos:
        url = fill(template, combo)
        for _ in range(MAX_PAGES):
            body = walk.check("get", template, operation, client.get(url), url)
            next_url = body.get("next") if isinstance(body, dict) else None
            if not isinstance(next_url, str):
                break
            url = path_of(next_url)
    first = fill(template, combos[0])
    if template in REQUIRED_QUERIES:
        query = REQUIRED_QUERIES[template](walk.served)
        walk.check("get", template, operation, client.get(first, query), f"{first}?{query}")
    for name in date_parameters(operation):
        for value in (*DATES, "not-a-date"):
            walk.check("get", template, operation, client.get(first, {name: value}), f"{first}?{name}={value}")
    if has_query_parameter(operation, "cursor"):
        walk.check("get", template, operation, client.get(first, {"cursor": "bogus"}), f"{first}?cursor=bogus")
    for name in names:
        for wrong in (ABSENT, MALFORMED):
            if name in wrong:
                url = fill(template, {**combos[0], name: wrong[name]})
                walk.check("get", template, operation, client.get(url), url)


def _json(body: dict) -> tuple[str, str]:
    """generic()'s data and content type for a JSON body."""
    return json.dumps(body), "application/json"
