"""Model factories for admin tests (real identifiers with valid check digits)."""

import datetime

import factory
from factory.django import DjangoModelFactory

from entities.models import EntityRelationship, LegalEntity, ReportingException
from ingestion.models import IngestionRun
from instruments.models import FigiMapping, Instrument, Listing, Transparency
from marketdata.identifiers import isin_check_digit
from venues.models import Venue


def make_isin(number: int, country: str = "XS") -> str:
    """A valid ISIN numbered `number`."""
    body = f"{country}{number:09d}"
    return body + str(isin_check_digit(body))


def make_lei(number: int) -> str:
    """A valid LEI numbered `number` (ISO 7064 mod 97-10 check digits)."""
    body = f"TEST00{number:012d}"
    value = int("".join(str(int(char, 36)) for char in body + "00"))
    return f"{body}{98 - value % 97:02d}"


def make_mic(number: int) -> str:
    """A 4-character MIC numbered `number` (T + three base-36 digits)."""
    digits = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    number %= 36**3
    return "T" + digits[number // 1296] + digits[number // 36 % 36] + digits[number % 36]


class VenueFactory(DjangoModelFactory):
    class Meta:
        model = Venue

    mic = factory.Sequence(lambda n: make_mic(n))
    kind = "OPRT"
    market_name = factory.LazyAttribute(lambda o: f"Test market {o.mic}")
    country = "DE"
    status = "ACTIVE"


class LegalEntityFactory(DjangoModelFactory):
    class Meta:
        model = LegalEntity

    lei = factory.Sequence(make_lei)
    legal_name = factory.Sequence(lambda n: f"Issuer {n} AG")
    legal_address_country = "DE"
    entity_status = "ACTIVE"
    registration_status = "ISSUED"


class InstrumentFactory(DjangoModelFactory):
    class Meta:
        model = Instrument

    isin = factory.Sequence(make_isin)
    full_name = factory.Sequence(lambda n: f"Test bond {n}")
    cfi_code = "DBFTFB"
    category = "D"
    instrument_type = "debt"
    currency = "EUR"


class ListingFactory(DjangoModelFactory):
    class Meta:
        model = Listing

    instrument = factory.SubFactory(InstrumentFactory)
    venue = factory.SubFactory(VenueFactory)
    full_name = factory.LazyAttribute(lambda o: o.instrument.full_name)
    valid_from = datetime.date(2026, 1, 5)


class EntityRelationshipFactory(DjangoModelFactory):
    class Meta:
        model = EntityRelationship

    child = factory.SubFactory(LegalEntityFactory)
    parent = factory.SubFactory(LegalEntityFactory)
    relationship_type = "IS_DIRECTLY_CONSOLIDATED_BY"


class ReportingExceptionFactory(DjangoModelFactory):
    class Meta:
        model = ReportingException

    entity = factory.SubFactory(LegalEntityFactory)
    category = "ULTIMATE_ACCOUNTING_CONSOLIDATION_PARENT"
    reason = "NATURAL_PERSONS"


class FigiMappingFactory(DjangoModelFactory):
    class Meta:
        model = FigiMapping

    isin = factory.Sequence(make_isin)
    figi = factory.Sequence(lambda n: f"BBG{n:09d}")
    mapped_at = factory.LazyFunction(lambda: datetime.datetime(2026, 8, 1, tzinfo=datetime.UTC))


class TransparencyFactory(DjangoModelFactory):
    class Meta:
        model = Transparency

    identifier = factory.Sequence(make_isin)
    file_type = "FULECR"
    valid_from = datetime.date(2026, 4, 1)


class IngestionRunFactory(DjangoModelFactory):
    class Meta:
        model = IngestionRun

    source = "firds"
    file_name = factory.Sequence(lambda n: f"FULINS_E_20260815_01of{n:02d}.zip")
