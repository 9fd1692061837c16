"""Issue 11's findings, each as an attack that used to give a 500 (or succeed) and now gets a 4xx or is stopped."""

import csv
import io

import pytest

from instruments.models import Instrument
from marketdata.api.parsers import json_depth
from tests.factories import InstrumentFactory

from .access import bearer, role_user

JSON = "application/json"
pytestmark = pytest.mark.django_db


def deep_array(depth: int) -> str:
    """A JSON text of `depth` nested arrays."""
    return "[" * depth + "]" * depth


# 2. Deeply nested JSON


def test_json_depth_counts_nesting_and_ignores_brackets_in_strings():
    assert json_depth(b"1") == 0
    assert json_depth(b'{"a": [1, {"b": []}]}') == 4
    assert json_depth(b'["[[[[", "\\"[[[", {"k": "]]]}"}]') == 2


def test_deeply_nested_json_to_the_token_endpoint_is_a_400_not_a_500(client):
    response = client.post("/api/v1/auth/token/", deep_array(5000), content_type=JSON)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "parse_error" and "levels deep" in response.json()["error"]["message"]


def test_deeply_nested_json_to_lookup_is_a_400_and_normal_bodies_still_work(client):
    headers = {"Authorization": bearer(role_user("analyst"))}
    response = client.post("/api/v1/instruments/lookup/", deep_array(5000), content_type=JSON, headers=headers)
    assert response.status_code == 400 and response.json()["error"]["code"] == "parse_error"
    response = client.post(
        "/api/v1/instruments/lookup/", {"isins": ["XS0000000009"]}, content_type=JSON, headers=headers
    )
    assert response.status_code == 200


# 8. CSV formula injection


def test_export_escapes_cells_that_a_spreadsheet_would_run_as_formulas(client):
    names = ['=HYPERLINK("http://x")', "+1+1", "-2+3", "@SUM(A1)", "\tTAB", "\rCR", "Plain name", "a=b"]
    Instrument.objects.bulk_create([InstrumentFactory.build(full_name=name) for name in names])
    headers = {"Authorization": bearer(role_user("analyst"))}
    response = client.get("/api/v1/instruments/export/", headers=headers)
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    exported = {row["full_name"] for row in rows}
    assert exported == {"'" + name for name in names[:6]} | {"Plain name", "a=b"}
