"""Bases shared by the apps' API: lookups by business code (400 when malformed), strict fields, code parameters."""

from drf_spectacular.extensions import OpenApiSerializerExtension
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers
from rest_framework.exceptions import ValidationError

from marketdata.filters import ISO_DATE_RE
from marketdata.identifiers import CFI_RE, ISIN_RE, LEI_RE, MIC_RE


class CodeLookupMixin:
    """Check the code in the URL (ISIN, LEI, MIC) before looking it up: 400 with the reason, else 404 if absent.

    Set `lookup_validator` to a function returning why a value is invalid, or None (marketdata.identifiers).
    """

    lookup_validator = None

    def lookup_code(self) -> str:
        """The code in the URL, or a 400 saying why it is malformed."""
        code = self.kwargs[self.lookup_url_kwarg or self.lookup_field]
        reason = self.lookup_validator(code) if self.lookup_validator else None
        if reason:
            raise ValidationError(
                {self.lookup_field: [f"{code!r} is not a valid {self.lookup_field.upper()}: {reason}"]}
            )
        return code

    def get_object(self):
        """The object named by a well-formed code (400 first when the code is malformed)."""
        self.lookup_code()
        return super().get_object()


class IsoDateField(serializers.DateField):
    """A date written YYYY-MM-DD, and nothing else (no week dates, no basic format)."""

    def get_value(self, dictionary):
        """The raw value whenever the parameter is present: an empty date is an error, not "no date"."""
        if self.field_name in dictionary:
            return dictionary[self.field_name]
        return super().get_value(dictionary)

    def to_internal_value(self, value):
        """The date, or a validation error naming the expected form."""
        if not isinstance(value, str) or not ISO_DATE_RE.match(value):
            self.fail("invalid", format="YYYY-MM-DD")
        return super().to_internal_value(value)


class PlainTextField(serializers.CharField):
    """A JSON string (numbers are refused, not converted); NUL characters, which no database stores, are removed."""

    def to_internal_value(self, data):
        """The text without NUL characters."""
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data.replace("\x00", ""))


class StrictSerializer(serializers.Serializer):
    """A request body that refuses keys it does not define (documented as additionalProperties: false)."""

    def validate(self, attrs):
        """The data, or a 400 naming each unknown key."""
        unknown = sorted(set(self.initial_data) - set(self.fields)) if isinstance(self.initial_data, dict) else []
        if unknown:
            raise ValidationError({key: ["Unknown field."] for key in unknown})
        return attrs


class StrictSerializerExtension(OpenApiSerializerExtension):
    """drf-spectacular: a StrictSerializer's schema says additionalProperties: false."""

    target_class = StrictSerializer
    match_subclasses = True

    def map_serializer(self, auto_schema, direction):
        """The usual object schema, closed to other keys."""
        return {**auto_schema._map_basic_serializer(self.target, direction), "additionalProperties": False}


def code_parameter(name: str, code_format: str, pattern: str, description: str) -> OpenApiParameter:
    """An OpenAPI path parameter for a business code, with its own `format` (for fuzzers) and pattern."""
    schema = {"type": "string", "format": code_format, "pattern": pattern}
    return OpenApiParameter(name, schema, OpenApiParameter.PATH, description=description)


ISIN_PARAMETER = code_parameter("isin", "isin", ISIN_RE.pattern, "ISIN (ISO 6166) with a valid check digit.")
LEI_PARAMETER = code_parameter("lei", "lei", LEI_RE.pattern, "LEI (ISO 17442) with valid check digits.")
MIC_PARAMETER = code_parameter("mic", "mic", MIC_RE.pattern, "MIC (ISO 10383).")
CFI_PARAMETER = code_parameter("code", "cfi", CFI_RE.pattern, "CFI code (ISO 10962), e.g. ESVUFR.")
