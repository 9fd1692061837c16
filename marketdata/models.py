"""Abstract base models and field helpers shared by every app."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class TimeStampedModel(models.Model):
    """A row that records when it was created and last changed."""

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


def code_relation(to, *, to_field: str, db_column: str, related_name: str, null: bool = False, **kwargs):
    """A relation joined on a business code (ISIN, LEI, MIC) with no database constraint.

    Sources arrive in any order (an instrument may name a LEI before GLEIF data is loaded),
    so the code is stored as it came and the related row is shown when it exists.
    """
    return models.ForeignKey(
        to,
        to_field=to_field,
        db_column=db_column,
        related_name=related_name,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=null,
        blank=null,
        **kwargs,
    )


def amount_field(**kwargs):
    """A decimal wide enough for issued nominal amounts and prices (28 digits, 10 after the point)."""
    return models.DecimalField(max_digits=28, decimal_places=10, null=True, blank=True, **kwargs)


def rate_field(**kwargs):
    """A decimal for rates, spreads and multipliers (20 digits, 10 after the point)."""
    return models.DecimalField(max_digits=20, decimal_places=10, null=True, blank=True, **kwargs)


class ApiKey(models.Model):
    """A long-lived API key of one user for machine clients; only its SHA-256 hash is stored."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_keys")
    name = models.CharField(max_length=100, blank=True, default="", help_text="What the key is for.")
    prefix = models.CharField(max_length=12, unique=True, editable=False, help_text="The key's public first part.")
    hashed_key = models.CharField(max_length=64, editable=False, help_text="SHA-256 of the whole key, hex.")
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    expires_at = models.DateTimeField(null=True, blank=True, help_text="Empty: never expires.")
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "API key"

    def __str__(self):
        return f"{self.prefix}… ({self.user}{', ' + self.name if self.name else ''})"

    @property
    def is_active(self) -> bool:
        """Neither revoked nor expired."""
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > timezone.now())


class DashboardSnapshot(models.Model):
    """The admin dashboard's aggregates, computed after loads so that the index page counts nothing."""

    name = models.CharField(max_length=30, unique=True, default="default")
    data = models.JSONField(default=dict, blank=True)
    computed_at = models.DateTimeField()
    duration_ms = models.PositiveIntegerField(default=0, help_text="How long computing the aggregates took.")

    def __str__(self):
        return f"dashboard {self.name} at {self.computed_at:%Y-%m-%d %H:%M}"


class AdminJob(models.Model):
    """A background job a curator started from the admin: what, by whom, its progress, outcome and runs."""

    class Kind(models.TextChoices):
        """What the job does."""

        ENRICH_INSTRUMENTS = "enrich_instruments", "Enrich instruments (issuers from GLEIF)"
        ENRICH_ENTITIES = "enrich_entities", "Enrich entities (GLEIF parents and children)"
        MAP_FIGI = "map_figi", "Map FIGIs (OpenFIGI)"
        LOAD_FIRDS = "load_firds", "FIRDS load for a date"
        LOAD_FITRS = "load_fitrs", "FITRS load for a date"
        LOAD_GLEIF = "load_gleif", "GLEIF load for a date"

    class Status(models.TextChoices):
        """Where the job stands."""

        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"

    kind = models.CharField(max_length=30, choices=Kind.choices)
    parameters = models.JSONField(default=dict, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="admin_jobs"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED, db_index=True)
    step = models.CharField(max_length=255, blank=True, default="", help_text="What the job is doing now.")
    done = models.PositiveBigIntegerField(default=0)
    total = models.PositiveBigIntegerField(null=True, blank=True)
    result = models.JSONField(default=dict, blank=True, help_text="The job's summary when it ended.")
    error = models.TextField(blank=True, default="")
    runs = models.JSONField(default=list, blank=True, help_text="Ids of the IngestionRuns the job wrote.")
    task_id = models.CharField(max_length=50, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "admin job"

    def __str__(self):
        return f"{self.get_kind_display()} #{self.pk} ({self.status})"

    @property
    def percent(self) -> int | None:
        """How far the job is, in percent, when its total is known."""
        if self.status == self.Status.SUCCEEDED:
            return 100
        return min(100, int(100 * self.done / self.total)) if self.total else None
