"""Plain dataclasses for one FIRDS record (FULINS RefData, a DLTINS record, a FULCAN cancellation)."""

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

# Record types, as they travel with each record (values match instruments.choices.RecordType).
FULL = "FULL"
NEW = "NEW"
MODIFIED = "MODIFIED"
TERMINATED = "TERMINATED"
CANCELLED = "CANCELLED"

# Element name of each record kind -> record type.
RECORD_TAGS = {
    "RefData": FULL,
    "NewRcrd": NEW,
    "ModfdRcrd": MODIFIED,
    "TermntdRcrd": TERMINATED,
    "CancRcrd": CANCELLED,
    "CxlData": CANCELLED,
}


@dataclass(slots=True)
class TradingVenue:
    """TradgVnRltdAttrbts: the record's venue (MIC) and its admission and trading dates."""

    mic: str = ""
    issuer_requested: bool | None = None
    admission_approval_date: datetime | None = None
    admission_request_date: datetime | None = None
    first_trade_date: datetime | None = None
    termination_date: datetime | None = None


@dataclass(slots=True)
class DebtAttributes:
    """DebtInstrmAttrbts: nominal amounts, maturity, fixed or floating rate, seniority."""

    total_issued_nominal: Decimal | None = None
    total_issued_nominal_currency: str = ""
    maturity_date: date | None = None
    nominal_value_per_unit: Decimal | None = None
    nominal_value_currency: str = ""
    fixed_rate: Decimal | None = None
    floating_reference_isin: str = ""
    floating_reference_index: str = ""
    floating_reference_name: str = ""
    floating_term_unit: str = ""
    floating_term_value: Decimal | None = None
    floating_spread: Decimal | None = None
    seniority: str = ""

    @property
    def floating_reference(self) -> str:
        """The floating rate reference: ISIN, index code or name, whichever FIRDS gives."""
        return self.floating_reference_isin or self.floating_reference_index or self.floating_reference_name

    @property
    def floating_term(self) -> str:
        """The floating rate term as value and unit, e.g. '3MNTH'."""
        if self.floating_term_value is None:
            return self.floating_term_unit
        return f"{self.floating_term_value.normalize():f}{self.floating_term_unit}"


@dataclass(slots=True)
class Underlying:
    """UndrlygInstrm: a single ISIN or LEI, an index (ISIN or name with term), or a basket."""

    isin: str = ""
    lei: str = ""
    index_isin: str = ""
    index_code: str = ""
    index_name: str = ""
    index_term_unit: str = ""
    index_term_value: Decimal | None = None
    basket_isins: list[str] = field(default_factory=list)
    basket_leis: list[str] = field(default_factory=list)
    swap_in: dict | None = None
    swap_out: dict | None = None

    @property
    def index(self) -> str:
        """The underlying index: its ISIN, code or name."""
        return self.index_isin or self.index_code or self.index_name


@dataclass(slots=True)
class Strike:
    """StrkPric: a price (monetary with sign, percentage, yield, basis points) or none yet (pending)."""

    kind: str = ""  # MONETARY, PERCENTAGE, YIELD, BASIS_POINTS, PENDING
    value: Decimal | None = None  # signed
    currency: str = ""
    sign_positive: bool | None = None
    pending: str = ""


@dataclass(slots=True)
class CommodityAttributes:
    """AsstClssSpcfcAttrbts/Cmmdty: product path (base, sub, further sub product), transaction and price types."""

    product_path: list[str] = field(default_factory=list)  # e.g. ["Agrcltrl", "Dairy"]
    base_product: str = ""
    sub_product: str = ""
    additional_sub_product: str = ""
    transaction_type: str = ""
    final_price_type: str = ""


@dataclass(slots=True)
class InterestRateLeg:
    """One interest-rate leg: a fixed rate, or a floating reference with its term."""

    fixed_rate: Decimal | None = None
    reference_isin: str = ""
    reference_index: str = ""
    reference_name: str = ""
    term_unit: str = ""
    term_value: Decimal | None = None


@dataclass(slots=True)
class InterestRateAttributes:
    """AsstClssSpcfcAttrbts/Intrst: reference rate, first and other legs, other notional currency."""

    reference: InterestRateLeg = field(default_factory=InterestRateLeg)
    first_leg: InterestRateLeg | None = None
    other_leg: InterestRateLeg | None = None
    other_notional_currency: str = ""


@dataclass(slots=True)
class FxAttributes:
    """AsstClssSpcfcAttrbts/FX: the other notional currency and the FX type."""

    other_notional_currency: str = ""
    fx_type: str = ""


@dataclass(slots=True)
class DerivativeAttributes:
    """DerivInstrmAttrbts: expiry, multiplier, underlying, option terms, delivery, asset-class attributes."""

    expiry_date: date | None = None
    price_multiplier: Decimal | None = None
    underlying: Underlying | None = None
    option_type: str = ""
    strike: Strike | None = None
    exercise_style: str = ""
    delivery_type: str = ""
    commodity: CommodityAttributes | None = None
    interest_rate: InterestRateAttributes | None = None
    fx: FxAttributes | None = None


@dataclass(slots=True)
class TechnicalAttributes:
    """TechAttrbts: relevant competent authority, publication period and relevant trading venue."""

    relevant_authority: str = ""
    publication_from: date | None = None
    publication_to: date | None = None
    relevant_venue: str = ""


@dataclass(slots=True)
class FirdsRecord:
    """One FIRDS record for an (ISIN, MIC), with its record type and the complete attribute tree."""

    record_type: str
    number: int  # 1-based position of the record in its file
    line: int  # line of the record's start tag (0 when unknown)
    isin: str = ""
    full_name: str = ""
    short_name: str = ""
    cfi_code: str = ""
    currency: str = ""
    commodity_derivative: bool | None = None
    issuer_lei: str = ""
    venue: TradingVenue = field(default_factory=TradingVenue)
    debt: DebtAttributes | None = None
    derivative: DerivativeAttributes | None = None
    technical: TechnicalAttributes = field(default_factory=TechnicalAttributes)
    attributes: dict = field(default_factory=dict)
    error: str = ""  # a value that did not parse (the record is then rejected, the file goes on)

    @property
    def mic(self) -> str:
        """The record's trading venue (TradgVnRltdAttrbts/Id)."""
        return self.venue.mic

    @property
    def at_relevant_venue(self) -> bool:
        """True when this record is the one at the instrument's relevant trading venue."""
        return bool(self.venue.mic) and self.venue.mic == self.technical.relevant_venue


@dataclass(slots=True)
class FirdsFileInfo:
    """What a file's envelope says: message definition, report kind, reporting date."""

    message_type: str = ""  # e.g. auth.017.001.02 (from AppHdr/MsgDefIdr, or the namespace)
    report: str = ""  # FULINS, DLTINS or FULCAN
    business_message_id: str = ""
    reporting_date: str = ""
