"""Choices for GLEIF fields (LEI-CDF 3.1, RR-CDF 2.1)."""

from django.db import models


class EntityStatus(models.TextChoices):
    """Whether the legal entity is operating."""

    ACTIVE = "ACTIVE", "Active"
    INACTIVE = "INACTIVE", "Inactive"
    NULL = "NULL", "Unknown"


class RegistrationStatus(models.TextChoices):
    """Status of an LEI or relationship registration."""

    PENDING_VALIDATION = "PENDING_VALIDATION", "Pending validation"
    ISSUED = "ISSUED", "Issued"
    DUPLICATE = "DUPLICATE", "Duplicate"
    LAPSED = "LAPSED", "Lapsed"
    MERGED = "MERGED", "Merged"
    RETIRED = "RETIRED", "Retired"
    ANNULLED = "ANNULLED", "Annulled"
    CANCELLED = "CANCELLED", "Cancelled"
    TRANSFERRED = "TRANSFERRED", "Transferred"
    PENDING_TRANSFER = "PENDING_TRANSFER", "Pending transfer"
    PENDING_ARCHIVAL = "PENDING_ARCHIVAL", "Pending archival"
    PUBLISHED = "PUBLISHED", "Published"


class EntityCategory(models.TextChoices):
    """GLEIF entity category."""

    GENERAL = "GENERAL", "General"
    BRANCH = "BRANCH", "Branch"
    FUND = "FUND", "Fund"
    SOLE_PROPRIETOR = "SOLE_PROPRIETOR", "Sole proprietor"
    RESIDENT_GOVERNMENT_ENTITY = "RESIDENT_GOVERNMENT_ENTITY", "Resident government entity"
    INTERNATIONAL_ORGANIZATION = "INTERNATIONAL_ORGANIZATION", "International organization"


class RelationshipType(models.TextChoices):
    """How the child relates to the parent (RR-CDF)."""

    DIRECT = "IS_DIRECTLY_CONSOLIDATED_BY", "Direct parent"
    ULTIMATE = "IS_ULTIMATELY_CONSOLIDATED_BY", "Ultimate parent"
    BRANCH = "IS_INTERNATIONAL_BRANCH_OF", "Branch of"
    FUND_MANAGED = "IS_FUND-MANAGED_BY", "Fund managed by"
    SUBFUND = "IS_SUBFUND_OF", "Sub-fund of"
    FEEDER = "IS_FEEDER_TO", "Feeder to"


class RelationshipStatus(models.TextChoices):
    """Whether the relationship holds now."""

    ACTIVE = "ACTIVE", "Active"
    INACTIVE = "INACTIVE", "Inactive"
    NULL = "NULL", "Unknown"


class ExceptionCategory(models.TextChoices):
    """Which parent a reporting exception is about."""

    DIRECT = "DIRECT_ACCOUNTING_CONSOLIDATION_PARENT", "Direct parent"
    ULTIMATE = "ULTIMATE_ACCOUNTING_CONSOLIDATION_PARENT", "Ultimate parent"


class ExceptionReason(models.TextChoices):
    """Why no parent is reported."""

    NATURAL_PERSONS = "NATURAL_PERSONS", "Controlled by natural persons"
    NON_CONSOLIDATING = "NON_CONSOLIDATING", "Parent does not consolidate"
    NO_KNOWN_PERSON = "NO_KNOWN_PERSON", "No known person controls"
    NON_PUBLIC = "NON_PUBLIC", "Non-public"
    NO_LEI = "NO_LEI", "Parent has no LEI"
    BINDING_LEGAL_COMMITMENTS = "BINDING_LEGAL_COMMITMENTS", "Binding legal commitments"
    LEGAL_OBSTACLES = "LEGAL_OBSTACLES", "Legal obstacles"
    DISCLOSURE_DETRIMENTAL = "DISCLOSURE_DETRIMENTAL", "Disclosure detrimental"
    DETRIMENT_NOT_EXCLUDED = "DETRIMENT_NOT_EXCLUDED", "Detriment not excluded"
    CONSENT_NOT_OBTAINED = "CONSENT_NOT_OBTAINED", "Consent not obtained"
