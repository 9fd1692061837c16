"""`cfi/{code}/`: decode any ISO 10962 CFI code; an invalid code gives 400 with the position and reason."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from marketdata.cfi import CfiError, cfi_decode

from .base import CFI_PARAMETER
from .exceptions import error_body


class CfiAttributeSerializer(serializers.Serializer):
    """One attribute letter of a CFI code and its meaning."""

    position = serializers.IntegerField()
    name = serializers.CharField()
    value = serializers.CharField()
    meaning = serializers.CharField()


class CfiSerializer(serializers.Serializer):
    """A decoded ISO 10962 CFI code: category, group and the four attributes with their meanings."""

    code = serializers.CharField()
    category = serializers.CharField()
    category_name = serializers.CharField()
    group = serializers.CharField()
    group_name = serializers.CharField()
    instrument_type = serializers.CharField()
    attributes = CfiAttributeSerializer(many=True)


class CfiView(APIView):
    """Decode a CFI code."""

    @extend_schema(
        operation_id="cfi_retrieve",
        parameters=[CFI_PARAMETER],
        responses=CfiSerializer,
    )
    def get(self, request, code: str):
        """The code's category, group and attributes, or 400 naming the first wrong position and why."""
        try:
            decoded = cfi_decode(code)
        except CfiError as error:
            details = {"code": error.code, "position": error.position, "reason": error.reason}
            return Response(error_body("invalid_cfi", str(error), details), status=400)
        return Response(CfiSerializer(decoded.as_dict()).data)
