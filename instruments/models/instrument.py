"""Instrument: one per ISIN, with the attributes people filter on promoted to columns."""

from django.db import models

from marketdata.models import TimeStampedModel, code_relation

from ..choices import CfiCategory
from .terms import InstrumentTerms


class Instrument(InstrumentTerms, TimeStampedModel):
    """A financial instrument (ISIN): the current state derived from the listing version that speaks for it."""

    isin = models.CharField("ISIN", max_length=12, unique=True)
    full_name = models.CharField(max_length=350, blank=True, default="")
    short_name = models.CharField("short name (FISN)", max_length=35, blank=True, default="")
    cfi_code = models.CharField("CFI code", max_length=6, blank=True, default="")
    category = models.CharField("CFI category", max_length=1, blank=True, default="", choices=CfiCategory.choices)
    instrument_type = models.CharField(max_length=32, blank=True, default="")
    currency = models.CharField("notional currency", max_length=3, blank=True, default="")
    commodity_derivative = models.BooleanField(null=True, blank=True)
    issuer = code_relation(
        "entities.LegalEntity",
        to_field="lei",
        db_column="issuer_lei",
        related_name="instruments",
        null=True,
        verbose_name="issuer LEI (FIRDS Issr)",
        help_text="As FIRDS gives it; may be the venue operator's LEI.",
        db_index=False,  # instrument_issuer_idx starts with the issuer
    )
    relevant_authority = models.CharField("relevant competent authority", max_length=2, blank=True, default="")
    relevant_venue = models.CharField("relevant trading venue", max_length=4, blank=True, default="")

    source_mic = models.CharField(
        "derived from MIC", max_length=4, blank=True, default="", help_text="The listing whose record speaks for it."
    )
    # Debt and derivative terms: instruments.models.terms (null when the record does not give them).
    underlying_isin = models.CharField(max_length=12, null=True, blank=True)
    source_file = models.CharField(max_length=100, blank=True, default="")

    class Meta:
        ordering = ["isin"]
        indexes = [
            models.Index(fields=["category", "isin"], name="instrument_category_idx"),
            models.Index(fields=["instrument_type", "isin"], name="instrument_type_idx"),
            models.Index(fields=["currency", "isin"], name="instrument_currency_idx"),
            # category + currency (the common filtered list) read in ISIN order: a page is one index range scan
            models.Index(fields=["category", "currency", "isin"], name="instrument_cat_ccy_idx"),
            models.Index(fields=["issuer", "isin"], name="instrument_issuer_idx"),
            models.Index(fields=["maturity_date"], name="instrument_maturity_idx"),
            models.Index(fields=["expiry_date"], name="instrument_expiry_idx"),
        ]

    def source_listing(self):
        """The current listing version the instrument is derived from (None when there is none)."""
        return self.listings.filter(venue_id=self.source_mic, is_current=True).first()

    def __str__(self):
        return f"{self.isin} {self.full_name}"
