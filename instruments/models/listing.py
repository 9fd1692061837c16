"""Listing: one version of a FIRDS record for an (ISIN, trading venue), whole."""

from django.db import models

from marketdata.fields import LoadedJSONField
from marketdata.models import TimeStampedModel, code_relation

from ..choices import RecordType
from .terms import InstrumentTerms


class Listing(InstrumentTerms, TimeStampedModel):
    """A version of a FIRDS (ISIN, MIC) record, whole, valid from `valid_from` to `valid_to` (inclusive; null: open).

    Each venue's record keeps its own general attributes, terms and attribute tree: venues disagree in real data.
    """

    instrument = models.ForeignKey(
        "instruments.Instrument",
        to_field="isin",
        db_column="isin",
        related_name="listings",
        on_delete=models.CASCADE,
        db_constraint=False,
        db_index=False,  # listing_isin_mic_from_uniq starts with the ISIN
        verbose_name="ISIN",
    )
    venue = code_relation(
        "venues.Venue",
        to_field="mic",
        db_column="mic",
        related_name="listings",
        verbose_name="MIC",
        db_index=False,  # listing_mic_current_isin_idx starts with the MIC
    )
    full_name = models.CharField(max_length=350, blank=True, default="")
    short_name = models.CharField("short name (FISN)", max_length=35, blank=True, default="")
    cfi_code = models.CharField("CFI code", max_length=6, blank=True, default="")
    currency = models.CharField(max_length=3, blank=True, default="")
    commodity_derivative = models.BooleanField(null=True, blank=True)
    issuer_lei = models.CharField("issuer LEI (FIRDS Issr)", max_length=20, null=True, blank=True)
    issuer_requested = models.BooleanField(null=True, blank=True)
    admission_approval_date = models.DateTimeField(null=True, blank=True)
    admission_request_date = models.DateTimeField(null=True, blank=True)
    first_trade_date = models.DateTimeField(null=True, blank=True)
    termination_date = models.DateTimeField(null=True, blank=True)
    relevant_authority = models.CharField(max_length=2, blank=True, default="")
    relevant_venue = models.CharField(max_length=4, blank=True, default="")
    valid_from = models.DateField()
    valid_to = models.DateField(null=True, blank=True)
    is_current = models.BooleanField(default=True)
    is_cancelled = models.BooleanField(default=False)
    record_type = models.CharField(max_length=10, choices=RecordType.choices, default=RecordType.FULL)
    record = LoadedJSONField(null=True, blank=True, help_text="The whole record as FIRDS sent it.")
    source_file = models.CharField(max_length=100, blank=True, default="")

    class Meta:
        ordering = ["instrument_id", "venue_id", "valid_from"]
        constraints = [
            # also the index of "listings of ISIN X (on date D)": an ISIN's few dozen versions are read by its prefix
            models.UniqueConstraint(fields=["instrument", "venue", "valid_from"], name="listing_isin_mic_from_uniq"),
            models.UniqueConstraint(
                fields=["instrument", "venue"], condition=models.Q(is_current=True), name="listing_current_uniq"
            ),
        ]
        indexes = [
            # a venue's (current) listings in the changelist's order: a page is one index range, not a sort of the
            # venue's million rows (1.08 s at 10M listings on SQLite with the MIC and flag alone)
            models.Index(
                fields=["venue", "is_current", "instrument", "valid_from"], name="listing_mic_current_isin_idx"
            ),
        ]

    def __str__(self):
        return f"{self.instrument_id}@{self.venue_id} from {self.valid_from}"
