"""Reads of instruments: listing versions of an ISIN as of a date, and their history."""

import re
from datetime import date

from django.db.models import Q, QuerySet
from django.utils import timezone

from entities.selectors import LEGAL_ENTITY_BRIEF_COLUMNS
from marketdata.prepared_queries import prepared_rows

from .columns import DEBT_FIELDS, DERIVATIVE_FIELDS, GENERAL_FIELDS, TERM_FIELDS
from .derivation import instrument_from_listing, listing_speaking_for
from .models import Listing
from .transparency_selectors import TRANSPARENCY_COLUMNS, transparency_current, transparency_latest


def listing_list_as_of(isin: str, as_of: date) -> QuerySet[Listing]:
    """The listings of an ISIN valid on a date (one version per venue; cancelled versions left out)."""
    return Listing.objects.filter(
        Q(valid_to__isnull=True) | Q(valid_to__gte=as_of),
        instrument_id=isin,
        valid_from__lte=as_of,
        is_cancelled=False,
    ).order_by("venue_id")


def listing_history(isin: str) -> QuerySet[Listing]:
    """Every version of every listing of an ISIN, per venue, oldest first."""
    return Listing.objects.filter(instrument_id=isin).order_by("venue_id", "valid_from")


# API reads: lists, one instrument in full, bulk lookup, CSV export.

INSTRUMENT_BRIEF_COLUMNS = (
    "isin",
    "full_name",
    "short_name",
    "cfi_code",
    "category",
    "instrument_type",
    "currency",
    "issuer_id",
)


def instrument_list():
    """Every instrument, loading only the brief columns (lists never read the attribute tree)."""
    from .models import Instrument

    return Instrument.objects.only(*INSTRUMENT_BRIEF_COLUMNS)


def instrument_list_for_issuer(lei: str):
    """The instruments whose FIRDS issuer LEI is `lei` (brief columns)."""
    return instrument_list().filter(issuer_id=lei)


DEBT_COLUMNS = DEBT_FIELDS
DERIVATIVE_COLUMNS = (*DERIVATIVE_FIELDS, "commodity_derivative")
INSTRUMENT_DETAIL_COLUMNS = (
    *INSTRUMENT_BRIEF_COLUMNS,
    "relevant_authority",
    "relevant_venue",
    "source_mic",
    *TERM_FIELDS,
    "commodity_derivative",
    "updated_at",
)
LISTING_DETAIL_COLUMNS = (
    "venue_id",
    *GENERAL_FIELDS,
    "first_trade_date",
    "termination_date",
    "issuer_requested",
    "admission_approval_date",
    "admission_request_date",
    "relevant_authority",
    "relevant_venue",
    *TERM_FIELDS,
    "valid_from",
    "valid_to",
    "is_current",
    "is_cancelled",
    "record_type",
    "record",
)
LISTING_COLUMNS_NAMED = (*LISTING_DETAIL_COLUMNS, "venue_name")
FIGI_DETAIL_COLUMNS = (
    "mic",
    "figi",
    "composite_figi",
    "share_class_figi",
    "ticker",
    "exchange_code",
    "security_type",
    "security_type2",
    "market_sector",
    "name",
    "mapped_at",
)
# The current FITRS calculations' columns (instruments/transparency_selectors).
TRANSPARENCY_DETAIL_COLUMNS = TRANSPARENCY_COLUMNS


def instrument_detail(isin: str, as_of=None) -> dict | None:
    """One instrument as a dict with issuer, listings (current, or valid on `as_of`), FIGIs and transparency; or None.

    Keys: the INSTRUMENT_DETAIL_COLUMNS, `attributes` (the record of the listing it is derived from), `issuer` (a
    dict of LEGAL_ENTITY_BRIEF_COLUMNS, or None when the LEI is not loaded), `issuer_source` ("firds", "gleif" when
    FIRDS names none and GLEIF's ISIN-LEI mapping does, or None), `listing_versions`
    (LISTING_DETAIL_COLUMNS plus `venue_name`), `figi_mappings` and `transparency_records`. With `as_of`, the
    instrument's names, CFI, terms and issuer are derived from the versions valid on that date (None when none is).
    Two queries when the ISIN has no FIGI or FITRS record, four at most; each compiled once per process
    (marketdata.prepared_queries: building a query costs more than running it).
    """
    from django.db import connection

    with connection.cursor() as cursor:
        rows = prepared_rows(cursor, "instruments.instrument", _instrument_query, isin)
        if not rows:
            return None
        row = rows[0]
        issuer = {column: row.pop(key) for column, key in _ISSUER_KEYS}
        row["issuer"] = issuer if row.pop("issuer__id") is not None else None  # issuer__lei is the local column
        listings = _listing_rows(cursor, isin, as_of)
        if as_of is not None and not _instrument_as_of(row, listings):
            return None
        _issuer_from_gleif_mapping(row)
        row["listing_versions"] = listings
        source = next((listing for listing in listings if listing["venue_id"] == row["source_mic"]), None)
        row["attributes"] = source["record"] if source else None
        has_figi, has_transparency = row.pop("has_figi"), row.pop("has_transparency")
        row["figi_mappings"] = prepared_rows(cursor, "instruments.figi", _figi_query, isin) if has_figi else []
        if not has_transparency:
            row["transparency_records"] = []
        elif as_of is not None:
            row["transparency_records"] = transparency_current(isin, as_of)
        else:
            current = prepared_rows(cursor, "instruments.transparency", _transparency_query, isin)
            row["transparency_records"] = transparency_latest(current)
    return row


