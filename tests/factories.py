"""factory_boy factories for every model the API serves, with valid ISINs and LEIs."""

import datetime

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from entities.models import EntityRelationship, LegalEntity, ReportingException
from ingestion.models import IngestionRun
from instruments.models import FigiMapping, Instrument, Listing, Transparency
from marketdata.identifiers import _alnum_to_digits, isin_check_digit
from venues.models import Venue


def make_isin(number: int, country: str = "XS") -> str:
    """A valid ISIN: country, nine digits, Luhn check digit."""
    body = f"{country}{number:09d}"
    return f"{body}{isin_check_digit(body)}"


def make_lei(number: int, prefix: str = "5299") -> str:
    """A valid LEI: prefix, zero-padded number to 18 characters, ISO 7064 mod 97-10 check digits."""
    body = f"{prefix}{number:0{18 - len(prefix)}d}"
    return f"{body}{98 - int(_alnum_to_digits(body + '00')) % 97:02d}"


def make_mic(number: int) -> str:
    """A well-formed MIC: X and three base-36 characters."""
    digits = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    return "X" + "".join(digits[(number // 36**power) % 36] for power in (2, 1, 0))


class UserFactory(factory.django.DjangoModelFactory):
    """A plain user."""

    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")


class VenueFactory(factory.django.DjangoModelFactory):
    """An operating MIC (set `operating_id` and kind=SGMT for a segment)."""

    class Meta:
        model = Venue

    mic = factory.Sequence(make_mic)
    operating_id = factory.SelfAttribute("mic")
    kind = "OPRT"
    market_name = factory.Sequence(lambda n: f"Market {n}")
    country = "DE"
    status = "ACTIVE"
    market_category = "RMKT"


class LegalEntityFactory(factory.django.DjangoModelFactory):
    """An issued LEI record."""

    class Meta:
        model = LegalEntity

    lei = factory.Sequence(make_lei)
    legal_name = factory.Sequence(lambda n: f"Entity {n} AG")
    jurisdiction = "DE"
    legal_address_country = "DE"
    legal_address = factory.LazyAttribute(lambda o: {"city": "Frankfurt", "country": o.legal_address_country})
    category = "GENERAL"
    entity_status = "ACTIVE"
    registration_status = "ISSUED"


class InstrumentFactory(factory.django.DjangoModelFactory):
    """An equity instrument (override the fields for debt or derivatives)."""

    class Meta:
        model = Instrument

    isin = factory.Sequence(make_isin)
    full_name = factory.Sequence(lambda n: f"Instrument {n} ordinary shares")
    short_name = factory.Sequence(lambda n: f"INSTR{n}/SH")
    cfi_code = "ESVUFR"
    category = factory.LazyAttribute(lambda o: o.cfi_code[:1])
    instrument_type = "equity"
    currency = "EUR"
    issuer_id = None


class ListingFactory(factory.django.DjangoModelFactory):
    """A current listing version of an instrument at a venue."""

    class Meta:
        model = Listing

    instrument_id = factory.LazyFunction(lambda: InstrumentFactory().isin)
    venue_id = "XETR"
    full_name = "Listed name"
    valid_from = datetime.date(2024, 1, 1)
    valid_to = None
    is_current = True
    first_trade_date = factory.LazyFunction(lambda: datetime.datetime(2020, 1, 2, tzinfo=datetime.UTC))


class EntityRelationshipFactory(factory.django.DjangoModelFactory):
    """A direct parent relationship."""

    class Meta:
        model = EntityRelationship

    child_id = factory.Sequence(lambda n: make_lei(n, "9695"))
    parent_id = factory.Sequence(lambda n: make_lei(n, "9845"))
    relationship_type = "IS_DIRECTLY_CONSOLIDATED_BY"
    relationship_status = "ACTIVE"


class ReportingExceptionFactory(factory.django.DjangoModelFactory):
    """A reporting exception for the ultimate parent."""

    class Meta:
        model = ReportingException

    entity_id = factory.Sequence(make_lei)
    category = "ULTIMATE_ACCOUNTING_CONSOLIDATION_PARENT"
    reason = "NATURAL_PERSONS"


class FigiMappingFactory(factory.django.DjangoModelFactory):
    """A FIGI mapping at a venue."""

    class Meta:
        model = FigiMapping

    isin = factory.Sequence(make_isin)
    mic = "XETR"
    figi = factory.Sequence(lambda n: f"BBG{n:09d}")
    ticker = "TICK"
    mapped_at = factory.LazyFunction(timezone.now)


class TransparencyFactory(factory.django.DjangoModelFactory):
    """An equity transparency record."""

    class Meta:
        model = Transparency

    identifier = factory.Sequence(make_isin)
    file_type = "FULECR"
    liquid = True
    average_daily_turnover = "1234567.5"
    valid_from = datetime.date(2025, 4, 1)


class IngestionRunFactory(factory.django.DjangoModelFactory):
    """A finished FIRDS run."""

    class Meta:
        model = IngestionRun

    source = "firds"
    file_name = factory.Sequence(lambda n: f"FULINS_E_20250830_{n:02d}of10.zip")
    status = "succeeded"
    records_read = 100
    records_inserted = 90
    finished_at = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(seconds=42))
