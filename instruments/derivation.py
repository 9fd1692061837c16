"""The one rule that derives an instrument from its listing versions (no Django: the loader and the reads share it)."""

from collections.abc import Iterable
from operator import itemgetter

from marketdata.cfi import instrument_type_for_cfi

from .columns import INSTRUMENT_DATA_FIELDS, TERM_FIELDS


def listing_rank(version: dict) -> tuple[int, str]:
    """How well a version speaks for its ISIN: the record at the relevant trading venue first, then the lowest MIC."""
    mic = version["venue_id"]
    return (0 if mic and mic == version["relevant_venue"] else 1, mic)


def listing_speaking_for(versions: Iterable[dict]) -> dict | None:
    """The version whose record the instrument is derived from (None when there is none)."""
    return min(versions, key=listing_rank, default=None)


_TERMS = itemgetter(*TERM_FIELDS)


def instrument_row_from_listing(version: dict) -> tuple:
    """The instrument's values (INSTRUMENT_DATA_FIELDS, in order) as a listing version states them."""
    cfi = version["cfi_code"] or ""
    return (
        version["full_name"],
        version["short_name"],
        cfi,
        cfi[:1],
        instrument_type_for_cfi(cfi),
        version["currency"],
        version["commodity_derivative"],
        version["issuer_lei"] or None,
        version["relevant_authority"],
        version["relevant_venue"],
        *_TERMS(version),
        version["venue_id"],
    )


def instrument_from_listing(version: dict) -> dict:
    """The instrument's fields (INSTRUMENT_DATA_FIELDS) as the given listing version states them, by name."""
    return dict(zip(INSTRUMENT_DATA_FIELDS, instrument_row_from_listing(version), strict=True))
