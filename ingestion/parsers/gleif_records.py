"""Plain records for GLEIF data, shared by the golden-copy parser and the API client (no Django)."""

from dataclasses import dataclass, field
from datetime import datetime


@dataclass
class LeiRecord:
    """One LEI record (level 1), as LEI-CDF 3.1 or the API's lei-records give it."""

    lei: str
    legal_name: str
    legal_name_language: str = ""
    other_names: list[dict] = field(default_factory=list)
    legal_address: dict = field(default_factory=dict)
    headquarters_address: dict = field(default_factory=dict)
    jurisdiction: str = ""
    category: str = ""
    sub_category: str = ""
    legal_form_code: str = ""
    legal_form_text: str = ""
    entity_status: str = ""
    registration_status: str = ""
    initial_registration_date: datetime | None = None
    last_update_date: datetime | None = None
    next_renewal_date: datetime | None = None
    managing_lou: str = ""
    corroboration_level: str = ""
    bics: list[str] = field(default_factory=list)
    successor_lei: str = ""
    record: dict = field(default_factory=dict)


@dataclass
class RelationshipRecord:
    """One parent relationship (level 2), as RR-CDF or the API's relationship records give it."""

    child_lei: str
    parent_lei: str
    relationship_type: str
    relationship_status: str = ""
    periods: list[dict] = field(default_factory=list)
    start_date: datetime | None = None
    end_date: datetime | None = None
    registration_status: str = ""
    initial_registration_date: datetime | None = None
    last_update_date: datetime | None = None
    validation_sources: str = ""
    record: dict = field(default_factory=dict)


@dataclass
class ReportingExceptionRecord:
    """Why an entity reports no direct or ultimate parent."""

    lei: str
    category: str
    reason: str
    reference: str = ""
    registration_status: str = ""
    last_update_date: datetime | None = None
