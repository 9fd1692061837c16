"""FigiMapping: FIGIs OpenFIGI returned for an (ISIN, MIC)."""

from django.db import models

from marketdata.models import TimeStampedModel


class FigiMapping(TimeStampedModel):
    """One FIGI for an ISIN, at a venue when the MIC is known (blank MIC: composite level)."""

    isin = models.CharField("ISIN", max_length=12, db_index=True)
    mic = models.CharField("MIC", max_length=4, blank=True, default="")
    figi = models.CharField("FIGI", max_length=12)
    composite_figi = models.CharField(max_length=12, blank=True, default="")
    share_class_figi = models.CharField(max_length=12, blank=True, default="")
    ticker = models.CharField(max_length=100, blank=True, default="")
    exchange_code = models.CharField(max_length=20, blank=True, default="")
    security_type = models.CharField(max_length=100, blank=True, default="")
    security_type2 = models.CharField(max_length=100, blank=True, default="")
    market_sector = models.CharField(max_length=50, blank=True, default="")
    name = models.CharField(max_length=255, blank=True, default="")
    mapped_at = models.DateTimeField()

    class Meta:
        ordering = ["isin", "mic", "figi"]
        constraints = [models.UniqueConstraint(fields=["isin", "mic", "figi"], name="figimapping_isin_mic_figi_uniq")]
        indexes = [
            models.Index(fields=["figi"], name="figimapping_figi_idx"),
            models.Index(fields=["composite_figi"], name="figimapping_composite_idx"),
            models.Index(fields=["share_class_figi"], name="figimapping_share_class_idx"),
        ]

    def __str__(self):
        return f"{self.isin}/{self.mic or '-'} -> {self.figi}"


class FigiLookup(models.Model):
    """When OpenFIGI was last asked about an (ISIN, MIC), and what it said: FIGIs, no match (warning) or error."""

    class Status(models.TextChoices):
        """Which of OpenFIGI's three answers came back."""

        MAPPED = "data", "Mapped"
        NO_MATCH = "warning", "No match"
        ERROR = "error", "Error"

    isin = models.CharField("ISIN", max_length=12)
    mic = models.CharField("MIC", max_length=4, blank=True, default="")
    status = models.CharField(max_length=10, choices=Status.choices, db_index=True)
    message = models.CharField(max_length=500, blank=True, default="")
    figi_count = models.PositiveIntegerField(default=0)
    looked_up_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["isin", "mic"]
        constraints = [models.UniqueConstraint(fields=["isin", "mic"], name="figilookup_isin_mic_uniq")]

    def __str__(self):
        return f"{self.isin}/{self.mic or '-'}: {self.status}"
