"""Keyset (cursor) pagination: every page is one indexed range scan, whatever its depth."""

import base64
import binascii
import datetime
import decimal
import json
import math
import operator
from dataclasses import dataclass
from functools import reduce

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import F, Q
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import BasePagination
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param


@dataclass(frozen=True)
class _Term:
    """One ORDER BY column: its name, direction and whether it may hold NULL (NULLs always sort last)."""

    name: str
    descending: bool
    nullable: bool

    def expression(self, reverse: bool):
        """The ORDER BY expression, flipped (with NULLs first) for a backwards page."""
        descending = self.descending != reverse
        nulls_last = not reverse
        column = F(self.name)
        if not self.nullable:
            return column.desc() if descending else column.asc()
        if descending:
            return column.desc(nulls_last=True) if nulls_last else column.desc(nulls_first=True)
        return column.asc(nulls_last=True) if nulls_last else column.asc(nulls_first=True)

    def after(self, value, reverse: bool) -> Q | None:
        """Rows strictly after `value` on this column in the page direction (None: no row is)."""
        descending = self.descending != reverse
        nulls_last = not reverse
        if value is None:
            return None if nulls_last or not self.nullable else Q(**{f"{self.name}__isnull": False})
        beyond = Q(**{f"{self.name}__{'lt' if descending else 'gt'}": value})
        if self.nullable and nulls_last:
            beyond |= Q(**{f"{self.name}__isnull": True})
        return beyond

    def equal(self, value) -> Q:
        """Rows whose column equals `value` (NULL-aware)."""
        return Q(**{f"{self.name}__isnull": True}) if value is None else Q(**{self.name: value})


def _plain(value):
    """A column value as JSON can carry it."""
    if isinstance(value, datetime.date | datetime.datetime):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    return value


def _cursor_scalar(value):
    """A cursor value a column can be compared with: a finite number, or text any database stores (valid UTF-8, no
    NUL); anything else (a list, an object, infinity, a lone surrogate) raises ValueError."""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise ValueError("a cursor value must be a string or a number")
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError("a cursor number must be finite")
    if isinstance(value, int) and not -(2**63) <= value < 2**63:
        raise ValueError("a cursor integer must fit in 64 bits")
    if isinstance(value, str):
        value.encode("utf-8")  # UnicodeEncodeError for a lone surrogate
        if "\x00" in value:
            raise ValueError("a cursor string may not hold NUL")
    return value


