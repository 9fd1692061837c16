"""Request body parsing: JSON with a nesting limit checked before the body is parsed."""

import io
import re
from itertools import accumulate

from django.conf import settings
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

# A JSON string (its brackets are text, not nesting); the body is scanned as bytes, so any encoding DRF accepts
# that keeps ASCII punctuation as single bytes (UTF-8, the only one clients send) is measured correctly.
_JSON_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_NOT_BRACKETS = bytes(byte for byte in range(256) if byte not in b"[]{}")
_STEP = {ord("["): 1, ord("{"): 1, ord("]"): -1, ord("}"): -1}


def json_depth(raw: bytes) -> int:
    """How deeply arrays and objects nest in a JSON text (0 for a scalar), without parsing it."""
    brackets = _JSON_STRING.sub(b"", raw).translate(None, _NOT_BRACKETS)
    return max(accumulate(_STEP[byte] for byte in brackets), default=0)


class DepthLimitedJSONParser(JSONParser):
    """DRF's JSON parser, refusing (400 parse_error) a body nested deeper than settings.API_JSON_MAX_DEPTH, which
    would otherwise exhaust Python's recursion limit inside the parser."""

    def parse(self, stream, media_type=None, parser_context=None):
        """The parsed body, or a ParseError naming the depth limit."""
        raw = stream.read() if stream is not None else b""
        limit = settings.API_JSON_MAX_DEPTH
        if json_depth(raw) > limit:
            raise ParseError(f"JSON parse error - the body nests arrays or objects more than {limit} levels deep.")
        return super().parse(io.BytesIO(raw), media_type, parser_context)
