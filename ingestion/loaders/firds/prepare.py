"""Check parsed FIRDS records and map them to row values; pure Python, run in the preparer's process."""

from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from typing import NamedTuple

import orjson

from instruments.columns import DEBT_FIELDS, DERIVATIVE_FIELDS, LISTING_DATA_FIELDS, utc_text
from marketdata.cfi import CfiError, cfi_decode
from marketdata.identifiers import CURRENCY_CODES, currency_error, isin_error, lei_error, mic_error

from ...parsers.firds import CANCELLED, FirdsRecord

# Field sizes of instruments.Listing / Instrument that a record must fit (checked before writing).
_LENGTHS = {"full_name": 350, "short_name": 35, "currency": 3, "relevant_authority": 2, "relevant_venue": 4}
_AMOUNT_DIGITS = 18  # amount_field: 28 digits, 10 after the point
_RATE_DIGITS = 10  # rate_field: 20 digits, 10 after the point


# Column order of PreparedRecord.listing: the services' field list (instruments/columns.py imports no Django, so
# this module still runs in the preparer's process without it).
LISTING_COLUMNS = LISTING_DATA_FIELDS


class PreparedRecord(NamedTuple):
    """A checked record as row values: the listing version's data in LISTING_COLUMNS order (the record as JSON text,
    typed values as Python values or as their storage text).

    Plain tuples, so that a batch travels cheaply (as JSON text) between the preparer's process and the loader's.
    `valid_to` is the publication period's end (FrDtToDt/ToDt) when FIRDS gives one.
    """

    number: int
    isin: str
    mic: str
    record_type: str
    valid_from: date
    valid_to: date | None
    listing: tuple


class RejectedRecord(NamedTuple):
    """A record that failed a check, with the reason."""

    number: int
    label: str
    reason: str


_cfi_errors: dict[str, str | None] = {}
_code_errors: dict[str, str | None] = {}  # ISIN and LEI checks; an ISIN repeats once per venue
_CODE_CACHE_SIZE = 200_000


def _code_problem(check, value: str) -> str | None:
    """check(value), remembered for the codes seen recently."""
    if value in _code_errors:
        return _code_errors[value]
    if len(_code_errors) > _CODE_CACHE_SIZE:
        _code_errors.clear()
    _code_errors[value] = error = check(value)
    return error


def _cfi_problem(code: str) -> str | None:
    """Why a CFI code is invalid (not 6 letters, unknown category or group), remembered per code.

    An attribute letter outside the ISO 10962 table is accepted: ESMA publishes codes of several editions
    of the standard (e.g. SRCCSP), and the category and group are what the data is filed under.
    """
    if code not in _cfi_errors:
        try:
            cfi_decode(code)
            _cfi_errors[code] = None
        except CfiError as error:
            _cfi_errors[code] = str(error) if error.position <= 2 or not code.isalpha() else None
    return _cfi_errors[code]


_TEN = Decimal(10)
_AMOUNT_LIMIT = _TEN**_AMOUNT_DIGITS
_RATE_LIMIT = _TEN**_RATE_DIGITS
_mic_errors: dict[str, str | None] = {}


def _too_wide(value: Decimal | None, limit: Decimal) -> bool:
    """True when a decimal has more integer digits than its column holds (limit: 10 ** integer digits)."""
    return value is not None and value.is_finite() and abs(value) >= limit


