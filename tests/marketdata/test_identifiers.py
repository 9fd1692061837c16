"""ISIN, LEI and MIC validators against real identifiers from the shared test cases."""

import csv
import string

import pytest
from hypothesis import given
from hypothesis import strategies as st

from marketdata.identifiers import (
    CURRENCY_CODES,
    ISIN_PREFIXES,
    IdentifierError,
    currency_error,
    is_valid_isin,
    is_valid_lei,
    is_valid_mic,
    isin_check_digit,
    isin_error,
    validate_isin,
    validate_lei,
    validate_mic,
)
from tests.conftest import FIXTURES

TESTCASES = FIXTURES / "testcases"


def _column(file_name: str, column: str) -> list[str]:
    with open(TESTCASES / file_name, newline="", encoding="utf-8") as handle:
        return sorted({row[column] for row in csv.DictReader(handle) if row[column]})


REAL_ISINS = sorted(set(_column("gleif_lei_isin_pairs.csv", "isin")) | set(_column("isin_mic_lei_triples.csv", "isin")))
REAL_LEIS = sorted(
    set(_column("gleif_lei_isin_pairs.csv", "lei")) | set(_column("isin_mic_lei_triples.csv", "issuer_lei"))
)
REAL_MICS = _column("isin_mic_lei_triples.csv", "mic")


def _other_digits(digit: str) -> list[str]:
    return [d for d in string.digits if d != digit]


def test_the_shared_test_cases_are_not_empty():
    assert len(REAL_ISINS) >= 40 and len(REAL_LEIS) >= 15 and len(REAL_MICS) >= 10


@pytest.mark.parametrize("isin", REAL_ISINS)
def test_real_isins_pass(isin):
    assert is_valid_isin(isin)
    assert validate_isin(isin) == isin


@pytest.mark.parametrize("isin", REAL_ISINS)
def test_isins_with_an_altered_check_digit_fail(isin):
    for digit in _other_digits(isin[-1]):
        altered = isin[:-1] + digit
        assert not is_valid_isin(altered)
        with pytest.raises(IdentifierError, match=rf"check digit is {digit}, expected {isin[-1]}"):
            validate_isin(altered)


@pytest.mark.parametrize("lei", REAL_LEIS)
def test_real_leis_pass(lei):
    assert is_valid_lei(lei)
    assert validate_lei(lei) == lei


@pytest.mark.parametrize("lei", REAL_LEIS)
def test_leis_with_altered_check_digits_fail(lei):
    for digit in _other_digits(lei[-1]):
        assert not is_valid_lei(lei[:-1] + digit)
    for digit in _other_digits(lei[-2]):
        assert not is_valid_lei(lei[:-2] + digit + lei[-1])
    with pytest.raises(IdentifierError, match="mod-97"):
        validate_lei(lei[:-1] + _other_digits(lei[-1])[0])


@pytest.mark.parametrize("mic", REAL_MICS)
def test_real_mics_pass(mic):
    assert validate_mic(mic) == mic


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("US037833100", "12 characters"),  # one short
        ("US03783310055", "12 characters"),
        ("us0378331005", "2 letters"),  # lower case
        ("1S0378331005", "2 letters"),
        ("US037833100X", "2 letters"),  # letter as check digit
        (None, "12 characters"),
    ],
)
def test_malformed_isins_say_why(value, reason):
    with pytest.raises(IdentifierError, match=reason):
        validate_isin(value)


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("529900W18LQJJN6SJ33", "20 characters"),
        ("529900W18LQJJN6SJ3X6", "2 check digits"),
        ("529900w18lqjjn6sj336", "18 letters"),
    ],
)
def test_malformed_leis_say_why(value, reason):
    with pytest.raises(IdentifierError, match=reason):
        validate_lei(value)


@pytest.mark.parametrize("value", ["XPA", "XPARS", "xpar", "XP-R", ""])
def test_malformed_mics_fail(value):
    assert not is_valid_mic(value)
    with pytest.raises(IdentifierError, match="4 letters or digits"):
        validate_mic(value)


def test_transposed_isin_digits_are_caught():
    # Apple's ISIN with two adjacent digits swapped (US0378331005 -> US0378313005).
    assert is_valid_isin("US0378331005")
    assert not is_valid_isin("US0378313005")


ISIN_BODY = st.builds(
    str.__add__, st.sampled_from(sorted(ISIN_PREFIXES)), st.from_regex(r"\A[A-Z0-9]{9}\Z", fullmatch=True)
)


