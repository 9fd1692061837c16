"""Instrument API shapes: a brief row for lists, the full record with listings, FIGIs and transparency.

The full record and listing versions are rendered from the selectors' plain dicts (instruments.selectors
instrument_detail, instrument_history) by functions planned once per process from these serializers
(marketdata.api.representation): the same output without DRF's per-field calls, which cost more than the queries
behind a detail request.
"""

from functools import cache, lru_cache

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from entities.api.serializers import LegalEntityBriefSerializer
from marketdata.api.base import IsoDateField, PlainTextField, StrictSerializer
from marketdata.api.cfi import CfiSerializer
from marketdata.api.representation import row_representer
from marketdata.cfi import CfiError, cfi_decode

from ..models import FigiMapping, Instrument, Listing, Transparency
from ..selectors import (
    DEBT_COLUMNS,
    DERIVATIVE_COLUMNS,
    EXPORT_FIELDS_PATTERN,
    FIGI_DETAIL_COLUMNS,
    LISTING_DETAIL_COLUMNS,
    TRANSPARENCY_DETAIL_COLUMNS,
    ExportFieldsError,
    instrument_export_columns,
)

BRIEF_FIELDS = ["isin", "full_name", "short_name", "cfi_code", "category", "instrument_type", "currency", "issuer_lei"]
DEBT_FIELDS = list(DEBT_COLUMNS)
DERIVATIVE_FIELDS = list(DERIVATIVE_COLUMNS)
DERIVATIVE_CATEGORIES = set("FHIJKOS")


class InstrumentBriefSerializer(serializers.ModelSerializer):
    """An instrument in a list: identity, classification and issuer LEI."""

    issuer_lei = serializers.CharField(source="issuer_id", allow_null=True, read_only=True)

    class Meta:
        model = Instrument
        fields = BRIEF_FIELDS


class DebtSerializer(serializers.ModelSerializer):
    """The debt terms of an instrument or of one venue's record (null where the record gives none)."""

    class Meta:
        model = Instrument
        fields = DEBT_FIELDS


class DerivativeSerializer(serializers.ModelSerializer):
    """The derivative terms of an instrument or of one venue's record (the whole record is in `attributes`/`record`)."""

    asset_class_attributes = serializers.SerializerMethodField()

    class Meta:
        model = Instrument
        fields = [*DERIVATIVE_FIELDS, "asset_class_attributes"]

    @extend_schema_field({"type": "object", "additionalProperties": True, "nullable": True})
    def get_asset_class_attributes(self, instrument) -> dict | None:
        """FIRDS AsstClssSpcfcAttrbts as received, when present."""
        tree = _record(instrument) or {}
        derivative = tree.get("DerivInstrmAttrbts") or {}
        return derivative.get("AsstClssSpcfcAttrbts") if isinstance(derivative, dict) else None


def _record(row: dict) -> dict | None:
    """The FIRDS record a row of terms comes from: a listing's `record`, an instrument's `attributes`."""
    return row["record"] if "record" in row else row["attributes"]


def debt_block(row: dict) -> dict | None:
    """The debt terms of an instrument or listing row when its record has debt attributes (or is debt), else None."""
    record = _record(row) or {}
    if (
        "DebtInstrmAttrbts" in record
        or (row["cfi_code"] or "")[:1] == "D"
        or row["maturity_date"]
        or row["total_issued_nominal"] is not None
    ):
        return shared_representer(DebtSerializer)(row)
    return None


def derivative_block(row: dict) -> dict | None:
    """The derivative terms of a row whose record carries derivative attributes, whatever its category, else None."""
    record = _record(row) or {}
    if (
        "DerivInstrmAttrbts" in record
        or (row["cfi_code"] or "")[:1] in DERIVATIVE_CATEGORIES
        or row["expiry_date"]
        or row["option_type"]
    ):
        return shared_representer(DerivativeSerializer)(row)
    return None


# Listing columns shown inside its debt and derivative blocks (and its record) rather than at the top level.
_LISTING_BLOCKED = {"venue_id", "record", *DEBT_COLUMNS, *DERIVATIVE_COLUMNS} - {"commodity_derivative"}


