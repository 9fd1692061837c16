"""The FilterSet base shared by the apps: strict ISO dates, NUL characters dropped."""

import re

import django_filters
from django import forms
from django.core.exceptions import ValidationError

ISO_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class IsoDateField(forms.DateField):
    """A date written YYYY-MM-DD, and nothing else (no week dates, no basic format)."""

    def to_python(self, value):
        """The date, or a validation error naming the expected form."""
        if isinstance(value, str) and not ISO_DATE_RE.match(value.strip()):
            raise ValidationError("Enter a date as YYYY-MM-DD.", code="invalid")
        return super().to_python(value)


class IsoDateFilter(django_filters.DateFilter):
    """A date filter that accepts YYYY-MM-DD only."""

    field_class = IsoDateField


class ApiFilterSet(django_filters.FilterSet):
    """A FilterSet for query strings: an empty value means no filter; NUL characters (no database stores them) go."""

    def __init__(self, data=None, *args, **kwargs):
        if data is not None:
            data = data.copy()
            for key in list(data.keys()):
                data.setlist(key, [value.replace("\x00", "") for value in data.getlist(key)])
        super().__init__(data, *args, **kwargs)


def any_or(choices) -> list[tuple[str, str]]:
    """A choice filter's choices plus "" (no filter), so the published enum admits the empty value it accepts."""
    return [("", "any"), *choices]
