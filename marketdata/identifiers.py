"""ISIN (ISO 6166), LEI (ISO 17442), MIC (ISO 10383), CFI (ISO 10962) and currency (ISO 4217) checks."""

import re

import pycountry

ISIN_RE = re.compile(r"^[A-Z]{2}[A-Z0-9]{9}[0-9]$")
LEI_RE = re.compile(r"^[A-Z0-9]{18}[0-9]{2}$")
MIC_RE = re.compile(r"^[A-Z0-9]{4}$")
CFI_RE = re.compile(r"^[A-Z]{6}$")


# ISIN prefixes (ISO 6166:2021 4.1 a): an ISO 3166 alpha-2 country code or a code ISO 3166 reserves, "XS",
# "EZ" or "ZZ" (its Annex A, Table A.1), or another prefix the registration authority (ANNA) names.
# Sources: ISO 6166:2021 4.1 a) as its BS edition's preview quotes it; ANNA's ISIN page
# (anna-web.org/standards/isin-iso-6166: EZ for OTC derivatives allocated by the ANNA DSB); python-stdnum's
# stdnum/isin.py list of prefixes in use; ESMA's FIRDS/FITRS samples in data/ (EZ, XS, EU and AN ISINs).
# QZ is named by none of these (it is only an ISO 3166 user-assigned code) and is not accepted.
ISIN_RESERVED_PREFIXES = {
    "XS": "international securities (Euroclear Bank, Clearstream Banking)",
    "EZ": "OTC derivatives (ANNA Derivatives Service Bureau)",
    "ZZ": "reserved by ISO 6166:2021 Annex A",
    "EU": "European Union (ISO 3166 exceptional reservation)",
    "XA": "CUSIP Global Services as substitute numbering agency",
    "XB": "NSD Russia as substitute numbering agency",
    "XC": "WM Datenservice Germany as substitute numbering agency",
    "XD": "SIX Financial Information as substitute numbering agency",
    "XF": "assigned internally, not unique",
    "XK": "Kosovo (temporary code, not in ISO 3166)",
    "QS": "internal use (Euroclear France; temporary in Germany)",
    "QT": "internal use (Switzerland)",
}
# ISO 3166-1 exceptional reservations (AC, CP, ...), beside the current codes and the formerly used ones of
# ISO 3166-3 (ISINs are never reissued: AN, Netherlands Antilles until 2010, is in real FITRS data).
_ISO_3166_EXCEPTIONALLY_RESERVED = ("AC", "CP", "DG", "EA", "EU", "EZ", "FX", "IC", "SU", "TA", "UK", "UN")
ISIN_PREFIXES = frozenset(
    {country.alpha_2 for country in pycountry.countries}
    | {getattr(country, "alpha_2", "") for country in pycountry.historic_countries} - {""}
    | set(_ISO_3166_EXCEPTIONALLY_RESERVED)
    | set(ISIN_RESERVED_PREFIXES)
)

# ISO 4217 codes withdrawn since MiFIR reference data began (2018) that FIRDS records reported before the
# withdrawal still carry; the current list comes from pycountry.
WITHDRAWN_CURRENCIES = {
    "BGN": "Bulgarian lev (euro from 2026)",
    "HRK": "Croatian kuna (euro from 2023)",
    "ANG": "Netherlands Antillean guilder (replaced by XCG)",
    "CUC": "Cuban convertible peso",
    "MRO": "Mauritanian ouguiya (replaced by MRU)",
    "STD": "Sao Tome and Principe dobra (replaced by STN)",
    "VEF": "Venezuelan bolivar fuerte (replaced by VES)",
    "SLL": "Sierra Leonean leone (replaced by SLE)",
    "ZWL": "Zimbabwe dollar (replaced by ZWG)",
}
CURRENCY_CODES = frozenset({currency.alpha_3 for currency in pycountry.currencies} | set(WITHDRAWN_CURRENCIES))