def _instrument_as_of(row: dict, listings: list[dict]) -> bool:
    """Set the instrument's fields in `row` to its state derived from `listings` (those valid on a date); False when
    there are none."""
    chosen = listing_speaking_for(listings)
    if chosen is None:
        return False
    current_issuer = row["issuer_id"]
    row.update(instrument_from_listing(chosen))
    if row["issuer_id"] != current_issuer:
        row["issuer"] = _issuer_brief(row["issuer_id"])
    return True


def _issuer_from_gleif_mapping(row: dict) -> None:
    """Set `issuer_source`: "firds" when the record names its issuer; else take the LEI GLEIF's ISIN-LEI mapping gives
    (the instrument query's `gleif_lei`; source "gleif"), or None when neither does."""
    mapped = row.pop("gleif_lei", None)
    if row["issuer_id"]:
        row["issuer_source"] = "firds"
        return
    row["issuer_source"] = "gleif" if mapped else None
    if mapped:
        row["issuer_id"], row["issuer"] = mapped, _issuer_brief(mapped)


def _issuer_brief(lei: str | None) -> dict | None:
    """The brief columns of a legal entity, or None when the LEI is not loaded."""
    from entities.models import LegalEntity

    if not lei:
        return None
    return LegalEntity.objects.filter(lei=lei).values(*LEGAL_ENTITY_BRIEF_COLUMNS).first()


_ISSUER_KEYS = [(column, f"issuer__{column}") for column in LEGAL_ENTITY_BRIEF_COLUMNS]


def _listing_rows(cursor, isin: str, as_of=None) -> list[dict]:
    """The current listings of an ISIN (or those valid on `as_of`) as dicts with the venue's name, by MIC.

    Current: the latest version of each venue's record, unless FIRDS closed it (ToDt) before today.
    """
    if as_of is None:
        today = timezone.now().date()
        rows = prepared_rows(cursor, "instruments.current_listings", _current_listing_query, isin)
        return [row for row in rows if row["valid_to"] is None or row["valid_to"] >= today]
    return list(listing_list_as_of(isin, as_of).annotate(venue_name=_venue_name()).values(*LISTING_COLUMNS_NAMED))


def _instrument_query(isin: str):
    """The instrument's detail columns, its issuer's brief columns and whether FIGIs and FITRS records exist."""
    from django.db.models import Exists, OuterRef, Subquery

    from entities.models import IsinLeiMapping

    from .models import FigiMapping, Instrument, Transparency

    return (
        Instrument.objects.filter(isin=isin)
        .annotate(
            has_figi=Exists(FigiMapping.objects.filter(isin=OuterRef("isin"))),
            has_transparency=Exists(Transparency.objects.filter(identifier=OuterRef("isin"), is_subclass=False)),
            gleif_lei=Subquery(IsinLeiMapping.objects.filter(isin=OuterRef("isin")).values("lei")[:1]),
        )
        .values(
            *INSTRUMENT_DETAIL_COLUMNS,
            *(f"issuer__{column}" for column in LEGAL_ENTITY_BRIEF_COLUMNS),
            "issuer__id",
            "has_figi",
            "has_transparency",
            "gleif_lei",
        )
        .order_by()[:1]
    )


def _current_listing_query(isin: str):
    """The current listings of an ISIN with their venue's name, by MIC."""
    from .models import Listing

    listings = Listing.objects.filter(instrument_id=isin, is_current=True).order_by("venue_id")
    return listings.annotate(venue_name=_venue_name()).values(*LISTING_COLUMNS_NAMED)


def _figi_query(isin: str):
    """The FIGI mappings of an ISIN."""
    from .models import FigiMapping

    return FigiMapping.objects.filter(isin=isin).order_by("mic", "figi").values(*FIGI_DETAIL_COLUMNS)


def _transparency_query(isin: str):
    """The open FITRS calculation versions of an ISIN (transparency_latest picks the current ones)."""
    from .models import Transparency

    return (
        Transparency.objects.filter(identifier=isin, is_subclass=False, valid_to__isnull=True)
        .order_by("-period_to", "methodology")
        .values(*TRANSPARENCY_DETAIL_COLUMNS)
    )


