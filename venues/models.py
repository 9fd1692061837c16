"""Venue: one ISO 10383 MIC with all 17 registry columns."""

from django.db import models

from marketdata.models import TimeStampedModel, code_relation

from .choices import VenueKind, VenueStatus


class Venue(TimeStampedModel):
    """A market identifier code (operating or segment) from the ISO 10383 registry."""

    mic = models.CharField("MIC", max_length=4, unique=True)
    operating = code_relation(
        "self",
        to_field="mic",
        db_column="operating_mic",
        related_name="segments",
        null=True,
        verbose_name="operating MIC",
    )
    kind = models.CharField("OPRT/SGMT", max_length=4, choices=VenueKind.choices)
    market_name = models.CharField("market name / institution description", max_length=255)
    legal_entity_name = models.CharField(max_length=255, blank=True, default="")
    lei = models.CharField("LEI", max_length=20, blank=True, default="", db_index=True)
    market_category = models.CharField("market category code", max_length=4, blank=True, default="", db_index=True)
    acronym = models.CharField(max_length=100, blank=True, default="")
    country = models.CharField("ISO country code", max_length=2, db_index=True)
    city = models.CharField(max_length=100, blank=True, default="")
    website = models.CharField(max_length=255, blank=True, default="")
    status = models.CharField(max_length=10, choices=VenueStatus.choices, db_index=True)
    creation_date = models.DateField(null=True, blank=True)
    last_update_date = models.DateField(null=True, blank=True)
    last_validation_date = models.DateField(null=True, blank=True)
    expiry_date = models.DateField(null=True, blank=True)
    comments = models.TextField(blank=True, default="")

    class Meta:
        ordering = ["mic"]

    def __str__(self):
        return f"{self.mic} {self.market_name}"