def record_problems(record: FirdsRecord) -> list[str]:
    """Why a record cannot be stored (invalid ISIN, MIC, LEI, CFI, a value that does not fit); empty when fine."""
    problems = []
    if record.error:
        problems.append(record.error)
    error = _code_problem(isin_error, record.isin)
    if error:
        problems.append(f"ISIN {record.isin!r}: {error}")
    mic = record.venue.mic
    error = _mic_errors.get(mic, "") if len(_mic_errors) < 10_000 else mic_error(mic)
    if error == "":
        error = _mic_errors[mic] = mic_error(mic)
    if error:
        problems.append(f"MIC {mic!r}: {error}")
    if record.issuer_lei:
        error = _code_problem(lei_error, record.issuer_lei)
        if error:
            problems.append(f"LEI {record.issuer_lei!r}: {error}")
    if record.record_type != CANCELLED or record.cfi_code:
        error = _cfi_problem(record.cfi_code)
        if error:
            problems.append(error)
    if record.currency and record.currency not in CURRENCY_CODES:
        problems.append(f"NtnlCcy: {currency_error(record.currency)}")
    strike = record.derivative.strike if record.derivative else None
    if strike and strike.currency and strike.currency not in CURRENCY_CODES:
        problems.append(f"StrkPric: {currency_error(strike.currency)}")
    technical = record.technical
    if (
        len(record.full_name) > _LENGTHS["full_name"]
        or len(record.short_name) > _LENGTHS["short_name"]
        or len(record.currency) > _LENGTHS["currency"]
        or len(technical.relevant_authority) > _LENGTHS["relevant_authority"]
        or len(technical.relevant_venue) > _LENGTHS["relevant_venue"]
    ):
        for name, value in (
            ("full_name", record.full_name),
            ("short_name", record.short_name),
            ("currency", record.currency),
            ("relevant_authority", technical.relevant_authority),
            ("relevant_venue", technical.relevant_venue),
        ):
            if len(value) > _LENGTHS[name]:
                problems.append(f"{name} has {len(value)} characters, at most {_LENGTHS[name]} fit")
    if record.debt or record.derivative:
        for label, value, limit in _decimals(record):
            if _too_wide(value, limit):
                problems.append(f"{label} {value} is too large")
    return problems


def _decimals(record: FirdsRecord):
    if record.debt:
        yield "TtlIssdNmnlAmt", record.debt.total_issued_nominal, _AMOUNT_LIMIT
        yield "NmnlValPerUnit", record.debt.nominal_value_per_unit, _AMOUNT_LIMIT
        yield "IntrstRate/Fxd", record.debt.fixed_rate, _RATE_LIMIT
        yield "BsisPtSprd", record.debt.floating_spread, _RATE_LIMIT
    if record.derivative:
        yield "PricMltplr", record.derivative.price_multiplier, _RATE_LIMIT
        if record.derivative.strike:
            yield "StrkPric", record.derivative.strike.value, _AMOUNT_LIMIT


def _debt_values(debt) -> tuple:
    """DEBT_FIELDS of the record's debt terms (all None without them)."""
    if debt is None:
        return _NO_DEBT
    return (
        debt.maturity_date,
        debt.total_issued_nominal,
        debt.nominal_value_per_unit,
        debt.fixed_rate,
        debt.floating_reference[:100] or None,
        debt.floating_term[:10] or None,
        debt.floating_spread,
        debt.seniority[:4] or None,
    )


def _derivative_values(derivative) -> tuple:
    """DERIVATIVE_FIELDS of the record's derivative terms (all None without them)."""
    if derivative is None:
        return _NO_DERIVATIVE
    isins = underlying_isin = underlying_index = None
    underlying = derivative.underlying
    if underlying:
        isins = [underlying.isin] if underlying.isin else list(underlying.basket_isins) or None
        underlying_isin = isins[0][:12] if isins else None
        underlying_index = underlying.index[:100] or None
    strike_price = strike_type = strike_currency = None
    strike = derivative.strike
    if strike and strike.kind:
        strike_price, strike_type, strike_currency = strike.value, strike.kind, strike.currency[:3] or None
    return (
        derivative.expiry_date,
        derivative.price_multiplier,
        isins,
        underlying_isin,
        underlying_index,
        derivative.option_type[:4] or None,
        strike_price,
        strike_type,
        strike_currency,
        derivative.exercise_style[:4] or None,
        derivative.delivery_type[:4] or None,
    )


_NO_DEBT = (None,) * len(DEBT_FIELDS)
_NO_DERIVATIVE = (None,) * len(DERIVATIVE_FIELDS)


