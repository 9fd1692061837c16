"""The admin dashboard's aggregates: computed in the background after loads, read by the admin index."""

import datetime as dt
import logging
import time

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

logger = logging.getLogger(__name__)

LOAD_DAYS = 30
TOP_VENUES = 15
FAILED_RUNS_SHOWN = 5


def _per_category() -> list[dict]:
    """Instruments per CFI category letter, with the category's name."""
    from instruments.choices import CfiCategory
    from instruments.models import Instrument

    names = dict(CfiCategory.choices)
    rows = Instrument.objects.order_by().values("category").annotate(count=Count("*"))
    found = sorted(((row["category"], row["count"]) for row in rows), key=lambda item: (-item[1], item[0]))
    return [{"code": code or "-", "name": names.get(code, "no CFI"), "count": count} for code, count in found]


def _per_venue() -> list[dict]:
    """Current listings per MIC, the largest venues first (the rest summed as one row)."""
    from instruments.models import Listing
    from venues.models import Venue

    rows = Listing.objects.filter(is_current=True).order_by().values("venue_id").annotate(count=Count("*"))
    found = sorted(((row["venue_id"], row["count"]) for row in rows), key=lambda item: (-item[1], item[0]))
    top, rest = found[:TOP_VENUES], found[TOP_VENUES:]
    names = dict(Venue.objects.filter(mic__in=[mic for mic, _ in top]).values_list("mic", "market_name"))
    venues = [{"mic": mic, "name": names.get(mic, "(MIC not loaded)"), "count": count} for mic, count in top]
    if rest:
        venues.append({"mic": "", "name": f"{len(rest)} other venues", "count": sum(count for _, count in rest)})
    return venues


def _per_source() -> list[dict]:
    """Records stored per source, with the source's last successful load."""
    from entities.models import EntityRelationship, LegalEntity, ReportingException
    from ingestion.choices import RunStatus, Source
    from ingestion.models import IngestionRun
    from instruments.models import FigiMapping, Instrument, Listing, Transparency
    from venues.models import Venue

    tables = {
        Source.FIRDS: [("instruments", Instrument.objects), ("listing versions", Listing.objects)],
        Source.FITRS: [("transparency records", Transparency.objects)],
        Source.GLEIF: [
            ("legal entities", LegalEntity.objects),
            ("relationships", EntityRelationship.objects),
            ("reporting exceptions", ReportingException.objects),
        ],
        Source.OPENFIGI: [("FIGIs", FigiMapping.objects)],
        Source.MIC: [("venues", Venue.objects)],
    }
    runs = dict(
        IngestionRun.objects.filter(status=RunStatus.SUCCEEDED)
        .order_by()
        .values("source")
        .annotate(n=Count("pk"))
        .values_list("source", "n")
    )
    finished = {
        source: IngestionRun.objects.filter(source=source, status=RunStatus.SUCCEEDED)
        .order_by("-started_at")
        .values_list("finished_at", flat=True)
        .first()
        for source in tables
    }
    return [
        {
            "source": source.value,
            "label": source.label,
            "tables": [{"name": name, "count": manager.count()} for name, manager in entries],
            "runs": runs.get(source.value, 0),
            "last_load": finished[source].isoformat() if finished[source] else None,
        }
        for source, entries in tables.items()
    ]


def _coverage() -> dict:
    """How many instruments have their issuer's LEI record, a FIGI and a transparency record."""
    from entities.models import LegalEntity
    from instruments.models import FigiMapping, Instrument, Transparency

    instruments = Instrument.objects.order_by()
    total = instruments.count()
    found = {
        "issuer": instruments.filter(Exists(LegalEntity.objects.filter(lei=OuterRef("issuer_id")))).count(),
        "figi": instruments.filter(Exists(FigiMapping.objects.filter(isin=OuterRef("isin")))).count(),
        "transparency": instruments.filter(Exists(Transparency.objects.filter(identifier=OuterRef("isin")))).count(),
    }
    return {
        "instruments": total,
        **{key: {"count": n, "share": n / total if total else 0.0} for key, n in found.items()},
    }


