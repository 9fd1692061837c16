"""Choices for venue fields (ISO 10383)."""

from django.db import models


class VenueKind(models.TextChoices):
    """Operating MIC or market segment MIC."""

    OPERATING = "OPRT", "Operating"
    SEGMENT = "SGMT", "Segment"


class VenueStatus(models.TextChoices):
    """Registry status of a MIC."""

    ACTIVE = "ACTIVE", "Active"
    UPDATED = "UPDATED", "Updated"
    EXPIRED = "EXPIRED", "Expired"