class ListingSerializer(serializers.ModelSerializer):
    """One version of an instrument's record at a trading venue: its own names, CFI, issuer, terms and whole record."""

    mic = serializers.CharField(source="venue_id", read_only=True)
    venue_name = serializers.SerializerMethodField()
    debt = serializers.SerializerMethodField()
    derivative = serializers.SerializerMethodField()
    record = serializers.JSONField(read_only=True, allow_null=True, help_text="The whole record as FIRDS sent it.")

    class Meta:
        model = Listing
        # The selector's general and validity columns, with the MIC and the venue's name first, then the terms.
        fields = [
            "mic",
            "venue_name",
            *(name for name in LISTING_DETAIL_COLUMNS if name not in _LISTING_BLOCKED),
            "debt",
            "derivative",
            "record",
        ]

    def get_venue_name(self, listing) -> str | None:
        """The venue's market name when the MIC is loaded, else null."""
        return listing["venue_name"]

    @extend_schema_field(DebtSerializer(allow_null=True))
    def get_debt(self, listing):
        """This venue's debt terms when its record has them, else null."""
        return debt_block(listing)

    @extend_schema_field(DerivativeSerializer(allow_null=True))
    def get_derivative(self, listing):
        """This venue's derivative terms when its record carries derivative attributes, else null."""
        return derivative_block(listing)


class FigiMappingSerializer(serializers.ModelSerializer):
    """A FIGI OpenFIGI returned for the ISIN (at a venue when `mic` is set)."""

    class Meta:
        model = FigiMapping
        fields = list(FIGI_DETAIL_COLUMNS)  # the selector's columns, in its order


class CriterionSerializer(serializers.Serializer):
    """One segmentation criterion of a non-equity sub-class (SgmttnCrit)."""

    name = serializers.CharField(help_text="CritNm, e.g. SACL (sub-asset class) or UINS (underlying).")
    value = serializers.CharField(help_text="CritVal.")


class TransparencySerializer(serializers.ModelSerializer):
    """A FITRS calculation version: the promoted columns, the sub-class criteria and the whole record."""

    criteria = CriterionSerializer(many=True, help_text="DerivSubClss/SgmttnCrit, in file order.")
    record = serializers.JSONField(read_only=True, help_text="The whole record as FITRS sent it.")

    class Meta:
        model = Transparency
        fields = list(TRANSPARENCY_DETAIL_COLUMNS)  # the selector's columns, in its order


class TransparencyBriefSerializer(TransparencySerializer):
    """A FITRS calculation version in a list: the promoted columns without the whole record."""

    class Meta:
        model = Transparency
        fields = [name for name in TRANSPARENCY_DETAIL_COLUMNS if name != "record"]


class InstrumentTransparencySerializer(serializers.Serializer):
    """An ISIN's FITRS calculations: the current ones (or those valid on `as_of`) and every version."""

    isin = serializers.CharField()
    as_of = serializers.DateField(allow_null=True, help_text="The date asked for; null for now.")
    current = TransparencySerializer(
        many=True, help_text="The latest period of each kind of calculation (methodology, period length)."
    )
    history = TransparencySerializer(many=True, help_text="Every version: latest period first, oldest version first.")


class InstrumentSerializer(InstrumentBriefSerializer):
    """The full instrument: decoded CFI, debt or derivative terms, issuer, listings, FIGIs and transparency."""

    cfi = serializers.SerializerMethodField()
    debt = serializers.SerializerMethodField()
    derivative = serializers.SerializerMethodField()
    issuer = serializers.SerializerMethodField()
    issuer_source = serializers.ChoiceField(
        choices=["firds", "gleif"],
        allow_null=True,
        read_only=True,
        help_text="Where issuer_lei comes from: the FIRDS record, or GLEIF's ISIN-LEI mapping when FIRDS names none.",
    )
    listings = ListingSerializer(many=True, source="listing_versions")
    figi = FigiMappingSerializer(many=True, source="figi_mappings")
    transparency = TransparencySerializer(
        many=True, source="transparency_records", help_text="The current FITRS calculations (see its transparency/)."
    )
    attributes = serializers.JSONField(
        read_only=True, allow_null=True, help_text="The whole record of the listing it is derived from (`source_mic`)."
    )

    class Meta:
        model = Instrument
        fields = [
            *BRIEF_FIELDS,
            "relevant_authority",
            "relevant_venue",
            "source_mic",
            "cfi",
            "debt",
            "derivative",
            "issuer",
            "issuer_source",
            "listings",
            "figi",
            "transparency",
            "attributes",
            "updated_at",
        ]

    @extend_schema_field(CfiSerializer(allow_null=True))
    def get_cfi(self, instrument):
        """The CFI code decoded, or null when it is missing or not a valid ISO 10962 code."""
        return cfi_data(instrument["cfi_code"])

    @extend_schema_field(DebtSerializer(allow_null=True))
    def get_debt(self, instrument):
        """Debt terms when the record it is derived from has debt attributes (or is debt), else null."""
        return debt_block(instrument)

    @extend_schema_field(DerivativeSerializer(allow_null=True))
    def get_derivative(self, instrument):
        """Derivative terms when its record carries derivative attributes, whatever its category, else null."""
        return derivative_block(instrument)

    @extend_schema_field(LegalEntityBriefSerializer(allow_null=True))
    def get_issuer(self, instrument):
        """The issuer's brief record, or null when its LEI is not loaded."""
        issuer = instrument["issuer"]
        return shared_representer(LegalEntityBriefSerializer)(issuer) if issuer is not None else None