def _loads_per_day(today: dt.date) -> list[dict]:
    """Records read and rejected, runs and failed runs per day over the last LOAD_DAYS days (every day listed)."""
    from ingestion.choices import RunStatus
    from ingestion.models import IngestionRun

    first = today - dt.timedelta(days=LOAD_DAYS - 1)
    since = timezone.make_aware(dt.datetime.combine(first, dt.time.min), dt.UTC)
    rows = (
        IngestionRun.objects.filter(started_at__gte=since)
        .annotate(day=TruncDate("started_at", tzinfo=dt.UTC))
        .order_by()
        .values("day")
        .annotate(
            read=Sum("records_read"),
            rejected=Sum("records_rejected"),
            runs=Count("pk"),
            failed=Count("pk", filter=Q(status=RunStatus.FAILED)),
        )
    )
    by_day = {row["day"]: row for row in rows}
    days = []
    for offset in range(LOAD_DAYS):
        day = first + dt.timedelta(days=offset)
        row = by_day.get(day, {})
        days.append(
            {
                "day": day.isoformat(),
                "read": int(row.get("read") or 0),
                "rejected": int(row.get("rejected") or 0),
                "runs": row.get("runs", 0),
                "failed": row.get("failed", 0),
            }
        )
    return days


def dashboard_compute(today: dt.date | None = None) -> dict:
    """Every aggregate the dashboard shows, as JSON-friendly data."""
    today = today or timezone.now().date()
    return {
        "categories": _per_category(),
        "venues": _per_venue(),
        "sources": _per_source(),
        "coverage": _coverage(),
        "loads": _loads_per_day(today),
    }


def dashboard_refresh():
    """Compute the aggregates and store them as the dashboard's snapshot."""
    from .models import DashboardSnapshot

    started = time.monotonic()
    data = dashboard_compute()
    snapshot, _ = DashboardSnapshot.objects.update_or_create(
        name="default",
        defaults={
            "data": data,
            "computed_at": timezone.now(),
            "duration_ms": int(1000 * (time.monotonic() - started)),
        },
    )
    return snapshot


def dashboard_snapshot():
    """The stored snapshot, or None before the first refresh (one indexed read)."""
    from .models import DashboardSnapshot

    return DashboardSnapshot.objects.filter(name="default").first()


def dashboard_refresh_soon() -> None:
    """Have the aggregates recomputed in the background once the current transaction commits (called when a load
    ends; a refresh that finds a newer snapshot than its request does nothing, so a burst of loads costs one)."""
    requested_at = timezone.now().isoformat()

    def enqueue():
        from .tasks import dashboard_refresh_task

        try:
            delay = settings.DASHBOARD_REFRESH_DELAY_SECONDS
            # retry=False: a broker that is down costs the load nothing; expires: a worker started much later drops
            # the refreshes queued meanwhile instead of running each of them.
            dashboard_refresh_task.apply_async(
                kwargs={"requested_at": requested_at}, countdown=delay, expires=delay + 3600, retry=False
            )
        except Exception:  # a broker that is down must not fail the load that just ended
            logger.warning("the dashboard refresh could not be queued", exc_info=True)

    transaction.on_commit(enqueue)


def dashboard_refresh_if_older(requested_at: str | None) -> bool:
    """Refresh unless a snapshot was computed after `requested_at`; True when it refreshed."""
    snapshot = dashboard_snapshot()
    if requested_at and snapshot and snapshot.computed_at >= dt.datetime.fromisoformat(requested_at):
        return False
    dashboard_refresh()
    return True


def failed_runs_latest(limit: int = FAILED_RUNS_SHOWN):
    """The latest failed runs (an indexed read of a few rows)."""
    from ingestion.choices import RunStatus
    from ingestion.models import IngestionRun

    return list(
        IngestionRun.objects.filter(status=RunStatus.FAILED)
        .order_by("-started_at")
        .only("pk", "source", "file_name", "started_at", "error")[:limit]
    )