class KeysetPagination(BasePagination):
    """Cursor pagination over `orderings`, each ending on a unique key, so a page never counts or skips rows.

    Subclasses name the orderings a client may ask for (`?ordering=`); the cursor carries the last row's
    values of the ordering columns, and the next page is `WHERE (columns) > (values) ORDER BY columns LIMIT n`.
    """

    orderings: dict[str, tuple[str, ...]] = {"id": ("id",)}
    default_ordering = "id"
    cursor_query_param = "cursor"
    page_size_query_param = "page_size"
    ordering_query_param = "ordering"
    max_page_size = 1000

    def paginate_queryset(self, queryset, request, view=None):
        """One page of `queryset`: at most page_size rows after (or before) the cursor position."""
        self.request = request
        self.page_size = self._page_size(request)
        self.terms = self._terms(queryset.model, request)
        position, self.reverse = self._decode_cursor(request, queryset.model)
        ordered = queryset.order_by(*[term.expression(self.reverse) for term in self.terms])
        if position is not None:
            ordered = ordered.filter(self._after(position))
        rows = list(ordered[: self.page_size + 1])
        has_more = len(rows) > self.page_size
        rows = rows[: self.page_size]
        if self.reverse:
            rows.reverse()
        came_from_cursor = position is not None
        self.has_next = has_more if not self.reverse else came_from_cursor
        self.has_previous = has_more if self.reverse else came_from_cursor
        self.first, self.last = (rows[0], rows[-1]) if rows else (None, None)
        return rows

    def get_paginated_response(self, data):
        """`{"next", "previous", "results"}` with absolute links."""
        return Response({"next": self.get_next_link(), "previous": self.get_previous_link(), "results": data})

    def get_next_link(self):
        """Link to the page after this one, or None."""
        return self._link(self.last, reverse=False) if self.has_next and self.last is not None else None

    def get_previous_link(self):
        """Link to the page before this one, or None."""
        return self._link(self.first, reverse=True) if self.has_previous and self.first is not None else None

    def get_paginated_response_schema(self, schema):
        """OpenAPI shape of a page."""
        link = {"type": "string", "nullable": True, "format": "uri"}
        return {
            "type": "object",
            "required": ["next", "previous", "results"],
            "properties": {"next": link, "previous": link, "results": schema},
        }

    def get_schema_operation_parameters(self, view):
        """OpenAPI query parameters: cursor, page_size and ordering."""
        return [
            {
                "name": self.cursor_query_param,
                "required": False,
                "in": "query",
                "description": "Opaque position from a `next` or `previous` link.",
                "schema": {"type": "string"},
            },
            {
                "name": self.page_size_query_param,
                "required": False,
                "in": "query",
                "description": f"Rows per page (default {self._default_page_size()}).",
                "schema": {"type": "integer", "minimum": 1, "maximum": self.max_page_size},
            },
            {
                "name": self.ordering_query_param,
                "required": False,
                "in": "query",
                "description": f"Sort order (default `{self.default_ordering}`).",
                "schema": {"type": "string", "enum": list(self.orderings)},
            },
        ]

    # Internals

    def _default_page_size(self) -> int:
        return settings.REST_FRAMEWORK.get("PAGE_SIZE") or 50

    def _page_size(self, request) -> int:
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self._default_page_size()
        try:
            size = int(raw)
        except ValueError:
            size = 0
        if not 1 <= size <= self.max_page_size:
            raise ValidationError({self.page_size_query_param: [f"a whole number from 1 to {self.max_page_size}"]})
        return size

    def _terms(self, model, request) -> list[_Term]:
        name = request.query_params.get(self.ordering_query_param, self.default_ordering)
        if name not in self.orderings:
            raise ValidationError({self.ordering_query_param: [f"one of: {', '.join(self.orderings)}"]})
        self.ordering_name = name
        terms = []
        for column in self.orderings[name]:
            field_name = column.lstrip("-")
            field = model._meta.get_field(field_name)
            terms.append(_Term(field.attname, column.startswith("-"), field.null))
        return terms

    def _after(self, position: list) -> Q:
        """Rows after `position` in lexicographic order of the terms."""
        alternatives = []
        prefix = Q()
        for term, value in zip(self.terms, position, strict=True):
            beyond = term.after(value, self.reverse)
            if beyond is not None:
                alternatives.append(prefix & beyond)
            prefix &= term.equal(value)
        return reduce(operator.or_, alternatives) if alternatives else Q(pk__in=[])

    def _decode_cursor(self, request, model):
        raw = request.query_params.get(self.cursor_query_param)
        if not raw:
            return None, False
        try:
            payload = json.loads(base64.urlsafe_b64decode(raw.encode("ascii") + b"==="))
            position, reverse, ordering = payload["p"], bool(payload["r"]), payload["o"]
            if ordering != self.ordering_name or len(position) != len(self.terms):
                raise ValueError("cursor belongs to another ordering")
            fields = {field.attname: field for field in model._meta.concrete_fields}
            position = [
                None if v is None else fields[t.name].to_python(_cursor_scalar(v))
                for t, v in zip(self.terms, position, strict=True)
            ]
        except (
            ValueError,
            TypeError,
            KeyError,
            UnicodeError,
            OverflowError,
            RecursionError,
            binascii.Error,
            DjangoValidationError,
        ) as error:
            raise NotFound("Invalid cursor.") from error
        return position, reverse

    def _link(self, row, reverse: bool) -> str:
        position = [_plain(getattr(row, term.name)) for term in self.terms]
        token = json.dumps({"p": position, "r": int(reverse), "o": self.ordering_name}, separators=(",", ":"))
        encoded = base64.urlsafe_b64encode(token.encode()).decode().rstrip("=")
        url = self.request.build_absolute_uri()
        url = remove_query_param(url, self.cursor_query_param)
        return replace_query_param(url, self.cursor_query_param, encoded)


class InstrumentPagination(KeysetPagination):
    """Instruments by ISIN (default), name, maturity or expiry; the ISIN breaks ties."""

    orderings = {
        "isin": ("isin",),
        "-isin": ("-isin",),
        "full_name": ("full_name", "isin"),
        "-full_name": ("-full_name", "-isin"),
        "maturity_date": ("maturity_date", "isin"),
        "-maturity_date": ("-maturity_date", "-isin"),
        "expiry_date": ("expiry_date", "isin"),
        "-expiry_date": ("-expiry_date", "-isin"),
    }
    default_ordering = "isin"


class LegalEntityPagination(KeysetPagination):
    """Legal entities by LEI (default) or legal name; the LEI breaks ties."""

    orderings = {
        "lei": ("lei",),
        "-lei": ("-lei",),
        "legal_name": ("legal_name", "lei"),
        "-legal_name": ("-legal_name", "-lei"),
    }
    default_ordering = "lei"


class VenuePagination(KeysetPagination):
    """Venues by MIC."""

    orderings = {"mic": ("mic",), "-mic": ("-mic",)}
    default_ordering = "mic"


class RelationshipPagination(KeysetPagination):
    """Entity relationships by child LEI, then id."""

    orderings = {"child_lei": ("child", "id")}
    default_ordering = "child_lei"


class IngestionRunPagination(KeysetPagination):
    """Ingestion runs, newest first (by id)."""

    orderings = {"-id": ("-id",), "id": ("id",)}
    default_ordering = "-id"
