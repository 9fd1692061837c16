"""Transparency: FITRS liquidity, thresholds and statistics for an ISIN or sub-class."""

from django.db import models

from marketdata.models import TimeStampedModel, amount_field


class Transparency(TimeStampedModel):
    """A FITRS transparency record (equity or non-equity) for one application period."""

    identifier = models.CharField("ISIN or sub-class", max_length=60, db_index=True)
    is_subclass = models.BooleanField(default=False)
    file_type = models.CharField(max_length=6, help_text="FULECR, FULNCR, DLTECR or DLTNCR.")
    classification = models.CharField(max_length=10, blank=True, default="", help_text="FinInstrmClssfctn.")
    methodology = models.CharField(max_length=10, blank=True, default="")
    liquid = models.BooleanField(null=True, blank=True)
    most_relevant_market = models.CharField(max_length=4, blank=True, default="")
    pre_trade_lis_threshold = amount_field()
    post_trade_lis_threshold = amount_field()
    pre_trade_ssti_threshold = amount_field()
    post_trade_ssti_threshold = amount_field()
    average_daily_turnover = amount_field()
    average_daily_transactions = amount_field()
    statistics = models.JSONField(default=dict, blank=True, help_text="Every statistic and criterion FITRS sends.")
    valid_from = models.DateField(help_text="Start of the application period.")
    valid_to = models.DateField(null=True, blank=True)
    source_file = models.CharField(max_length=100, blank=True, default="")

    class Meta:
        verbose_name_plural = "transparency records"
        ordering = ["identifier", "valid_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["identifier", "file_type", "valid_from"], name="transparency_id_type_from_uniq"
            )
        ]

    def __str__(self):
        return f"{self.identifier} {self.file_type} {self.valid_from}"
