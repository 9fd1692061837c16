"""The FilterSet base shared by the apps: strict ISO dates, no empty coded values, NUL characters dropped."""

import re

import django_filters
from django import forms
from django.core.exceptions import ValidationError

ISO_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class IsoDateField(forms.DateField):
    """A date written YYYY-MM-DD, and nothing else (no week dates, no basic format)."""

    def to_python(self, value):
        """The date, or a validation error naming the expected form."""
        if isinstance(value, str) and value.strip() and not ISO_DATE_RE.match(value.strip()):
            raise ValidationError("Enter a date as YYYY-MM-DD.", code="invalid")
        return super().to_python(value)


class IsoDateFilter(django_filters.DateFilter):
    """A date filter that accepts YYYY-MM-DD only."""

    field_class = IsoDateField


class ApiFilterSet(django_filters.FilterSet):
    """A FilterSet whose coded filters (choices, dates) refuse an empty value instead of ignoring it.

    Text filters take any text; NUL characters, which no database stores, are removed first.
    """

    def __init__(self, data=None, *args, **kwargs):
        if data is not None:
            data = data.copy()
            for key in list(data.keys()):
                data.setlist(key, [value.replace("\x00", "") for value in data.getlist(key)])
        super().__init__(data, *args, **kwargs)

    def is_valid(self):
        """Valid, and no coded filter was given an empty value."""
        valid = super().is_valid()
        for name, filter_ in self.filters.items():
            if not isinstance(filter_, django_filters.CharFilter) and self.data.get(name) == "":
                self.form.add_error(name, "An empty value is not allowed; leave the parameter out instead.")
                valid = False
        return valid
