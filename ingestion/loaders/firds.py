"""FIRDS loader: check and map parsed records to row values, then write them in batches with the delta rules.

`record_prepare` is pure Python (it runs in the parser's process, next to the parsing); `FirdsBatchWriter`
runs in the loading process and writes through `instruments.services`.
"""

from datetime import date
from decimal import Decimal
from typing import NamedTuple

import orjson

from marketdata.cfi import CfiError, cfi_decode, instrument_type_for_cfi
from marketdata.identifiers import isin_error, lei_error, mic_error

from ..parsers.firds import CANCELLED, FirdsRecord

# Field sizes of instruments.Listing / Instrument that a record must fit (checked before writing).
_LENGTHS = {"full_name": 350, "short_name": 35, "currency": 3, "relevant_authority": 2, "relevant_venue": 4}
_AMOUNT_DIGITS = 18  # amount_field: 28 digits, 10 after the point
_RATE_DIGITS = 10  # rate_field: 20 digits, 10 after the point


# Column order of PreparedRecord.listing and .instrument: the same as instruments.services' field lists
# (a test holds them equal; this module runs without Django, in the parser's process).
LISTING_COLUMNS = (
    "full_name",
    "short_name",
    "cfi_code",
    "currency",
    "issuer_lei",
    "issuer_requested",
    "admission_approval_date",
    "admission_request_date",
    "first_trade_date",
    "termination_date",
    "relevant_authority",
    "relevant_venue",
)
INSTRUMENT_COLUMNS = (
    "full_name",
    "short_name",
    "cfi_code",
    "category",
    "instrument_type",
    "currency",
    "commodity_derivative",
    "issuer_id",
    "relevant_authority",
    "relevant_venue",
    "maturity_date",
    "total_issued_nominal",
    "nominal_value_per_unit",
    "fixed_rate",
    "floating_rate_reference",
    "floating_rate_term",
    "floating_rate_spread",
    "debt_seniority",
    "expiry_date",
    "price_multiplier",
    "underlying_isins",
    "underlying_isin",
    "underlying_index",
    "option_type",
    "strike_price",
    "strike_price_type",
    "strike_currency",
    "exercise_style",
    "delivery_type",
    "attributes",
)


class PreparedRecord(NamedTuple):
    """A checked record as row values: its listing version and, unless a cancellation, its instrument.

    Plain tuples (listing in LISTING_COLUMNS order, instrument in INSTRUMENT_COLUMNS order, attributes as
    JSON text) so that a batch pickles cheaply between the parser's process and the loader's.
    """

    number: int
    isin: str
    mic: str
    record_type: str
    valid_from: date
    listing: tuple
    instrument: tuple | None
    at_relevant_venue: bool


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
    technical = record.technical
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


def listing_values(record: FirdsRecord) -> tuple:
    """The Listing columns a record gives (the version's data, without its validity), in LISTING_COLUMNS order."""
    venue = record.venue
    technical = record.technical
    return (
        record.full_name,
        record.short_name,
        record.cfi_code,
        record.currency,
        record.issuer_lei,
        venue.issuer_requested,
        venue.admission_approval_date,
        venue.admission_request_date,
        venue.first_trade_date,
        venue.termination_date,
        technical.relevant_authority,
        technical.relevant_venue,
    )


