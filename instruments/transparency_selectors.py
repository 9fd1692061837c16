"""Reads of FITRS transparency: an ISIN's current calculations (or those valid on a date), its history, lists."""

from datetime import date

from django.db.models import Q, QuerySet

from .models import Transparency

TRANSPARENCY_COLUMNS = (
    "id",
    "identifier",
    "is_subclass",
    "is_equity",
    "file_type",
    "classification",
    "methodology",
    "period_from",
    "period_to",
    "liquid",
    "most_relevant_market",
    "standard_market_size",
    "average_daily_turnover",
    "average_daily_transactions",
    "pre_trade_lis_threshold",
    "post_trade_lis_threshold",
    "pre_trade_ssti_threshold",
    "post_trade_ssti_threshold",
    "threshold_currency",
    "asset_class",
    "subclass_description",
    "criteria",
    "valid_from",
    "valid_to",
    "source_file",
    "record",
)


def _months(row: dict) -> int | None:
    """The length of a calculation period in whole months (ESMA's are 3, 6 or 12), None without a period."""
    start, end = row["period_from"], row["period_to"]
    if start is None or end is None:
        return None
    return (end.year - start.year) * 12 + end.month - start.month + 1


def transparency_latest(rows: list[dict]) -> list[dict]:
    """Of calculation versions valid at one time, the latest period of each kind of calculation.

    A kind is (equity or not, methodology, period length): ESMA runs quarterly, half-yearly and yearly calculations
    side by side (a bond's quarterly liquidity next to its yearly thresholds) and keeps earlier periods in its
    full files. Latest period first.
    """
    chosen: dict[tuple, dict] = {}
    for row in rows:
        kind = (row["is_equity"], row["methodology"], _months(row))
        best = chosen.get(kind)
        if best is None or (row["period_to"] or date.min, row["period_from"] or date.min) > (
            best["period_to"] or date.min,
            best["period_from"] or date.min,
        ):
            chosen[kind] = row
    return sorted(chosen.values(), key=lambda row: (row["period_to"] or date.min, row["methodology"]), reverse=True)


def transparency_valid_on(identifier: str, as_of: date | None = None) -> QuerySet[Transparency]:
    """The calculation versions of an ISIN or sub-class open now (or valid on `as_of`)."""
    versions = Transparency.objects.filter(identifier=identifier)
    if as_of is None:
        return versions.filter(valid_to__isnull=True)
    return versions.filter(Q(valid_to__isnull=True) | Q(valid_to__gte=as_of), valid_from__lte=as_of)


def transparency_current(identifier: str, as_of: date | None = None) -> list[dict]:
    """The current calculations of an ISIN or sub-class (or those valid on `as_of`), as TRANSPARENCY_COLUMNS dicts."""
    return transparency_latest(list(transparency_valid_on(identifier, as_of).values(*TRANSPARENCY_COLUMNS)))


def transparency_history(identifier: str) -> list[dict]:
    """Every version of every calculation of an ISIN or sub-class: latest period first, then oldest version first."""
    return list(
        Transparency.objects.filter(identifier=identifier)
        .order_by("-period_to", "-period_from", "methodology", "valid_from")
        .values(*TRANSPARENCY_COLUMNS)
    )


def transparency_for_isin(isin: str, as_of: date | None = None) -> dict | None:
    """An ISIN's current calculations (or those valid on `as_of`) and its history; None when FITRS has none for it."""
    history = transparency_history(isin)
    if not history:
        return None
    if as_of is None:
        valid = [row for row in history if row["valid_to"] is None]
    else:
        valid = [
            row
            for row in history
            if row["valid_from"] <= as_of and (row["valid_to"] is None or row["valid_to"] >= as_of)
        ]
    return {"isin": isin, "as_of": as_of, "current": transparency_latest(valid), "history": history}


def transparency_list(subclasses: bool = False) -> QuerySet[Transparency]:
    """ISIN calculations (or sub-class ones), whether or not FIRDS has loaded the instrument (joined on the code)."""
    return Transparency.objects.filter(is_subclass=subclasses)
