"""The one rule that derives an instrument from its listing versions (no Django: the loader and the reads share it)."""

from collections.abc import Iterable

from marketdata.cfi import instrument_type_for_cfi

from .columns import GENERAL_FIELDS, TERM_FIELDS


def listing_rank(version: dict) -> tuple[int, str]:
    """How well a version speaks for its ISIN: the record at the relevant trading venue first, then the lowest MIC."""
    mic = version["venue_id"]
    return (0 if mic and mic == version["relevant_venue"] else 1, mic)


def listing_speaking_for(versions: Iterable[dict]) -> dict | None:
    """The version whose record the instrument is derived from (None when there is none)."""
    return min(versions, key=listing_rank, default=None)


def instrument_from_listing(version: dict) -> dict:
    """The instrument's fields (instruments.columns.INSTRUMENT_DATA_FIELDS) as the given listing version states them."""
    cfi = version["cfi_code"] or ""
    values = {name: version[name] for name in GENERAL_FIELDS if name != "issuer_lei"}
    values.update(
        category=cfi[:1],
        instrument_type=instrument_type_for_cfi(cfi),
        issuer_id=version["issuer_lei"] or None,
        relevant_authority=version["relevant_authority"],
        relevant_venue=version["relevant_venue"],
        source_mic=version["venue_id"],
    )
    values.update((name, version[name]) for name in TERM_FIELDS)
    return values
