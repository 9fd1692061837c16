"""Transparency: FITRS calculations (liquidity, thresholds, statistics) for an ISIN or a non-equity sub-class."""

from django.db import models

from marketdata.models import TimeStampedModel, amount_field


class Transparency(TimeStampedModel):
    """One version of a FITRS calculation, keyed by (ISIN or sub-class, methodology, calculation period).

    A newer file's calculation for the same key closes this version (`valid_to`) and starts the next; the whole
    record is kept in `record`, the fields people filter on are columns.
    """

    identifier = models.CharField(
        "ISIN or sub-class", max_length=60, help_text="The ISIN, or for a sub-class its asset class and a digest."
    )
    is_subclass = models.BooleanField(default=False, help_text="A non-equity sub-class (no ISIN).")
    is_equity = models.BooleanField(default=False, help_text="An equity calculation (FULECR/DLTECR, auth.044).")
    file_type = models.CharField(max_length=6, help_text="FULECR, FULNCR, DLTECR or DLTNCR (the file it came in).")
    classification = models.CharField(max_length=10, blank=True, default="", help_text="FinInstrmClssfctn.")
    methodology = models.CharField(
        max_length=10, blank=True, default="", help_text="Mthdlgy (SINT, YEAR, ESTM, FFWK); empty for non-equity."
    )
    period_from = models.DateField(null=True, blank=True, help_text="Calculation period start (RptgPrd).")
    period_to = models.DateField(null=True, blank=True, help_text="Calculation period end (RptgPrd).")
    period_key = models.CharField(
        max_length=21,
        blank=True,
        default="",
        help_text="The period as 'FrDt/ToDt', '' without one: the key's period (never NULL, so unique anywhere).",
    )
    liquid = models.BooleanField(null=True, blank=True, help_text="Lqdty; null when FITRS gives none.")
    most_relevant_market = models.CharField(max_length=4, blank=True, default="", help_text="RlvntMkt/Id (MIC).")
    standard_market_size = amount_field(help_text="Sttstcs/StdMktSz.")
    average_daily_turnover = amount_field(help_text="Sttstcs/AvrgDalyTrnvr.")
    average_daily_transactions = amount_field(help_text="Sttstcs/AvrgDalyNbOfTxs.")
    pre_trade_lis_threshold = amount_field(help_text="PreTradLrgInScaleThrshld (Amt or Nb).")
    post_trade_lis_threshold = amount_field(help_text="PstTradLrgInScaleThrshld (Amt or Nb).")
    pre_trade_ssti_threshold = amount_field(help_text="PreTradInstrmSzSpcfcThrshld (Amt or Nb).")
    post_trade_ssti_threshold = amount_field(help_text="PstTradInstrmSzSpcfcThrshld (Amt or Nb).")
    threshold_currency = models.CharField(
        max_length=3, blank=True, default="", help_text="Ccy of the thresholds given as amounts; empty for numbers."
    )
    asset_class = models.CharField(max_length=10, blank=True, default="", help_text="AsstClss of a sub-class.")
    subclass_description = models.CharField(max_length=1000, blank=True, default="", help_text="DerivSubClss/Desc.")
    criteria = models.JSONField(
        default=list, blank=True, help_text="DerivSubClss/SgmttnCrit as [{name, value}], in file order."
    )
    record = models.JSONField(default=dict, blank=True, help_text="The whole record as FITRS sent it.")
    record_digest = models.CharField(
        max_length=32, blank=True, default="", help_text="MD5 of the record without TechRcrdId (change test)."
    )
    valid_from = models.DateField(help_text="Publication date of the file that brought this version.")
    valid_to = models.DateField(null=True, blank=True, help_text="Day before a newer calculation replaced it.")
    source_file = models.CharField(max_length=100, blank=True, default="")

    class Meta:
        verbose_name_plural = "transparency records"
        ordering = ["identifier", "-period_to", "valid_from"]
        constraints = [
            # One version per key and publication date; its index also finds an identifier's versions (the
            # loader's look-up of the open ones, the API's reads), so the table has no other.
            models.UniqueConstraint(
                fields=["identifier", "methodology", "period_key", "valid_from"], name="transparency_key_version_uniq"
            ),
        ]

    def __str__(self):
        period = f"{self.period_from}..{self.period_to}" if self.period_from else "no period"
        return f"{self.identifier} {self.methodology or self.file_type} {period} from {self.valid_from}"
