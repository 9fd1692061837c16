"""A little data for scripts/schemathesis.sh (run through `manage.py shell`): every endpoint has rows to show."""

import datetime

from tests.factories import (
    EntityRelationshipFactory,
    FigiMappingFactory,
    IngestionRunFactory,
    InstrumentFactory,
    LegalEntityFactory,
    ListingFactory,
    ReportingExceptionFactory,
    TransparencyFactory,
    VenueFactory,
)

venue = VenueFactory(mic="XETR", operating_id="XETR")
VenueFactory(mic="XETA", operating_id="XETR", kind="SGMT")
parent, child = LegalEntityFactory(), LegalEntityFactory()
EntityRelationshipFactory(child_id=child.lei, parent_id=parent.lei)
ReportingExceptionFactory(entity_id=parent.lei)
for _ in range(5):
    equity = InstrumentFactory(issuer_id=child.lei)
    ListingFactory(instrument_id=equity.isin, venue_id=venue.mic)
    ListingFactory(instrument_id=equity.isin, venue_id="XETA", valid_from=datetime.date(2023, 1, 1), valid_to=None)
    FigiMappingFactory(isin=equity.isin, mic=venue.mic)
    TransparencyFactory(identifier=equity.isin)
    IngestionRunFactory()
print("seeded: 2 venues, 2 entities, 5 instruments with listings, FIGIs, transparency; 5 ingestion runs")
