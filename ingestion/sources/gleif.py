"""Client for the GLEIF API (JSON:API): LEI records, parents, children, relationships, reporting exceptions."""

from collections.abc import Iterable, Iterator
from datetime import datetime

from django.conf import settings

from ingestion.parsers.gleif_records import LeiRecord, RelationshipRecord, ReportingExceptionRecord

from .api_http import BudgetedJsonApi, SourceResponseError
from .ratelimit import rate_budget
from .retry import RetryPolicy

DIRECT = "direct"
ULTIMATE = "ultimate"
_LEVELS = (DIRECT, ULTIMATE)
MAX_PAGE_SIZE = 200


def _date(value: str | None) -> datetime | None:
    """An aware datetime from GLEIF's ISO 8601 text, or None."""
    return datetime.fromisoformat(value.replace("Z", "+00:00")) if value else None


def lei_record_from_json(resource: dict) -> LeiRecord:
    """A LeiRecord from one `lei-records` resource of the API."""
    attributes = resource.get("attributes") or {}
    entity = attributes.get("entity") or {}
    registration = attributes.get("registration") or {}
    legal_name = entity.get("legalName") or {}
    legal_form = entity.get("legalForm") or {}
    successor = entity.get("successorEntity") or {}
    lei = attributes.get("lei") or resource.get("id") or ""
    if not lei or not legal_name.get("name"):
        raise SourceResponseError(f"GLEIF lei-record {resource.get('id')!r} has no LEI or legal name")
    return LeiRecord(
        lei=lei,
        legal_name=legal_name.get("name") or "",
        legal_name_language=legal_name.get("language") or "",
        other_names=list(entity.get("otherNames") or []) + list(entity.get("transliteratedOtherNames") or []),
        legal_address=entity.get("legalAddress") or {},
        headquarters_address=entity.get("headquartersAddress") or {},
        jurisdiction=entity.get("jurisdiction") or "",
        category=entity.get("category") or "",
        sub_category=entity.get("subCategory") or "",
        legal_form_code=legal_form.get("id") or "",
        legal_form_text=legal_form.get("other") or "",
        entity_status=entity.get("status") or "",
        registration_status=registration.get("status") or "",
        initial_registration_date=_date(registration.get("initialRegistrationDate")),
        last_update_date=_date(registration.get("lastUpdateDate")),
        next_renewal_date=_date(registration.get("nextRenewalDate")),
        managing_lou=registration.get("managingLou") or "",
        corroboration_level=registration.get("corroborationLevel") or "",
        bics=list(attributes.get("bic") or []),
        successor_lei=successor.get("lei") or "",
        record=attributes,
    )


def relationship_record_from_json(resource: dict) -> RelationshipRecord:
    """A RelationshipRecord from one `relationship-records` resource of the API."""
    attributes = resource.get("attributes") or {}
    relationship = attributes.get("relationship") or {}
    registration = attributes.get("registration") or {}
    periods = list(relationship.get("periods") or [])
    period = next((p for p in periods if p.get("type") == "RELATIONSHIP_PERIOD"), {})
    child = (relationship.get("startNode") or {}).get("id")
    parent = (relationship.get("endNode") or {}).get("id")
    if not child or not parent or not relationship.get("type"):
        raise SourceResponseError(f"GLEIF relationship-record {resource.get('id')!r} lacks its start, end or type")
    return RelationshipRecord(
        child_lei=child,
        parent_lei=parent,
        relationship_type=relationship["type"],
        relationship_status=relationship.get("status") or "",
        periods=periods,
        start_date=_date(period.get("startDate")),
        end_date=_date(period.get("endDate")),
        registration_status=registration.get("status") or "",
        initial_registration_date=_date(registration.get("initialRegistrationDate")),
        last_update_date=_date(registration.get("lastUpdateDate")),
        validation_sources=registration.get("corroborationLevel") or "",
        record=attributes,
    )


def reporting_exception_from_json(resource: dict) -> ReportingExceptionRecord:
    """A ReportingExceptionRecord from one `reporting-exceptions` resource of the API."""
    attributes = resource.get("attributes") or {}
    if not attributes.get("lei") or not attributes.get("category") or not attributes.get("reason"):
        raise SourceResponseError(f"GLEIF reporting-exception {resource.get('id')!r} lacks its LEI, category or reason")
    return ReportingExceptionRecord(
        lei=attributes["lei"],
        category=attributes["category"],
        reason=attributes["reason"],
        reference=attributes.get("reference") or "",
    )


def parent_links(record: LeiRecord) -> dict[str, str]:
    """What the record says exists for each level: 'relationship', 'exception' or '' (GLEIF's links)."""
    relationships = (record.record.get("relationships") or {}) if record.record else {}
    answer = {}
    for level in _LEVELS:
        links = (relationships.get(f"{level}-parent") or {}).get("links") or {}
        if "relationship-record" in links or "lei-record" in links:
            answer[level] = "relationship"
        elif "reporting-exception" in links:
            answer[level] = "exception"
        else:
            answer[level] = ""
    return answer


def child_links(record: LeiRecord) -> list[str]:
    """The levels ('direct', 'ultimate') for which the record links to child relationship records."""
    relationships = (record.record.get("relationships") or {}) if record.record else {}
    return [
        level
        for level in _LEVELS
        if "relationship-records" in ((relationships.get(f"{level}-children") or {}).get("links") or {})
    ]


