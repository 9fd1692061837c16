"""FIRDS loader: check and map parsed records to row values, then write them in batches with the delta rules.

`record_prepare` is pure Python (it runs in the parser's process, next to the parsing); `FirdsBatchWriter`
runs in the loading process and writes through `instruments.services`.
"""

import json
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from marketdata.cfi import CfiError, cfi_decode, instrument_type_for_cfi
from marketdata.identifiers import isin_error, lei_error, mic_error

from ..parsers.firds import CANCELLED, FirdsRecord

# Field sizes of instruments.Listing / Instrument that a record must fit (checked before writing).
_LENGTHS = {"full_name": 350, "short_name": 35, "currency": 3, "relevant_authority": 2, "relevant_venue": 4}
_AMOUNT_DIGITS = 18  # amount_field: 28 digits, 10 after the point
_RATE_DIGITS = 10  # rate_field: 20 digits, 10 after the point


@dataclass(slots=True)
class PreparedRecord:
    """A checked record as row values: its listing version and, unless a cancellation, its instrument."""

    number: int
    isin: str
    mic: str
    record_type: str
    valid_from: date
    listing: dict
    instrument: dict | None
    at_relevant_venue: bool


@dataclass(slots=True)
class RejectedRecord:
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


def _too_wide(value: Decimal | None, integer_digits: int) -> bool:
    """True when a decimal has more integer digits than its column holds."""
    return value is not None and value.is_finite() and abs(value) >= Decimal(10) ** integer_digits


def record_problems(record: FirdsRecord) -> list[str]:
    """Why a record cannot be stored (invalid ISIN, MIC, LEI, CFI, a value that does not fit); empty when fine."""
    problems = []
    if record.error:
        problems.append(record.error)
    error = _code_problem(isin_error, record.isin)
    if error:
        problems.append(f"ISIN {record.isin!r}: {error}")
    error = mic_error(record.mic)
    if error:
        problems.append(f"MIC {record.mic!r}: {error}")
    if record.issuer_lei:
        error = _code_problem(lei_error, record.issuer_lei)
        if error:
            problems.append(f"LEI {record.issuer_lei!r}: {error}")
    if record.record_type != CANCELLED or record.cfi_code:
        error = _cfi_problem(record.cfi_code)
        if error:
            problems.append(error)
    for name, limit in _LENGTHS.items():
        value = getattr(record, name, None)
        if value is None:
            value = getattr(record.technical, name, "")
        if len(value) > limit:
            problems.append(f"{name} has {len(value)} characters, at most {limit} fit")
    for label, value, digits in _decimals(record):
        if _too_wide(value, digits):
            problems.append(f"{label} {value} is too large")
    return problems


def _decimals(record: FirdsRecord):
    if record.debt:
        yield "TtlIssdNmnlAmt", record.debt.total_issued_nominal, _AMOUNT_DIGITS
        yield "NmnlValPerUnit", record.debt.nominal_value_per_unit, _AMOUNT_DIGITS
        yield "IntrstRate/Fxd", record.debt.fixed_rate, _RATE_DIGITS
        yield "BsisPtSprd", record.debt.floating_spread, _RATE_DIGITS
    if record.derivative:
        yield "PricMltplr", record.derivative.price_multiplier, _RATE_DIGITS
        if record.derivative.strike:
            yield "StrkPric", record.derivative.strike.value, _AMOUNT_DIGITS


def listing_values(record: FirdsRecord) -> dict:
    """The Listing columns a record gives (the version's data, without its validity)."""
    venue = record.venue
    return {
        "full_name": record.full_name,
        "short_name": record.short_name,
        "cfi_code": record.cfi_code,
        "currency": record.currency,
        "issuer_lei": record.issuer_lei,
        "issuer_requested": venue.issuer_requested,
        "admission_approval_date": venue.admission_approval_date,
        "admission_request_date": venue.admission_request_date,
        "first_trade_date": venue.first_trade_date,
        "termination_date": venue.termination_date,
        "relevant_authority": record.technical.relevant_authority,
        "relevant_venue": record.technical.relevant_venue,
    }


def instrument_values(record: FirdsRecord) -> dict:
    """The Instrument columns a record gives (promoted attributes and the whole attribute tree)."""
    values = {
        "full_name": record.full_name,
        "short_name": record.short_name,
        "cfi_code": record.cfi_code,
        "category": record.cfi_code[:1],
        "instrument_type": instrument_type_for_cfi(record.cfi_code),
        "currency": record.currency,
        "commodity_derivative": record.commodity_derivative,
        "issuer_id": record.issuer_lei or None,
        "relevant_authority": record.technical.relevant_authority,
        "relevant_venue": record.technical.relevant_venue,
        "maturity_date": None,
        "total_issued_nominal": None,
        "nominal_value_per_unit": None,
        "fixed_rate": None,
        "floating_rate_reference": "",
        "floating_rate_term": "",
        "floating_rate_spread": None,
        "debt_seniority": "",
        "expiry_date": None,
        "price_multiplier": None,
        "underlying_isins": [],
        "underlying_isin": "",
        "underlying_index": "",
        "option_type": "",
        "strike_price": None,
        "strike_price_type": "",
        "strike_currency": "",
        "exercise_style": "",
        "delivery_type": "",
        "attributes": json.dumps(record.attributes, ensure_ascii=False, separators=(",", ":")),  # JSON text
    }
    debt = record.debt
    if debt:
        values.update(
            maturity_date=debt.maturity_date,
            total_issued_nominal=debt.total_issued_nominal,
            nominal_value_per_unit=debt.nominal_value_per_unit,
            fixed_rate=debt.fixed_rate,
            floating_rate_reference=debt.floating_reference[:100],
            floating_rate_term=debt.floating_term[:10],
            floating_rate_spread=debt.floating_spread,
            debt_seniority=debt.seniority[:4],
        )
    derivative = record.derivative
    if derivative:
        values.update(
            expiry_date=derivative.expiry_date,
            price_multiplier=derivative.price_multiplier,
            option_type=derivative.option_type[:4],
            exercise_style=derivative.exercise_style[:4],
            delivery_type=derivative.delivery_type[:4],
        )
        underlying = derivative.underlying
        if underlying:
            isins = [underlying.isin] if underlying.isin else list(underlying.basket_isins)
            values.update(
                underlying_isins=isins,
                underlying_isin=(isins[0] if isins else "")[:12],
                underlying_index=underlying.index[:100],
            )
        strike = derivative.strike
        if strike and strike.kind:
            values.update(strike_price=strike.value, strike_price_type=strike.kind, strike_currency=strike.currency[:3])
    return values


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
        number=record.number,
        isin=record.isin,
        mic=record.mic,
        record_type=record.record_type,
        valid_from=valid_from,
        listing=listing_values(record),
        instrument=None if record.record_type == CANCELLED else instrument_values(record),
        at_relevant_venue=record.at_relevant_venue,
    )


def record_prepare_in_file(record: FirdsRecord, info) -> PreparedRecord | RejectedRecord:
    """record_prepare with the file's reporting date as the default publication date (for the parser process)."""
    default = None
    if info.reporting_date:
        try:
            default = date.fromisoformat(info.reporting_date[:10])
        except ValueError:
            default = None
    return record_prepare(record, default)


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
