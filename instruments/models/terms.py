"""The debt and derivative terms a FIRDS record gives, as columns shared by listings and instruments."""

from django.db import models

from marketdata.fields import LoadedJSONField
from marketdata.models import amount_field, rate_field

from ..choices import DebtSeniority, DeliveryType, ExerciseStyle, OptionType, StrikePriceType


def _text(max_length: int, **kwargs):
    """An optional text term: NULL when the record does not give it."""
    return models.CharField(max_length=max_length, null=True, blank=True, **kwargs)


class InstrumentTerms(models.Model):
    """Debt terms (DebtInstrmAttrbts) and derivative terms (DerivInstrmAttrbts), each NULL when absent."""

    # Debt
    maturity_date = models.DateField(null=True, blank=True)
    total_issued_nominal = amount_field()
    nominal_value_per_unit = amount_field()
    fixed_rate = rate_field()
    floating_rate_reference = _text(100, help_text="Index name, code or ISIN.")
    floating_rate_term = _text(10, help_text="e.g. 3MNTH")
    floating_rate_spread = rate_field(help_text="Basis points.")
    debt_seniority = _text(4, choices=DebtSeniority.choices)

    # Derivatives
    expiry_date = models.DateField(null=True, blank=True)
    price_multiplier = rate_field()
    underlying_isins = LoadedJSONField(null=True, blank=True, help_text="Single ISIN or basket ISINs.")
    underlying_isin = _text(12)
    underlying_index = _text(100, help_text="Index name or ISIN.")
    option_type = _text(4, choices=OptionType.choices)
    strike_price = amount_field()
    strike_price_type = _text(12, choices=StrikePriceType.choices)
    strike_currency = _text(3)
    exercise_style = _text(4, choices=ExerciseStyle.choices)
    delivery_type = _text(4, choices=DeliveryType.choices)

    class Meta:
        abstract = True