def listing_values(record: FirdsRecord) -> tuple:
    """The Listing columns a record gives (the version's data, without its validity), in LISTING_COLUMNS order.

    Its own general attributes, venue dates, debt and derivative terms, and the whole record as JSON text (made
    once here, in the preparer's process). Date-times are given as their storage text (naive UTC); dates and decimals
    become theirs on the way to the loading process (instruments.columns.listing_typed reads both forms back).
    """
    venue = record.venue
    technical = record.technical
    return (
        record.full_name,
        record.short_name,
        record.cfi_code,
        record.currency,
        record.commodity_derivative,
        record.issuer_lei or None,
        venue.issuer_requested,
        utc_text(venue.admission_approval_date),
        utc_text(venue.admission_request_date),
        utc_text(venue.first_trade_date),
        utc_text(venue.termination_date),
        technical.relevant_authority,
        technical.relevant_venue,
        *_debt_values(record.debt),
        *_derivative_values(record.derivative),
        orjson.dumps(record.attributes).decode(),
    )


def record_prepare(record: FirdsRecord, default_valid_from: date | None = None) -> PreparedRecord | RejectedRecord:
    """Check a record and map it to row values; runs without Django (in the preparer's process)."""
    problems = record_problems(record)
    valid_from = record.technical.publication_from or default_valid_from
    valid_to = record.technical.publication_to
    if valid_from is None:
        problems.append("no publication date (TechAttrbts/PblctnPrd/FrDt) and none in the file header")
    elif valid_to is not None and valid_to < valid_from:
        problems.append(f"PblctnPrd/FrDtToDt: ToDt {valid_to} is before FrDt {valid_from}")
    if problems:
        label = f"record {record.number} (line {record.line}) {record.isin or '?'}@{record.mic or '?'}"
        return RejectedRecord(record.number, label, "; ".join(problems))
    return PreparedRecord(
        record.number,
        record.isin,
        record.venue.mic,
        record.record_type,
        valid_from,
        valid_to,
        listing_values(record),
    )


_default_dates: dict[str, date | None] = {}


def _decimal_text(value) -> str:
    """A decimal as its text, for orjson (which writes dates and date-times itself)."""
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"{type(value).__name__} does not travel between the processes")


def _default_valid_from(info) -> date | None:
    """The file's reporting date, the publication date of records that give none."""
    reporting = info.reporting_date
    if not reporting:
        return None
    if reporting not in _default_dates:
        try:
            _default_dates[reporting] = date.fromisoformat(reporting[:10])
        except ValueError:
            _default_dates[reporting] = None
    return _default_dates[reporting]


def batches_prepare_in_file(records: Iterator[FirdsRecord], info, batch_size: int) -> Iterator[bytes]:
    """record_prepare for a file's records in the preparer process, in batches of row tuples for the loading process.

    The file's reporting date is the default publication date. A batch travels as JSON text (orjson writes it,
    dates and date-times included, several times faster than pickle would, in the process that is the
    bottleneck); see `prepared_batch_decode`.
    """
    rows: list[tuple] = []
    default = None
    dumps = orjson.dumps
    for record in records:
        if not rows:
            default = _default_valid_from(info)  # the header comes before the first record
        rows.append(tuple(record_prepare(record, default)))  # orjson writes tuples, not named ones
        if len(rows) >= batch_size:
            yield dumps(rows, default=_decimal_text)
            rows = []
    if rows:
        yield dumps(rows, default=_decimal_text)


def prepared_batch_decode(batch: bytes) -> list[PreparedRecord | RejectedRecord]:
    """The records of a batch that batches_prepare_in_file sent."""
    return [prepared_decode(item) for item in orjson.loads(batch)]


def prepared_decode(item: list) -> PreparedRecord | RejectedRecord:
    """The PreparedRecord (or RejectedRecord) of one row of a batch that batches_prepare_in_file sent."""
    if len(item) == len(RejectedRecord._fields):
        return RejectedRecord._make(item)
    number, isin, mic, record_type, valid_from, valid_to, listing = item
    return PreparedRecord(
        number,
        isin,
        mic,
        record_type,
        date.fromisoformat(valid_from),
        None if valid_to is None else date.fromisoformat(valid_to),
        tuple(listing),  # dates, date-times and decimals stay storage text: the writer stores them as they are
    )
