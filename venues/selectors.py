"""Reads of venues: one MIC, its segments, and the registry edition stored."""

from datetime import date

from django.db.models import Max, QuerySet

from .choices import VenueKind
from .models import Venue


def venue_get(mic: str) -> Venue | None:
    """The venue with this MIC, or None."""
    return Venue.objects.filter(mic=mic.upper()).first()


def venue_segments(mic: str) -> QuerySet[Venue]:
    """The segment MICs whose operating MIC is this one."""
    return Venue.objects.filter(operating_id=mic.upper(), kind=VenueKind.SEGMENT).order_by("mic")


def venue_operating(mic: str, max_depth: int = 5) -> Venue | None:
    """The operating venue of a MIC (itself for an operating MIC), following segments of segments; None if absent."""
    venue = venue_get(mic)
    for _ in range(max_depth):
        if venue is None or venue.kind == VenueKind.OPERATING or not venue.operating_id:
            return venue
        venue = venue_get(venue.operating_id)
    return venue


def venue_edition() -> date | None:
    """The latest LAST UPDATE DATE among the stored venues (the registry edition loaded)."""
    return Venue.objects.aggregate(edition=Max("last_update_date"))["edition"]