class IdentifierError(ValueError):
    """An identifier that is malformed or fails its check digit."""


# Each letter or digit -> its number as text (A=10 ... Z=35), as ISO 6166 and ISO 7064 count them.
_DIGITS = str.maketrans({char: str(int(char, 36)) for char in "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"})
# A Luhn digit doubled, as the digit it adds ("6" -> 12 -> 1 + 2 = "3").
_DOUBLED = str.maketrans({str(digit): str(digit * 2 - 9 if digit > 4 else digit * 2) for digit in range(10)})


def _alnum_to_digits(value: str) -> str:
    """Replace each letter by its number (A=10 ... Z=35), as ISO 6166 and ISO 7064 do."""
    return value.translate(_DIGITS)


def _digit_sum(digits: str) -> int:
    """The sum of a string of digits (their ASCII codes, less that of "0" for each)."""
    return sum(digits.encode()) - 48 * len(digits)


def isin_check_digit(body: str) -> int:
    """The Luhn check digit of the first 11 characters of an ISIN."""
    digits = _alnum_to_digits(body)[::-1]  # doubled from the rightmost digit on
    total = _digit_sum(digits[::2].translate(_DOUBLED)) + _digit_sum(digits[1::2])
    return (10 - total % 10) % 10


def isin_error(value: str) -> str | None:
    """Why a value is not a valid ISIN, or None when it is."""
    if not isinstance(value, str) or len(value) != 12:
        return "an ISIN has 12 characters"
    if not ISIN_RE.match(value):
        return "an ISIN is 2 letters, 9 letters or digits and a check digit"
    if value[:2] not in ISIN_PREFIXES:
        return f"country prefix {value[:2]!r} is not an ISO 3166-1 code or an ISO 6166 reserved prefix"
    expected = isin_check_digit(value[:11])
    if int(value[11]) != expected:
        return f"check digit is {value[11]}, expected {expected}"
    return None


def lei_error(value: str) -> str | None:
    """Why a value is not a valid LEI, or None when it is (ISO 17442, ISO 7064 mod 97-10)."""
    if not isinstance(value, str) or len(value) != 20:
        return "a LEI has 20 characters"
    if not LEI_RE.match(value):
        return "a LEI is 18 letters or digits and 2 check digits"
    if int(_alnum_to_digits(value)) % 97 != 1:
        return "check digits fail the mod-97 test"
    return None


def mic_error(value: str) -> str | None:
    """Why a value is not a well-formed MIC, or None when it is."""
    if not isinstance(value, str) or not MIC_RE.match(value):
        return "a MIC is 4 letters or digits"
    return None


def currency_error(code: str) -> str | None:
    """Why a value is not an ISO 4217 currency code (current, or withdrawn since 2018), or None when it is."""
    if code.__class__ is str and code in CURRENCY_CODES:
        return None
    return f"currency {code!r} is not an ISO 4217 code"


def is_valid_isin(value: str) -> bool:
    """True when the value is an ISIN with a correct check digit."""
    return isin_error(value) is None


def is_valid_lei(value: str) -> bool:
    """True when the value is a LEI with correct check digits."""
    return lei_error(value) is None


def is_valid_mic(value: str) -> bool:
    """True when the value is a well-formed MIC."""
    return mic_error(value) is None


def validate_isin(value: str) -> str:
    """Return the ISIN, or raise IdentifierError saying what is wrong."""
    error = isin_error(value)
    if error:
        raise IdentifierError(f"invalid ISIN {value!r}: {error}")
    return value


def validate_lei(value: str) -> str:
    """Return the LEI, or raise IdentifierError saying what is wrong."""
    error = lei_error(value)
    if error:
        raise IdentifierError(f"invalid LEI {value!r}: {error}")
    return value


def validate_mic(value: str) -> str:
    """Return the MIC, or raise IdentifierError saying what is wrong."""
    error = mic_error(value)
    if error:
        raise IdentifierError(f"invalid MIC {value!r}: {error}")
    return value
