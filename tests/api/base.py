"""One reusable base for API endpoint tests (after NetBox's utilities/testing/api.py).

A test module declares a class per endpoint that mixes in `ListEndpointTests` and/or `DetailEndpointTests`
and sets a few attributes; the inherited tests check authentication, permission by role, the row shape,
cursor paging, filters, 400/404 answers and that the query count does not grow with the number of rows.
"""

import base64
import json
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import AccessToken

from marketdata.roles import ANALYSTS, CURATORS

ROLES = ("analyst", "curator", "admin")


def make_user(role: str):
    """A user of a role: "analyst", "curator", "admin" (superuser) or "nobody" (no group)."""
    user = get_user_model().objects.create_user(username=f"{role}-api", password="x", is_superuser=role == "admin")
    group = {"analyst": ANALYSTS, "curator": CURATORS}.get(role)
    if group:
        user.groups.add(Group.objects.get_or_create(name=group)[0])
    return user


def client_for(user=None) -> APIClient:
    """An API client, authenticated as `user` when given (force_authenticate: no auth queries)."""
    client = APIClient()
    if user is not None:
        client.force_authenticate(user=user)
    return client


def path_of(url: str) -> str:
    """The path and query of an absolute link."""
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}" if parts.query else parts.path


class EndpointTests:
    """Shared set-up: a parent object hook and users of each role."""

    read_roles: tuple[str, ...] = ROLES
    denied_roles: tuple[str, ...] = ()
    reader_role = "analyst"

    @pytest.fixture(autouse=True)
    def _setup(self, db):
        self.setup_data()
        self.reader = make_user(self.reader_role)
        self.client = client_for(self.reader)

    def setup_data(self):
        """Create what every test of the endpoint needs (e.g. the parent of a nested list)."""

    def get(self, url, **params):
        """GET as the reader; returns the response."""
        return self.client.get(url, params)


class ListEndpointTests(EndpointTests):
    """List: auth, roles, brief rows in key order, cursor paging, filters, constant query count."""

    list_url: str
    key_field: str
    brief_fields: list[str]
    descending = False
    max_queries = 1

    def get_list_url(self) -> str:
        """The list's URL (override for nested lists)."""
        return self.list_url

    def create_rows(self, count: int) -> list[str]:
        """Create `count` rows in bulk and return their keys."""
        raise NotImplementedError

    def filter_cases(self) -> list[tuple[dict, set[str]]]:
        """Create rows and return (query parameters, keys expected) pairs."""
        return []

    def keys(self, response) -> list[str]:
        assert response.status_code == 200, response.content
        return [row[self.key_field] for row in response.json()["results"]]

    def test_anonymous_is_refused(self):
        assert client_for().get(self.get_list_url()).status_code == 401

    def test_jwt_access_token_reads(self):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {AccessToken.for_user(self.reader)}")
        assert client.get(self.get_list_url()).status_code == 200

    def test_permission_by_role(self):
        for role in self.read_roles + self.denied_roles:
            user = self.reader if role == self.reader_role else make_user(role)
            expected = 200 if role in self.read_roles else 403
            assert client_for(user).get(self.get_list_url()).status_code == expected, role

    def test_rows_have_the_brief_shape_in_key_order(self):
        created = self.create_rows(3)
        response = self.get(self.get_list_url())
        keys = self.keys(response)
        assert keys == sorted(created, reverse=self.descending)
        assert list(response.json()["results"][0]) == self.brief_fields

    def test_cursor_pages_walk_every_row_once_both_ways(self):
        created = sorted(self.create_rows(7), reverse=self.descending)
        pages, url = [], self.get_list_url() + "?page_size=3"
        while url:
            body = self.get(url).json()
            pages.append([row[self.key_field] for row in body["results"]])
            url = body["next"] and path_of(body["next"])
        assert [key for page in pages for key in page] == created
        assert [len(page) for page in pages] == [3, 3, 1]
        back = self.get(path_of(body["previous"])).json()
        assert [row[self.key_field] for row in back["results"]] == pages[1]

    def test_bad_page_size_and_cursor_are_refused(self):
        assert self.get(self.get_list_url(), page_size=0).status_code == 400
        assert self.get(self.get_list_url(), page_size="many").status_code == 400
        assert self.get(self.get_list_url(), page_size="").status_code == 400
        assert self.get(self.get_list_url(), ordering="").status_code == 400
        assert self.get(self.get_list_url(), cursor="").status_code == 200
        assert self.get(self.get_list_url(), ordering="no-such-order").status_code == 400
        assert self.get(self.get_list_url(), cursor="not-a-cursor").status_code == 404

    def test_tampered_cursors_are_invalid_cursor_404s(self):
        self.create_rows(2)
        link = self.get(self.get_list_url() + "?page_size=1").json()["next"]
        cursor = parse_qs(urlsplit(link).query)["cursor"][0]
        payload = json.loads(base64.urlsafe_b64decode(cursor + "==="))
        nested = "[" * 1200 + "1" + "]" * 1200
        for tampered in ('"\\ud800"', "1e999", '"a\\u0000b"', nested, str(10**30), '{"a": 1}', "true"):
            text = json.dumps({**payload, "p": ["__VALUE__"] * len(payload["p"])}).replace('"__VALUE__"', tampered)
            token = base64.urlsafe_b64encode(text.encode()).decode()
            response = self.get(self.get_list_url(), cursor=token)
            assert response.status_code == 404, (tampered[:20], response.status_code)
            assert response.json()["error"]["message"] == "Invalid cursor.", tampered[:20]

    def test_filters(self):
        for params, expected in self.filter_cases():
            assert set(self.keys(self.get(self.get_list_url(), **params))) == set(expected), params

    def test_query_count_is_the_same_for_10_and_1000_rows(self):
        counts = []
        for count in (10, 990):
            self.create_rows(count)
            with CaptureQueriesContext(connection) as queries:
                response = self.get(self.get_list_url())
            assert response.status_code == 200
            counts.append(len(queries))
        assert counts[0] == counts[1] <= self.max_queries, [q["sql"] for q in queries.captured_queries]


class DetailEndpointTests(EndpointTests):
    """Detail: auth, full shape, 404 for an unknown well-formed key, 400 (with the reason) for a malformed one."""

    detail_url: str  # with "{key}"
    detail_fields: list[str]
    unknown_key: str
    max_detail_queries = 1

    def create_object(self) -> str:
        """Create one object and return its key."""
        raise NotImplementedError

    def test_detail_requires_authentication(self):
        assert client_for().get(self.detail_url.format(key=self.create_object())).status_code == 401

    def test_detail_has_the_full_shape(self):
        key = self.create_object()
        with CaptureQueriesContext(connection) as queries:
            response = self.get(self.detail_url.format(key=key))
        assert response.status_code == 200, response.content
        assert set(self.detail_fields) <= set(response.json())
        assert len(queries) <= self.max_detail_queries, [q["sql"] for q in queries.captured_queries]

    def test_unknown_key_is_404(self):
        assert self.get(self.detail_url.format(key=self.unknown_key)).status_code == 404


class CodeDetailEndpointTests(DetailEndpointTests):
    """Detail by a business code (ISIN, LEI, MIC): a malformed code is a 400 that says why."""

    malformed_key: str
    malformed_reason: str

    def test_malformed_key_is_400_with_the_reason(self):
        response = self.get(self.detail_url.format(key=self.malformed_key))
        assert response.status_code == 400
        assert self.malformed_reason in response.content.decode()