def instrument_values(record: FirdsRecord) -> tuple:
    """The Instrument columns a record gives (promoted attributes, the attribute tree as JSON text).

    In INSTRUMENT_COLUMNS order.
    """
    maturity = nominal = per_unit = fixed = spread = None
    reference = term = seniority = ""
    debt = record.debt
    if debt:
        maturity, nominal, per_unit = debt.maturity_date, debt.total_issued_nominal, debt.nominal_value_per_unit
        fixed, spread = debt.fixed_rate, debt.floating_spread
        reference, term, seniority = debt.floating_reference[:100], debt.floating_term[:10], debt.seniority[:4]
    expiry = multiplier = strike_price = None
    isins: list[str] = []
    underlying_isin = underlying_index = option_type = strike_type = strike_currency = exercise = delivery = ""
    derivative = record.derivative
    if derivative:
        expiry, multiplier = derivative.expiry_date, derivative.price_multiplier
        option_type = derivative.option_type[:4]
        exercise, delivery = derivative.exercise_style[:4], derivative.delivery_type[:4]
        underlying = derivative.underlying
        if underlying:
            isins = [underlying.isin] if underlying.isin else list(underlying.basket_isins)
            underlying_isin = (isins[0] if isins else "")[:12]
            underlying_index = underlying.index[:100]
        strike = derivative.strike
        if strike and strike.kind:
            strike_price, strike_type, strike_currency = strike.value, strike.kind, strike.currency[:3]
    technical = record.technical
    cfi = record.cfi_code
    return (
        record.full_name,
        record.short_name,
        cfi,
        cfi[:1],
        instrument_type_for_cfi(cfi),
        record.currency,
        record.commodity_derivative,
        record.issuer_lei or None,
        technical.relevant_authority,
        technical.relevant_venue,
        maturity,
        nominal,
        per_unit,
        fixed,
        reference,
        term,
        spread,
        seniority,
        expiry,
        multiplier,
        isins,
        underlying_isin,
        underlying_index,
        option_type,
        strike_price,
        strike_type,
        strike_currency,
        exercise,
        delivery,
        orjson.dumps(record.attributes).decode(),  # JSON text, made once here in the parser's process
    )


def record_prepare(record: FirdsRecord, default_valid_from: date | None = None) -> PreparedRecord | RejectedRecord:
    """Check a record and map it to row values; runs without Django (in the parser's process)."""
    problems = record_problems(record)
    valid_from = record.technical.publication_from or default_valid_from
    if valid_from is None:
        problems.append("no publication date (TechAttrbts/PblctnPrd/FrDt) and none in the file header")
    if problems:
        label = f"record {record.number} (line {record.line}) {record.isin or '?'}@{record.mic or '?'}"
        return RejectedRecord(record.number, label, "; ".join(problems))
    return PreparedRecord(
        record.number,
        record.isin,
        record.venue.mic,
        record.record_type,
        valid_from,
        listing_values(record),
        None if record.record_type == CANCELLED else instrument_values(record),
        record.at_relevant_venue,
    )


_default_dates: dict[str, date | None] = {}


def record_prepare_in_file(record: FirdsRecord, info) -> PreparedRecord | RejectedRecord:
    """record_prepare with the file's reporting date as the default publication date (for the parser process)."""
    reporting = info.reporting_date
    if not reporting:
        return record_prepare(record, None)
    if reporting not in _default_dates:
        try:
            _default_dates[reporting] = date.fromisoformat(reporting[:10])
        except ValueError:
            _default_dates[reporting] = None
    return record_prepare(record, _default_dates[reporting])


class FirdsBatchWriter:
    """Writes prepared batches of one file through the instrument services, counting what changed."""

    def __init__(self, counts, source_file: str):
        self.counts = counts
        self.source_file = source_file

    def write(self, batch: list) -> None:
        """Write one batch: count rejects, apply listing versions and instrument upserts."""
        from instruments.services import instrument_upsert_batch, listing_upsert_batch

        prepared = []
        for item in batch:
            self.counts.read += 1
            if isinstance(item, RejectedRecord):
                self.counts.reject(item.label, item.reason)
            else:
                prepared.append(item)
        if not prepared:
            return
        outcomes = listing_upsert_batch(prepared, self.source_file)
        changed = instrument_upsert_batch(prepared, self.source_file)
        for number in changed:
            if outcomes.get(number) == "unchanged":
                outcomes[number] = "updated"
        for outcome in outcomes.values():
            setattr(self.counts, outcome, getattr(self.counts, outcome) + 1)
