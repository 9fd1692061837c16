"""Abstract base models and field helpers shared by every app."""

from django.db import models


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
