"""ISO 10962 CFI decoding from the shipped code tables."""

import csv

import pytest

from marketdata.cfi import DATA_DIR, INSTRUMENT_TYPES, CfiError, cfi_decode, cfi_error, instrument_type_for_cfi
from tests.conftest import FIXTURES


def _rows(name: str) -> list[dict]:
    with open(DATA_DIR / name, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


CATEGORIES = {row["category"]: row["category_name"] for row in _rows("cfi_categories.csv")}
GROUPS = [(row["category"], row["group"], row["group_name"]) for row in _rows("cfi_groups.csv")]
ATTRIBUTES = _rows("cfi_attributes.csv")


def test_the_shipped_tables_cover_all_14_categories():
    assert set(CATEGORIES) == set("CDEFHIJKLMORST") == set(INSTRUMENT_TYPES)
    assert len(GROUPS) >= 70


@pytest.mark.parametrize(("category", "group", "group_name"), GROUPS, ids=[c + g for c, g, _ in GROUPS])
def test_every_group_decodes_with_x_attributes(category, group, group_name):
    decoded = cfi_decode(f"{category}{group}XXXX")
    assert decoded.category == category
    assert decoded.category_name == CATEGORIES[category]
    assert decoded.group_name == group_name
    assert decoded.instrument_type == INSTRUMENT_TYPES[category]
    assert [a.position for a in decoded.attributes] == [1, 2, 3, 4]
    assert all(a.value == "X" and a.meaning == "Not applicable/undefined" for a in decoded.attributes)


@pytest.mark.parametrize("category", sorted(CATEGORIES))
def test_every_category_decodes_with_a_first_group(category):
    group = next(g for c, g, _ in GROUPS if c == category)
    assert cfi_decode(f"{category}{group}XXXX").category_name == CATEGORIES[category]


def test_every_attribute_value_of_the_tables_decodes_to_its_meaning():
    for row in ATTRIBUTES:
        position = int(row["position"])
        letters = ["X"] * 4
        letters[position - 1] = row["value"]
        decoded = cfi_decode(row["category"] + row["group"] + "".join(letters))
        attribute = decoded.attributes[position - 1]
        assert (attribute.value, attribute.meaning, attribute.name) == (
            row["value"],
            row["value_meaning"] if row["value"] != "X" else "Not applicable/undefined",
            row["attribute_name"],
        )


def test_real_cfi_codes_from_firds_decode():
    with open(FIXTURES / "testcases" / "isin_mic_lei_triples.csv", newline="", encoding="utf-8") as handle:
        codes = {row["cfi"] for row in csv.DictReader(handle)}
    assert len(codes) >= 8
    for code in codes:
        assert cfi_error(code) is None, code


def test_a_share_decodes_attribute_by_attribute():
    decoded = cfi_decode("ESVUFR")
    assert (decoded.category_name, decoded.group_name) == ("Equities", "Common/ordinary shares")
    assert decoded.instrument_type == "equity"
    assert [a.name.split(" (")[0] for a in decoded.attributes] == [
        "Voting right",
        "Ownership/transfer/sales restrictions",
        "Payment status",
        "Form",
    ]
    assert [a.meaning.split(" (")[0] for a in decoded.attributes] == ["Voting", "Free", "Fully paid", "Registered"]
    assert decoded.as_dict()["attributes"][0] == {
        "position": 1,
        "name": decoded.attributes[0].name,
        "value": "V",
        "meaning": decoded.attributes[0].meaning,
    }


def test_lower_case_is_accepted():
    assert cfi_decode("esvufr").code == "ESVUFR"


@pytest.mark.parametrize(
    ("code", "position", "reason"),
    [
        ("ESVUF", 0, "6 letters"),
        ("ESVUFRR", 0, "6 letters"),
        (None, 0, "6 letters"),
        ("ES1UFR", 3, "'1' is not a letter"),
        ("ZSVUFR", 1, "'Z' is not a CFI category"),
        ("EZVUFR", 2, "'Z' is not a group of category E (Equities)"),
        ("ESZUFR", 3, "'Z' is not a value of 'Voting right'"),
        ("ESVZFR", 4, "'Z' is not a value of 'Ownership/transfer/sales restrictions'"),
        ("ESVUZR", 5, "'Z' is not a value of 'Payment status'"),
        ("ESVUFZ", 6, "'Z' is not a value of 'Form'"),
    ],
)
def test_invalid_codes_name_the_position_and_reason(code, position, reason):
    with pytest.raises(CfiError) as raised:
        cfi_decode(code)
    assert raised.value.position == position
    assert reason in raised.value.reason
    assert f"at position {position}" in str(raised.value)
    assert cfi_error(code) == str(raised.value)


def test_an_invalid_attribute_lists_the_allowed_letters_once():
    with pytest.raises(CfiError) as raised:
        cfi_decode("ESZUFR")
    allowed = raised.value.reason.split("allowed: ")[1].rstrip(")")
    expected = {row["value"] for row in ATTRIBUTES if row["category"] + row["group"] + row["position"] == "ES1"}
    assert sorted(allowed) == sorted(expected | {"X"})
    # A position that only admits X says so without repeating it.
    with pytest.raises(CfiError) as raised:
        cfi_decode("CHXAXX")
    assert raised.value.reason.endswith("(allowed: X)")


@pytest.mark.parametrize(
    ("code", "expected"), [("DBFTFB", "debt"), ("OCEICS", "listed_option"), ("", ""), ("ZZZZZZ", "")]
)
def test_instrument_type_for_cfi(code, expected):
    assert instrument_type_for_cfi(code) == expected