class GleifClient:
    """GLEIF API calls within the shared budget (GLEIF_RATE_LIMIT per GLEIF_RATE_WINDOW_SECONDS)."""

    def __init__(self, base_url: str | None = None):
        self.base_url = (base_url or settings.GLEIF_API_URL).rstrip("/")
        self.page_size = min(int(settings.GLEIF_PAGE_SIZE), MAX_PAGE_SIZE)
        budget = rate_budget(
            f"gleif:{self.base_url}", int(settings.GLEIF_RATE_LIMIT), float(settings.GLEIF_RATE_WINDOW_SECONDS)
        )
        self.api = BudgetedJsonApi(
            label="GLEIF",
            base_url=self.base_url,
            budget=budget,
            timeout=float(settings.HTTP_TIMEOUT_SECONDS),
            retry=RetryPolicy.for_api(),
            headers={"Accept": "application/vnd.api+json"},
        )

    def close(self) -> None:
        """Close the connection pool."""
        self.api.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()

    @property
    def requests_sent(self) -> int:
        """How many HTTP requests this client sent (retries included)."""
        return self.api.requests_sent

    # One resource

    def _one(self, path: str) -> dict | None:
        answer = self.api.request("GET", path)
        if answer.status == 404:
            return None
        data = (answer.data or {}).get("data") if isinstance(answer.data, dict) else None
        if not isinstance(data, dict):
            raise SourceResponseError(f"GLEIF: {answer.url} answered without a `data` object")
        return data

    def _pages(self, path: str, params: dict | None = None) -> Iterator[dict]:
        """Every resource of a paginated collection, following `links.next` to the last page."""
        params = {**(params or {}), "page[size]": self.page_size, "page[number]": 1}
        url: str | None = path
        while url:
            answer = self.api.request("GET", url, params=params)
            if answer.status == 404:
                return
            body = answer.data if isinstance(answer.data, dict) else {}
            data = body.get("data")
            if not isinstance(data, list):
                raise SourceResponseError(f"GLEIF: {answer.url} answered without a `data` list")
            yield from data
            url = (body.get("links") or {}).get("next")
            params = None  # the next link carries the page parameters

    @staticmethod
    def _with_links(resource: dict) -> LeiRecord:
        record = lei_record_from_json(resource)
        if resource.get("relationships"):
            record.record = {**record.record, "relationships": resource["relationships"]}
        return record

    def lei_record(self, lei: str) -> LeiRecord | None:
        """The LEI record, or None when GLEIF does not know the LEI."""
        resource = self._one(f"lei-records/{lei}")
        return self._with_links(resource) if resource else None

    def lei_records(self, leis: Iterable[str]) -> Iterator[LeiRecord]:
        """The records of many LEIs, up to the page size per request (unknown LEIs are left out)."""
        leis = list(dict.fromkeys(leis))
        for start in range(0, len(leis), self.page_size):
            chunk = leis[start : start + self.page_size]
            for resource in self._pages("lei-records", {"filter[lei]": ",".join(chunk)}):
                yield self._with_links(resource)

    def parent(self, lei: str, level: str = DIRECT) -> LeiRecord | None:
        """The direct or ultimate parent's record, or None when none is reported."""
        resource = self._one(f"lei-records/{lei}/{_level(level)}-parent")
        return self._with_links(resource) if resource else None

    def parent_relationship(self, lei: str, level: str = DIRECT) -> RelationshipRecord | None:
        """The relationship record to the direct or ultimate parent, or None."""
        resource = self._one(f"lei-records/{lei}/{_level(level)}-parent-relationship")
        return relationship_record_from_json(resource) if resource else None

    def reporting_exception(self, lei: str, level: str = DIRECT) -> ReportingExceptionRecord | None:
        """Why no direct or ultimate parent is reported, or None."""
        resource = self._one(f"lei-records/{lei}/{_level(level)}-parent-reporting-exception")
        return reporting_exception_from_json(resource) if resource else None

    def children(self, lei: str, level: str = DIRECT) -> Iterator[LeiRecord]:
        """Every direct or ultimate child's record, across all pages."""
        for resource in self._pages(f"lei-records/{lei}/{_level(level)}-children"):
            yield self._with_links(resource)

    def child_relationships(self, lei: str, level: str = DIRECT) -> Iterator[RelationshipRecord]:
        """Every relationship record to a direct or ultimate child, across all pages."""
        for resource in self._pages(f"lei-records/{lei}/{_level(level)}-child-relationships"):
            yield relationship_record_from_json(resource)

    def parent_chain(self, lei: str, max_depth: int = 50) -> list[LeiRecord]:
        """The direct parents from `lei` upwards, ending at the top of the chain (the ultimate parent)."""
        chain: list[LeiRecord] = []
        seen = {lei}
        current = lei
        for _ in range(max_depth):
            parent = self.parent(current, DIRECT)
            if parent is None or parent.lei in seen:
                break
            chain.append(parent)
            seen.add(parent.lei)
            current = parent.lei
        return chain


def _level(level: str) -> str:
    if level not in _LEVELS:
        raise ValueError(f"level must be one of {_LEVELS}, not {level!r}")
    return level
