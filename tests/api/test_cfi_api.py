"""cfi/{code}/: decode any CFI code; an invalid one is a 400 with the position and reason."""

import pytest

from .base import client_for, make_user

URL = "/api/v1/cfi/{}/"


@pytest.fixture
def client(db):
    return client_for(make_user("analyst"))


def test_decodes_a_code(client):
    body = client.get(URL.format("DBFTFB")).json()
    assert (body["category"], body["group"], body["instrument_type"]) == ("D", "B", "debt")
    assert body["category_name"] == "Debt instruments"
    assert [attribute["position"] for attribute in body["attributes"]] == [1, 2, 3, 4]
    assert all(attribute["meaning"] for attribute in body["attributes"])


@pytest.mark.parametrize(
    "code, position, reason",
    [("EZVUFR", 2, "not a group"), ("ESVUF1", 6, "not a letter"), ("ESV", 0, "6 letters"), ("ZSVUFR", 1, "category")],
)
def test_invalid_code_names_the_position_and_reason(client, code, position, reason):
    response = client.get(URL.format(code))
    assert response.status_code == 400
    details = response.json()["error"]["details"]
    assert details["position"] == position
    assert reason in details["reason"]


def test_requires_authentication(db):
    assert client_for().get(URL.format("ESVUFR")).status_code == 401
