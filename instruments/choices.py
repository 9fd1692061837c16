"""Choices for instrument fields (FIRDS / ISO 20022 codes)."""

from django.db import models

from marketdata.cfi import INSTRUMENT_TYPES


class CfiCategory(models.TextChoices):
    """CFI category letter (ISO 10962)."""

    C = "C", "Collective investment vehicles"
    D = "D", "Debt"
    E = "E", "Equities"
    F = "F", "Futures"
    H = "H", "Non-listed and complex options"
    I = "I", "Spot"  # noqa: E741
    J = "J", "Forwards"
    K = "K", "Strategies"
    L = "L", "Financing"
    M = "M", "Others"
    O = "O", "Listed options"  # noqa: E741
    R = "R", "Entitlements (rights)"
    S = "S", "Swaps"
    T = "T", "Referential"


InstrumentType = models.TextChoices(
    "InstrumentType",
    [(value.upper(), (value, value.replace("_", " ").capitalize())) for value in INSTRUMENT_TYPES.values()],
)


class OptionType(models.TextChoices):
    """Option type (OptnTp)."""

    CALL = "CALL", "Call"
    PUT = "PUTO", "Put"
    OTHER = "OTHR", "Other"


class ExerciseStyle(models.TextChoices):
    """Option exercise style (OptnExrcStyle)."""

    EUROPEAN = "EURO", "European"
    AMERICAN = "AMER", "American"
    ASIAN = "ASIA", "Asian"
    BERMUDAN = "BERM", "Bermudan"
    OTHER = "OTHR", "Other"


class DeliveryType(models.TextChoices):
    """Settlement (DlvryTp)."""

    PHYSICAL = "PHYS", "Physical"
    CASH = "CASH", "Cash"
    OPTIONAL = "OPTL", "Optional"


class DebtSeniority(models.TextChoices):
    """Seniority of a bond (DebtSnrty)."""

    SENIOR = "SNDB", "Senior"
    MEZZANINE = "MZZD", "Mezzanine"
    SUBORDINATED = "SBOD", "Subordinated"
    JUNIOR = "JUND", "Junior"


class StrikePriceType(models.TextChoices):
    """How the strike is expressed (StrkPric)."""

    MONETARY = "MONETARY", "Monetary value"
    PERCENTAGE = "PERCENTAGE", "Percentage"
    YIELD = "YIELD", "Yield"
    BASIS_POINTS = "BASIS_POINTS", "Basis points"
    PENDING = "PENDING", "Pending"


class RecordType(models.TextChoices):
    """Where a listing version came from: a full file or a delta record type."""

    FULL = "FULL", "Full file"
    NEW = "NEW", "New (NewRcrd)"
    MODIFIED = "MODIFIED", "Modified (ModfdRcrd)"
    TERMINATED = "TERMINATED", "Terminated (TermntdRcrd)"
    CANCELLED = "CANCELLED", "Cancelled (CancRcrd)"
