"""Column order of FIRDS listing and instrument rows, shared by the loader (no Django) and the services."""

# What each (ISIN, MIC) record says of the instrument: its own general attributes.
GENERAL_FIELDS = ("full_name", "short_name", "cfi_code", "currency", "commodity_derivative", "issuer_lei")
# Its venue's admission and trading dates, and the technical attributes.
VENUE_FIELDS = (
    "issuer_requested",
    "admission_approval_date",
    "admission_request_date",
    "first_trade_date",
    "termination_date",
    "relevant_authority",
    "relevant_venue",
)
# Its own debt terms (DebtInstrmAttrbts), promoted to columns people filter on.
DEBT_FIELDS = (
    "maturity_date",
    "total_issued_nominal",
    "nominal_value_per_unit",
    "fixed_rate",
    "floating_rate_reference",
    "floating_rate_term",
    "floating_rate_spread",
    "debt_seniority",
)
# Its own derivative terms (DerivInstrmAttrbts), promoted to columns.
DERIVATIVE_FIELDS = (
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
)
TERM_FIELDS = (*DEBT_FIELDS, *DERIVATIVE_FIELDS)
# A listing version's data: everything above and the whole record as FIRDS sent it.
LISTING_DATA_FIELDS = (*GENERAL_FIELDS, *VENUE_FIELDS, *TERM_FIELDS, "record")
# The instrument row, derived from the listing version that speaks for the ISIN (instruments.derivation).
INSTRUMENT_DATA_FIELDS = (
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
    *TERM_FIELDS,
    "source_mic",
)