def _venue_name():
    """A listing's venue market name, or NULL when its MIC is not loaded (a subquery: no join drops the row)."""
    from django.db.models import OuterRef, Subquery

    from venues.models import Venue

    return Subquery(Venue.objects.filter(mic=OuterRef("venue_id")).values("market_name")[:1])


def instrument_history(isin: str) -> list[dict]:
    """Every version of every listing of an ISIN as dicts (LISTING_DETAIL_COLUMNS and `venue_name`), per venue."""
    return list(listing_history(isin).annotate(venue_name=_venue_name()).values(*LISTING_COLUMNS_NAMED))


def instrument_lookup(values: list[str]) -> dict:
    """Split ISINs into instruments found, valid ISINs not found and invalid values (one query per 1,000)."""
    from marketdata.identifiers import isin_error

    invalid, wanted = [], []
    for value in dict.fromkeys(values):
        code = value.strip().upper()
        reason = isin_error(code)
        if reason:
            invalid.append({"isin": value, "reason": reason})
        else:
            wanted.append(code)
    wanted = list(dict.fromkeys(wanted))
    found = {}
    for start in range(0, len(wanted), 1000):
        for instrument in instrument_list().filter(isin__in=wanted[start : start + 1000]):
            found[instrument.isin] = instrument
    return {
        "found": [found[isin] for isin in wanted if isin in found],
        "not_found": [isin for isin in wanted if isin not in found],
        "invalid": invalid,
    }


# Export columns: the instrument's detail columns by their API names, and (one row per current listing) the
# listing's own columns as listing.<name>.
EXPORT_INSTRUMENT_FIELDS = {
    ("issuer_lei" if column == "issuer_id" else column): column for column in INSTRUMENT_DETAIL_COLUMNS
}
EXPORT_LISTING_FIELDS = {
    f"listing.{'mic' if column == 'venue_id' else column}": column
    for column in LISTING_DETAIL_COLUMNS
    if column != "record"
}
EXPORT_DEFAULT_FIELDS = tuple(
    ("issuer_lei" if column == "issuer_id" else column) for column in INSTRUMENT_BRIEF_COLUMNS
)


class ExportFieldsError(ValueError):
    """Export fields that are not columns of the export (names them and what may be asked for)."""


def instrument_export_columns(fields: list[str] | None, per_listing: bool) -> tuple[list[str], bool]:
    """The export's column names (`fields`, or the brief columns) and whether it has a row per current listing
    (`per_listing`, or any listing.* field asked for); ExportFieldsError names fields that are not columns."""
    wanted = list(dict.fromkeys(fields or ()))
    per_listing = per_listing or any(name in EXPORT_LISTING_FIELDS for name in wanted)
    if not wanted:
        wanted = [*EXPORT_DEFAULT_FIELDS, *(("listing.mic", "listing.valid_from") if per_listing else ())]
    unknown = [name for name in wanted if name not in EXPORT_INSTRUMENT_FIELDS and name not in EXPORT_LISTING_FIELDS]
    if unknown:
        allowed = ", ".join([*EXPORT_INSTRUMENT_FIELDS, *EXPORT_LISTING_FIELDS])
        raise ExportFieldsError(f"unknown export field(s): {', '.join(unknown)}; fields may be {allowed}")
    return wanted, per_listing


EXPORT_FIELD_NAME = "|".join(re.escape(name) for name in (*EXPORT_INSTRUMENT_FIELDS, *EXPORT_LISTING_FIELDS))
EXPORT_FIELDS_PATTERN = rf"^((?:{EXPORT_FIELD_NAME})(?:,(?:{EXPORT_FIELD_NAME}))*)?$"


def instrument_export_rows(queryset, columns: list[str] | None = None, per_listing: bool = False, chunk_size=2000):
    """The `columns` (instrument_export_columns) of every instrument in `queryset`, by ISIN, or of each of their
    current listings (by ISIN, then MIC) when `per_listing`; streamed from the database in chunks."""
    from .models import Listing

    columns = columns or list(EXPORT_DEFAULT_FIELDS)
    if not per_listing:
        paths = [EXPORT_INSTRUMENT_FIELDS[name] for name in columns]
        return queryset.order_by("isin").values_list(*paths).iterator(chunk_size=chunk_size)
    paths = [
        EXPORT_LISTING_FIELDS[name] if name.startswith("listing.") else f"instrument__{EXPORT_INSTRUMENT_FIELDS[name]}"
        for name in columns
    ]
    listings = Listing.objects.filter(is_current=True, instrument_id__in=queryset.order_by().values("isin"))
    return listings.order_by("instrument_id", "venue_id").values_list(*paths).iterator(chunk_size=chunk_size)
