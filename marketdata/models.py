"""Abstract base models and field helpers shared by every app."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class TimeStampedModel(models.Model):
    """A row that records when it was created and last changed."""

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


def code_relation(to, *, to_field: str, db_column: str, related_name: str, null: bool = False, **kwargs):
    """A relation joined on a business code (ISIN, LEI, MIC) with no database constraint.

    Sources arrive in any order (an instrument may name a LEI before GLEIF data is loaded),
    so the code is stored as it came and the related row is shown when it exists.
    """
    return models.ForeignKey(
        to,
        to_field=to_field,
        db_column=db_column,
        related_name=related_name,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=null,
        blank=null,
        **kwargs,
    )


def amount_field(**kwargs):
    """A decimal wide enough for issued nominal amounts and prices (28 digits, 10 after the point)."""
    return models.DecimalField(max_digits=28, decimal_places=10, null=True, blank=True, **kwargs)


def rate_field(**kwargs):
    """A decimal for rates, spreads and multipliers (20 digits, 10 after the point)."""
    return models.DecimalField(max_digits=20, decimal_places=10, null=True, blank=True, **kwargs)


class ApiKey(models.Model):
    """A long-lived API key of one user for machine clients; only its SHA-256 hash is stored."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_keys")
    name = models.CharField(max_length=100, blank=True, default="", help_text="What the key is for.")
    prefix = models.CharField(max_length=12, unique=True, editable=False, help_text="The key's public first part.")
    hashed_key = models.CharField(max_length=64, editable=False, help_text="SHA-256 of the whole key, hex.")
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    expires_at = models.DateTimeField(null=True, blank=True, help_text="Empty: never expires.")
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "API key"

    def __str__(self):
        return f"{self.prefix}… ({self.user}{', ' + self.name if self.name else ''})"

    @property
    def is_active(self) -> bool:
        """Neither revoked nor expired."""
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > timezone.now())