@given(ISIN_BODY)
def test_property_every_body_with_its_check_digit_is_valid_and_no_other_digit_is(body):
    digit = str(isin_check_digit(body))
    assert is_valid_isin(body + digit)
    assert not any(is_valid_isin(body + other) for other in _other_digits(digit))


def _luhn_reference(body: str) -> int:
    """ISO 6166 check digit as the standard words it: letters to numbers, then Luhn from the right."""
    digits = [int(char) for char in "".join(str(int(char, 36)) for char in body)]
    total = 0
    for position, digit in enumerate(reversed(digits)):
        if position % 2 == 0:
            digit = sum(divmod(digit * 2, 10))
        total += digit
    return (10 - total % 10) % 10


@given(ISIN_BODY)
def test_property_isin_check_digit_matches_a_plain_luhn(body):
    assert isin_check_digit(body) == _luhn_reference(body)


@given(st.from_regex(r"\A[A-Z0-9]{18}[0-9]{2}\Z", fullmatch=True))
def test_property_lei_check_matches_a_plain_mod_97(value):
    # ISO 7064 mod 97-10: letters to numbers, the whole as one integer, valid when it leaves 1 modulo 97.
    number = int("".join(str(ord(char) - 55 if char.isalpha() else int(char)) for char in value))
    assert is_valid_lei(value) == (number % 97 == 1)


@given(st.from_regex(r"\A[A-Z0-9]{18}\Z", fullmatch=True))
def test_property_exactly_one_pair_of_check_digits_makes_a_lei(body):
    # ISO 7064 mod 97-10: check digits = 98 - (body + "00") mod 97.
    number = int("".join(str(int(char, 36)) for char in body + "00"))
    check = f"{98 - number % 97:02d}"
    assert is_valid_lei(body + check)
    assert not is_valid_lei(body + f"{(int(check) + 1) % 100:02d}")


@pytest.mark.parametrize(
    "isin",
    [
        # Real ISINs from ESMA's samples in tests/fixtures/firds and data/fitrs:
        "XS2911096670",  # international (Euroclear/Clearstream)
        "EZV1JDJ1R5Q9",  # OTC derivative, ANNA DSB (the DLTINS excerpt)
        "EU000A2QMW50",  # European Union
        "ANN5639Y5530",  # Netherlands Antilles (ISO 3166-3 formerly used code; FITRS sample)
        "US0378331005",
    ],
)
def test_reserved_and_former_prefixes_pass(isin):
    assert isin_error(isin) is None


@pytest.mark.parametrize("prefix", ["QZ", "AA", "QQ", "XX", "OO"])
def test_unknown_country_prefixes_are_rejected_by_name(prefix):
    body = prefix + "000000000"
    isin = body + str(isin_check_digit(body))  # a correct check digit: the prefix alone is wrong
    assert isin_error(isin) == (f"country prefix {prefix!r} is not an ISO 3166-1 code or an ISO 6166 reserved prefix")
    with pytest.raises(IdentifierError, match=f"country prefix '{prefix}'"):
        validate_isin(isin)


def test_prefixes_hold_every_iso_3166_country_and_the_iso_6166_reservations():
    import pycountry

    assert {country.alpha_2 for country in pycountry.countries} <= ISIN_PREFIXES
    assert {"XS", "EZ", "EU", "ZZ", "XA", "XB", "XC", "XD"} <= ISIN_PREFIXES
    assert "QZ" not in ISIN_PREFIXES


@given(st.from_regex(r"\A[A-Z]{2}\Z", fullmatch=True), st.from_regex(r"\A[A-Z0-9]{9}\Z", fullmatch=True))
def test_property_a_prefix_outside_the_table_is_always_rejected_whatever_the_rest(prefix, rest):
    body = prefix + rest
    error = isin_error(body + str(isin_check_digit(body)))
    assert (error is None) == (prefix in ISIN_PREFIXES)
    if error:
        assert repr(prefix) in error


@pytest.mark.parametrize("code", ["EUR", "USD", "GBP", "CHF", "JPY", "XAU", "XXX", "HRK", "BGN"])
def test_iso_4217_codes_and_withdrawn_ones_firds_still_carries_pass(code):
    assert currency_error(code) is None


@pytest.mark.parametrize("code", ["EÜR", "eur", "EURO", "EU", "", "ABC", "GBX", None])
def test_other_currency_codes_are_rejected_by_name(code):
    assert currency_error(code) == f"currency {code!r} is not an ISO 4217 code"


@given(st.text(min_size=0, max_size=4))
def test_property_currency_error_agrees_with_the_table(code):
    assert (currency_error(code) is None) == (code in CURRENCY_CODES)
