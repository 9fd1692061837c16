"""Instrument: one per ISIN, with the attributes people filter on promoted to columns."""

from django.db import models

from marketdata.models import TimeStampedModel, amount_field, code_relation, rate_field

from ..choices import CfiCategory, DebtSeniority, DeliveryType, ExerciseStyle, OptionType, StrikePriceType


class Instrument(TimeStampedModel):
    """A financial instrument (ISIN) as FIRDS describes it at its relevant trading venue."""

    isin = models.CharField("ISIN", max_length=12, unique=True)
    full_name = models.CharField(max_length=350, blank=True, default="")
    short_name = models.CharField("short name (FISN)", max_length=35, blank=True, default="")
    cfi_code = models.CharField("CFI code", max_length=6, blank=True, default="", db_index=True)
    category = models.CharField("CFI category", max_length=1, blank=True, default="", choices=CfiCategory.choices)
    instrument_type = models.CharField(max_length=32, blank=True, default="", db_index=True)
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
    )
    relevant_authority = models.CharField("relevant competent authority", max_length=2, blank=True, default="")
    relevant_venue = models.CharField("relevant trading venue", max_length=4, blank=True, default="")

    # Debt
    maturity_date = models.DateField(null=True, blank=True)
    total_issued_nominal = amount_field()
    nominal_value_per_unit = amount_field()
    fixed_rate = rate_field()
    floating_rate_reference = models.CharField(
        "floating rate reference", max_length=100, blank=True, default="", help_text="Index name, code or ISIN."
    )
    floating_rate_term = models.CharField(max_length=10, blank=True, default="", help_text="e.g. 3MNTH")
    floating_rate_spread = rate_field(help_text="Basis points.")
    debt_seniority = models.CharField(max_length=4, blank=True, default="", choices=DebtSeniority.choices)

    # Derivatives
    expiry_date = models.DateField(null=True, blank=True)
    price_multiplier = rate_field()
    underlying_isins = models.JSONField(default=list, blank=True, help_text="Single ISIN or basket ISINs.")
    underlying_isin = models.CharField(max_length=12, blank=True, default="", db_index=True)
    underlying_index = models.CharField(max_length=100, blank=True, default="", help_text="Index name or ISIN.")
    option_type = models.CharField(max_length=4, blank=True, default="", choices=OptionType.choices)
    strike_price = amount_field()
    strike_price_type = models.CharField(max_length=12, blank=True, default="", choices=StrikePriceType.choices)
    strike_currency = models.CharField(max_length=3, blank=True, default="")
    exercise_style = models.CharField(max_length=4, blank=True, default="", choices=ExerciseStyle.choices)
    delivery_type = models.CharField(max_length=4, blank=True, default="", choices=DeliveryType.choices)

    attributes = models.JSONField(default=dict, blank=True, help_text="The complete FIRDS attribute tree.")
    source_file = models.CharField(max_length=100, blank=True, default="")

    class Meta:
        ordering = ["isin"]
        indexes = [
            models.Index(fields=["category", "isin"], name="instrument_category_idx"),
            models.Index(fields=["currency", "isin"], name="instrument_currency_idx"),
            # category + currency (the common filtered list) read in ISIN order: a page is one index range scan
            models.Index(fields=["category", "currency", "isin"], name="instrument_cat_ccy_idx"),
            models.Index(fields=["issuer", "isin"], name="instrument_issuer_idx"),
            models.Index(fields=["maturity_date"], name="instrument_maturity_idx"),
            models.Index(fields=["expiry_date"], name="instrument_expiry_idx"),
        ]

    def __str__(self):
        return f"{self.isin} {self.full_name}"