@lru_cache(maxsize=4096)
def cfi_data(code: str | None) -> dict | None:
    """A CFI code decoded as the `cfi` field shows it, or None; kept per code (responses only read it)."""
    try:
        return cfi_decode(code).as_dict()
    except CfiError:
        return None


@cache
def shared_representer(serializer_class, many: bool = False):
    """The row representer of a read-only serializer, planned once per process (it keeps no state)."""
    return row_representer(serializer_class(many=many))


def instrument_detail_data(instrument: dict) -> dict:
    """The full record's JSON shape (InstrumentSerializer) of a dict from instruments.selectors.instrument_detail."""
    return shared_representer(InstrumentSerializer)(instrument)


def listing_versions_data(listings: list[dict]) -> list[dict]:
    """Listing versions' JSON shape (ListingSerializer) of dicts from instruments.selectors.instrument_history."""
    return shared_representer(ListingSerializer, many=True)(listings)


class InstrumentLookupQuerySerializer(StrictSerializer):
    """Up to 1,000 ISINs to look up at once."""

    isins = serializers.ListField(
        child=PlainTextField(allow_blank=True, trim_whitespace=False), max_length=1000, allow_empty=True
    )


class InvalidIsinSerializer(serializers.Serializer):
    """An ISIN that failed validation, and why."""

    isin = serializers.CharField()
    reason = serializers.CharField()


class InstrumentLookupSerializer(serializers.Serializer):
    """What a lookup found, what it did not, and what was not an ISIN."""

    found = InstrumentBriefSerializer(many=True)
    not_found = serializers.ListField(child=serializers.CharField())
    invalid = InvalidIsinSerializer(many=True)


class AsOfQuerySerializer(serializers.Serializer):
    """`?as_of=YYYY-MM-DD`: the instrument and its listings as they were on that date instead of today."""

    as_of = IsoDateField(
        required=False, help_text="The instrument's names, CFI, terms and listings valid on this date (default: now)."
    )


def instrument_transparency_data(transparency: dict) -> dict:
    """The JSON shape (InstrumentTransparencySerializer) of instruments.transparency_selectors.transparency_for_isin."""
    return shared_representer(InstrumentTransparencySerializer)(transparency)


class ExportFieldsField(serializers.RegexField):
    """Comma-separated export columns: published with the pattern of the names; an unknown name is a 400 naming it."""

    def to_internal_value(self, data):
        """The text, or a validation error naming the columns the export does not have (before the pattern's)."""
        text = super().to_internal_value(data)
        try:
            instrument_export_columns([name for name in text.split(",") if name], per_listing=False)
        except ExportFieldsError as error:
            raise serializers.ValidationError(str(error)) from None
        return text


class InstrumentExportQuerySerializer(serializers.Serializer):
    """`instruments/export/?fields=&rows=`: which columns, and one row per instrument or per current listing."""

    fields = ExportFieldsField(
        EXPORT_FIELDS_PATTERN,
        required=False,
        default="",
        allow_blank=True,
        help_text="Comma-separated columns: any instrument detail field (isin, full_name, maturity_date, ...) and any "
        "listing field as listing.<name> (listing.mic, listing.expiry_date, ...; a row per current listing then). "
        "Default: the brief columns (plus listing.mic and listing.valid_from with rows=listings).",
    )
    rows = serializers.ChoiceField(
        choices=[("", "instruments (the default)"), ("instruments", "instruments"), ("listings", "listings")],
        default="instruments",
        allow_blank=True,
        help_text="listings: one row per current listing; empty or instruments: one row per instrument",
    )

    def validate_fields(self, value: str) -> list[str]:
        """The column names, in order."""
        return [name for name in value.split(",") if name]
