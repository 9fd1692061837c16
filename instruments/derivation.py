"""The one rule that derives an instrument from its listing versions (no Django: the loader and the reads share it)."""

from collections.abc import Iterable
from operator import itemgetter

from marketdata.cfi import instrument_type_for_cfi

from .columns import INSTRUMENT_DATA_FIELDS, LISTING_DATA_FIELDS, TERM_FIELDS


def venue_rank(mic: str, relevant_venue: str) -> tuple[int, str]:
    """How well a venue's record speaks for its ISIN: the record at the relevant trading venue first, then the lowest
    MIC."""
    return (0 if mic and mic == relevant_venue else 1, mic)


def listing_rank(version: dict) -> tuple[int, str]:
    """venue_rank of a listing version (a mapping of Listing fields)."""
    return venue_rank(version["venue_id"], version["relevant_venue"])


def listing_speaking_for(versions: Iterable[dict]) -> dict | None:
    """The version whose record the instrument is derived from (None when there is none)."""
    return min(versions, key=listing_rank, default=None)


_GENERAL = slice(0, LISTING_DATA_FIELDS.index("issuer_requested"))
_CFI, _ISSUER = LISTING_DATA_FIELDS.index("cfi_code"), LISTING_DATA_FIELDS.index("issuer_lei")
_AUTHORITY, _VENUE = LISTING_DATA_FIELDS.index("relevant_authority"), LISTING_DATA_FIELDS.index("relevant_venue")
_TERMS = slice(LISTING_DATA_FIELDS.index(TERM_FIELDS[0]), LISTING_DATA_FIELDS.index(TERM_FIELDS[-1]) + 1)
RELEVANT_VENUE = _VENUE  # position of relevant_venue in a listing's values, for venue_rank
_listing_values = itemgetter(*LISTING_DATA_FIELDS)


def instrument_row_from_values(mic: str, values) -> tuple:
    """The instrument's values (INSTRUMENT_DATA_FIELDS, in order) as the record of `mic` states them (`values`: the
    listing's LISTING_DATA_FIELDS, in order)."""
    full_name, short_name, cfi, currency, commodity, issuer = values[_GENERAL]
    cfi = cfi or ""
    return (
        full_name,
        short_name,
        cfi,
        cfi[:1],
        instrument_type_for_cfi(cfi),
        currency,
        commodity,
        issuer or None,
        values[_AUTHORITY],
        values[_VENUE],
        *values[_TERMS],
        mic,
    )


def instrument_row_from_listing(version: dict) -> tuple:
    """instrument_row_from_values of a listing version (a mapping of Listing fields)."""
    return instrument_row_from_values(version["venue_id"], _listing_values(version))


def instrument_from_listing(version: dict) -> dict:
    """The instrument's fields (INSTRUMENT_DATA_FIELDS) as the given listing version states them, by name."""
    return dict(zip(INSTRUMENT_DATA_FIELDS, instrument_row_from_listing(version), strict=True))
