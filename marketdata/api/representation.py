"""Serializer output for rows of plain dicts, planned once from a serializer's fields instead of walked per field.

DRF's Serializer.to_representation looks up, checks and converts every field of every row through several
layers of calls; for the selectors' dicts of database values most fields need no conversion at all (strings,
booleans and JSON come out as they went in). `row_representer` reads the serializer's fields once and returns a
function that gives the same output as `serializer.to_representation(row)`: the serializer stays the one
description of the shape (drf-spectacular documents it) and tests compare both outputs.

A planned row is filled in two steps: the fields that keep their values are copied all at once (C-level
`itemgetter` and `dict.update`, with one check that the values are of the types the fields keep unchanged),
then the other fields are converted one by one. A template dict of the field names, copied per row, keeps the
serializer's key order whatever order the fields are filled in.
"""

import datetime
import decimal
import zoneinfo
from collections.abc import Callable, Mapping
from operator import itemgetter

from django.conf import settings
from django.utils import timezone
from rest_framework import ISO_8601, fields, serializers
from rest_framework.settings import api_settings

TEXT_TYPES = frozenset({str, type(None)})  # what a CharField (or a choice kept as stored) gives back unchanged
FLAG_TYPES = frozenset({bool, type(None)})  # what a BooleanField gives back unchanged
UTC_ZONES = (zoneinfo.ZoneInfo("UTC"), datetime.UTC)  # what a UTC setting activates; `in` finds it by identity


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
    readable = list(serializer._readable_fields)
    template = dict.fromkeys(field.field_name for field in readable)
    kept_groups = {TEXT_TYPES: [], FLAG_TYPES: [], None: []}  # fields keeping values of these types (None: any)
    converted, zoned_converted = [], []
    for field in readable:
        kept_types = _kept_types(field)
        if kept_types is not False and _keyed(field):
            kept_groups[kept_types].append(field)
            continue
        convert, takes_zone = _converter(field)
        (zoned_converted if takes_zone else converted).append((field.field_name, _getter(field), convert))
    kept = [field for group in kept_groups.values() for field in group]  # the checked groups first, in this order
    kept_names = tuple(field.field_name for field in kept)
    get_kept = _values_getter([field.source for field in kept])
    checks = []  # (types, start, stop): the values kept[start:stop] must be of these types to be kept as they are
    start = 0
    for kept_types, group in kept_groups.items():
        if kept_types is not None and group:
            checks.append((kept_types, start, start + len(group)))
        start += len(group)

    def represent(row: Mapping, zone) -> dict:
        data = template.copy()
        if kept_names:
            values = get_kept(row)
            data.update(zip(kept_names, values, strict=True))
            for kept_types, start, stop in checks:
                if not kept_types.issuperset(map(type, values[start:stop])):
                    _convert_in_place(data, kept[start:stop])
        for name, get, convert in converted:
            value = get(row)
            if value is not None:
                data[name] = convert(value)
        for name, get, convert in zoned_converted:
            value = get(row)
            if value is not None:
                data[name] = convert(value, zone)
        return data

    return represent, bool(zoned_converted)


def _keyed(field: fields.Field) -> bool:
    """Whether the field reads its value from one key of the row."""
    return field.source != "*" and len(field.source_attrs) == 1


def _values_getter(keys: list[str]) -> Callable:
    """A function giving the tuple of a row's values at these keys."""
    if len(keys) <= 1:
        return lambda row: tuple(row[key] for key in keys)  # itemgetter needs a key, and gives no tuple for one
    return itemgetter(*keys)


def _convert_in_place(data: dict, kept: list[fields.Field]) -> None:
    """Convert kept fields' values through the fields themselves (a value was not of a type they keep as it is)."""
    for field in kept:
        value = data[field.field_name]
        if value is not None:
            data[field.field_name] = field.to_representation(value)


