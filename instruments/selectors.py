"""Reads of instruments: listing versions of an ISIN as of a date, and their history."""

from datetime import date

from django.db.models import Q, QuerySet

from .models import Listing


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


def instrument_detail(isin: str, as_of=None):
    """One instrument with its issuer, listings (current, or valid on `as_of`), FIGIs and transparency; or None.

    The listings land on `listing_versions`, the FIGI mappings on `figi_mappings`, the FITRS records on
    `transparency_records`; venues and the issuer are attached without a query per row.
    """
    from django.db.models import prefetch_related_objects

    from .models import FigiMapping, Instrument, Listing, Transparency

    instrument = Instrument.objects.select_related("issuer").filter(isin=isin).first()
    if instrument is None:
        return None
    if as_of is None:
        listings = list(Listing.objects.filter(instrument_id=isin, is_current=True).order_by("venue_id"))
    else:
        listings = list(listing_list_as_of(isin, as_of))
    prefetch_related_objects(listings, "venue")
    instrument.listing_versions = listings
    instrument.figi_mappings = list(FigiMapping.objects.filter(isin=isin).order_by("mic", "figi"))
    instrument.transparency_records = list(
        Transparency.objects.filter(identifier=isin, is_subclass=False).order_by("-valid_from", "file_type")
    )
    return instrument


def instrument_history(isin: str):
    """Every version of every listing of an ISIN, with its venue attached."""
    from django.db.models import prefetch_related_objects

    listings = list(listing_history(isin))
    prefetch_related_objects(listings, "venue")
    return listings


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


def instrument_export_rows(queryset, chunk_size: int = 2000):
    """The brief columns of every instrument in `queryset`, by ISIN, streamed from the database in chunks."""
    return queryset.order_by("isin").values_list(*INSTRUMENT_BRIEF_COLUMNS).iterator(chunk_size=chunk_size)
