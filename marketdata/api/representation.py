"""Serializer output for rows of plain dicts, planned once from a serializer's fields instead of walked per field.

DRF's Serializer.to_representation looks up, checks and converts every field of every row through several
layers of calls; for the selectors' dicts of database values most fields need no conversion at all (strings,
booleans and JSON come out as they went in). `row_representer` reads the serializer's fields once and returns a
function that gives the same output as `serializer.to_representation(row)`: the serializer stays the one
description of the shape (drf-spectacular documents it) and tests compare both outputs.
"""

from collections.abc import Callable, Mapping
from operator import itemgetter

from django.conf import settings
from django.utils import timezone
from rest_framework import ISO_8601, fields, serializers
from rest_framework.settings import api_settings


def row_representer(serializer: serializers.BaseSerializer) -> Callable:
    """A function giving `serializer.to_representation(row)` for a dict of database values (a list for many=True)."""
    represent, zoned = _planned(serializer)
    if zoned:
        return lambda row: represent(row, _current_zone())  # the zone looked up once, not per date and time
    return lambda row: represent(row, None)


def _planned(serializer: serializers.BaseSerializer) -> tuple[Callable, bool]:
    """represent(row, zone) for the serializer, and whether it writes dates and times (in the current zone)."""
    if isinstance(serializer, serializers.ListSerializer):
        represent_child, zoned = _planned(serializer.child)
        return (lambda rows, zone: [represent_child(row, zone) for row in rows]), zoned
    plan = [(field.field_name, _getter(field), *_converter(field)) for field in serializer._readable_fields]

    def represent(row: Mapping, zone) -> dict:
        data = {}
        for name, get, convert, takes_zone in plan:
            value = get(row)
            if value is None or convert is None:
                data[name] = value
            else:
                data[name] = convert(value, zone) if takes_zone else convert(value)
        return data

    return represent, any(takes_zone for *_, takes_zone in plan)


def _getter(field: fields.Field) -> Callable:
    """How the field reads its value from a row: the row itself (source "*"), a key, or DRF's dotted lookup."""
    if field.source == "*":
        return _itself
    if len(field.source_attrs) == 1:
        return itemgetter(field.source)
    return field.get_attribute


def _itself(row):
    return row


def _converter(field: fields.Field) -> tuple[Callable | None, bool]:
    """The field's to_representation, or a cheaper equivalent for database values, or None when it changes nothing;
    and whether it takes the current time zone as a second argument."""
    if isinstance(field, serializers.BaseSerializer):
        represent, zoned = _planned(field)
        return (represent, True) if zoned else ((lambda value: represent(value, None)), False)
    if isinstance(field, fields.SerializerMethodField):
        return getattr(field.parent, field.method_name), False
    kind = type(field)
    if kind is fields.CharField:
        return str, False
    if kind is fields.ChoiceField and all(key == value for key, value in field.choice_strings_to_values.items()):
        return None, False  # a stored choice (a string) maps to itself
    if kind is fields.JSONField and not field.binary:
        return None, False
    if kind is fields.BooleanField:
        return _boolean(field), False
    if kind is fields.DateField and _iso(field, api_settings.DATE_FORMAT):
        return _date_iso, False
    if kind is fields.DateTimeField and _iso(field, api_settings.DATETIME_FORMAT) and not hasattr(field, "timezone"):
        return _datetime_iso(field), True
    return field.to_representation, False


def _iso(field: fields.Field, default_format) -> bool:
    """Whether a date or time field writes ISO 8601."""
    output_format = getattr(field, "format", default_format)
    return output_format is not None and output_format.lower() == ISO_8601


def _current_zone():
    """The zone DRF's DateTimeField writes aware values in (its default_timezone)."""
    return timezone.get_current_timezone() if settings.USE_TZ else None


def _date_iso(value) -> str | None:
    """DRF's ISO 8601 DateField output (strings pass unchanged)."""
    if not value:
        return None
    return value if isinstance(value, str) else value.isoformat()


def _boolean(field: fields.BooleanField) -> Callable:
    """DRF's BooleanField output: a stored boolean as it is (anything else through the field itself)."""
    return lambda value: value if value is True or value is False else field.to_representation(value)


def _datetime_iso(field: fields.DateTimeField) -> Callable:
    """DRF's ISO 8601 DateTimeField output for an aware value in `zone` (anything else through the field itself)."""

    def convert(value, zone) -> str | None:
        if zone is None or isinstance(value, str) or not value or value.utcoffset() is None:
            return field.to_representation(value)
        text = value.astimezone(zone).isoformat()
        return text[:-6] + "Z" if text.endswith("+00:00") else text

    return convert
