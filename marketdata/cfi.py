"""ISO 10962 CFI decoding from the code tables shipped in marketdata/data/cfi/."""

import csv
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data" / "cfi"
NOT_APPLICABLE = "X"

# Instrument type by CFI category letter (ISO 10962:2019).
INSTRUMENT_TYPES = {
    "C": "collective_investment",
    "D": "debt",
    "E": "equity",
    "F": "future",
    "H": "non_listed_option",
    "I": "spot",
    "J": "forward",
    "K": "strategy",
    "L": "financing",
    "M": "other",
    "O": "listed_option",
    "R": "entitlement",
    "S": "swap",
    "T": "referential",
}


class CfiError(ValueError):
    """A CFI code that ISO 10962 does not allow; `position` is 1-based."""

    def __init__(self, code: str, position: int, reason: str):
        self.code = code
        self.position = position
        self.reason = reason
        super().__init__(f"invalid CFI {code!r} at position {position}: {reason}")


@dataclass(frozen=True)
class CfiAttribute:
    """One attribute position of a CFI code and what its letter means."""

    position: int
    name: str
    value: str
    meaning: str


@dataclass(frozen=True)
class CfiDecoded:
    """A CFI code split into category, group and attributes, each with its meaning."""

    code: str
    category: str
    category_name: str
    group: str
    group_name: str
    instrument_type: str
    attributes: list[CfiAttribute] = field(default_factory=list)

    def as_dict(self) -> dict:
        """Plain dict for JSON answers."""
        return {
            "code": self.code,
            "category": self.category,
            "category_name": self.category_name,
            "group": self.group,
            "group_name": self.group_name,
            "instrument_type": self.instrument_type,
            "attributes": [attribute.__dict__ for attribute in self.attributes],
        }


@dataclass
class _Tables:
    categories: dict[str, str]
    groups: dict[tuple[str, str], str]
    attribute_names: dict[tuple[str, str, int], str]
    attribute_values: dict[tuple[str, str, int], dict[str, str]]


@lru_cache(maxsize=1)
def _tables() -> _Tables:
    """Read the three ISO 10962 tables once."""

    def rows(name):
        with open(DATA_DIR / name, newline="", encoding="utf-8") as handle:
            return list(csv.DictReader(handle))

    categories = {row["category"]: row["category_name"] for row in rows("cfi_categories.csv")}
    groups = {(row["category"], row["group"]): row["group_name"] for row in rows("cfi_groups.csv")}
    names: dict[tuple[str, str, int], str] = {}
    values: dict[tuple[str, str, int], dict[str, str]] = {}
    # ISO 10962:2019 values, then the 2015 edition's values that ESMA FIRDS still sends (e.g. SRCCSP).
    for row in rows("cfi_attributes.csv") + rows("cfi_attributes_2015.csv"):
        key = (row["category"], row["group"], int(row["position"]))
        names[key] = row["attribute_name"]
        values.setdefault(key, {})[row["value"]] = row["value_meaning"]
    return _Tables(categories, groups, names, values)


def cfi_decode(code: str) -> CfiDecoded:
    """Decode a 6-letter CFI code, or raise CfiError naming the position and reason."""
    if not isinstance(code, str) or len(code) != 6:
        raise CfiError(str(code), 0, "a CFI code has 6 letters")
    code = code.upper()
    for index, char in enumerate(code, start=1):
        if not ("A" <= char <= "Z"):
            raise CfiError(code, index, f"{char!r} is not a letter")
    tables = _tables()
    category, group = code[0], code[1]
    if category not in tables.categories:
        raise CfiError(code, 1, f"{category!r} is not a CFI category")
    if (category, group) not in tables.groups:
        raise CfiError(code, 2, f"{group!r} is not a group of category {category} ({tables.categories[category]})")
    attributes = []
    for position in range(1, 5):
        letter = code[position + 1]
        key = (category, group, position)
        name = tables.attribute_names[key]
        if letter == NOT_APPLICABLE:
            meaning = "Not applicable/undefined"
        else:
            meaning = tables.attribute_values[key].get(letter)
            if meaning is None:
                allowed = "".join(sorted(set(tables.attribute_values[key]) | {NOT_APPLICABLE}))
                raise CfiError(
                    code, position + 2, f"{letter!r} is not a value of {name.split(' (')[0]!r} (allowed: {allowed})"
                )
        attributes.append(CfiAttribute(position, name, letter, meaning))
    return CfiDecoded(
        code=code,
        category=category,
        category_name=tables.categories[category],
        group=group,
        group_name=tables.groups[(category, group)],
        instrument_type=INSTRUMENT_TYPES[category],
        attributes=attributes,
    )


def cfi_error(code: str) -> str | None:
    """Why a CFI code is invalid, or None when ISO 10962 allows it."""
    try:
        cfi_decode(code)
    except CfiError as error:
        return str(error)
    return None


def instrument_type_for_cfi(code: str) -> str:
    """The instrument type named by a CFI code's category letter ('' when unknown)."""
    return INSTRUMENT_TYPES.get((code or " ")[0].upper(), "")