def _kept_types(field: fields.Field) -> frozenset | None | bool:
    """The types of the values the field gives back unchanged: a set, None for any type, False for none."""
    kind = type(field)
    if kind is fields.CharField:
        return TEXT_TYPES  # str(value) of a str is the same str
    if kind is fields.ChoiceField and all(key == value for key, value in field.choice_strings_to_values.items()):
        return TEXT_TYPES  # a stored choice (a string) maps to itself
    if kind is fields.BooleanField:
        return FLAG_TYPES
    if kind is fields.JSONField and not field.binary:
        return None
    return False


def _getter(field: fields.Field) -> Callable:
    """How the field reads its value from a row: the row itself (source "*"), a key, or DRF's dotted lookup."""
    if field.source == "*":
        return _itself
    if len(field.source_attrs) == 1:
        return itemgetter(field.source)
    return field.get_attribute


def _itself(row):
    return row


def _converter(field: fields.Field) -> tuple[Callable, bool]:
    """The field's to_representation, or a cheaper equivalent for database values; and whether it takes the
    current time zone as a second argument."""
    if isinstance(field, serializers.BaseSerializer):
        represent, zoned = _planned(field)
        return (represent, True) if zoned else ((lambda value: represent(value, None)), False)
    if isinstance(field, fields.SerializerMethodField):
        return getattr(field.parent, field.method_name), False
    kind = type(field)
    if kind is fields.DateField and _iso(field, api_settings.DATE_FORMAT):
        return _date_iso(field), False
    if kind is fields.DateTimeField and _iso(field, api_settings.DATETIME_FORMAT) and not hasattr(field, "timezone"):
        return _datetime_iso(field), True
    if kind is fields.DecimalField and _fixed_point(field):
        return _decimal_text(field), False
    return field.to_representation, False


def _iso(field: fields.Field, default_format) -> bool:
    """Whether a date or time field writes ISO 8601."""
    output_format = getattr(field, "format", default_format)
    return output_format is not None and output_format.lower() == ISO_8601


def _fixed_point(field: fields.DecimalField) -> bool:
    """Whether a decimal field writes its values as strings with a fixed number (at least one) of decimal places."""
    return (
        getattr(field, "coerce_to_string", api_settings.COERCE_DECIMAL_TO_STRING)
        and not field.localize
        and not field.normalize_output
        and field.max_digits is not None
        and bool(field.decimal_places)
    )


def _current_zone():
    """The zone DRF's DateTimeField writes aware values in (its default_timezone)."""
    return timezone.get_current_timezone() if settings.USE_TZ else None


def _date_iso(field: fields.DateField) -> Callable:
    """DRF's ISO 8601 DateField output for a date (anything else through the field itself)."""

    def convert(value) -> str | None:
        return value.isoformat() if type(value) is datetime.date else field.to_representation(value)

    return convert


def _datetime_iso(field: fields.DateTimeField) -> Callable:
    """DRF's ISO 8601 DateTimeField output for an aware datetime in `zone` (anything else through the field)."""

    def convert(value, zone) -> str | None:
        if type(value) is not datetime.datetime or zone is None:
            return field.to_representation(value)
        if value.tzinfo is datetime.UTC and zone in UTC_ZONES:
            return value.isoformat()[:-6] + "Z"  # already in UTC: written as it is
        if value.utcoffset() is None:
            return field.to_representation(value)  # naive: made aware by the field
        try:
            text = value.astimezone(zone).isoformat()
        except OverflowError:
            return field.to_representation(value)  # DRF's validation error
        return text[:-6] + "Z" if text.endswith("+00:00") else text

    return convert


def _decimal_text(field: fields.DecimalField) -> Callable:
    """DRF's DecimalField string for a Decimal already at the field's decimal places (anything else through the
    field itself, which quantizes)."""
    places = field.decimal_places
    longest = field.max_digits + 1  # digits and the point: a longer text may not fit the field's precision

    def convert(value) -> str:
        if type(value) is decimal.Decimal:
            text = f"{value:f}"
            if places < len(text) <= longest and text[-places - 1] == ".":
                return text  # quantizing it to its own exponent within the precision changes nothing
        return field.to_representation(value)

    return convert
