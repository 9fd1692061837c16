"""App config for the shared core."""

from django.apps import AppConfig
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

# Models whose saves and deletes make cached API responses stale (marketdata.services.data_version_bump).
CACHED_DATA_MODELS = (
    "instruments.Instrument",
    "instruments.Listing",
    "instruments.FigiMapping",
    "instruments.Transparency",
    "entities.LegalEntity",
    "venues.Venue",
)


class MarketdataConfig(AppConfig):
    """Shared core: keeps the Analysts and Curators groups' permissions in step with the models."""

    name = "marketdata"
    verbose_name = "Market data core"

    def ready(self):
        """Refuse a known secret key without DEBUG; connect the role-permission and beat-schedule hooks, the API key
        cache receivers and the data version receivers."""
        from config.settings.base import LOCAL_SECRET_KEY

        if not settings.DEBUG and settings.SECRET_KEY in ("", LOCAL_SECRET_KEY):
            raise ImproperlyConfigured(
                "DJANGO_SECRET_KEY is required when DEBUG is off: the repository's local key signs tokens anyone can "
                "forge (set DJANGO_SECRET_KEY, or DJANGO_DEBUG=true for local development)."
            )
        from django.db.models.signals import post_delete, post_migrate, post_save

        import marketdata.api.authentication  # noqa: F401 - connects the receivers that drop cached API keys
        from marketdata.services import beat_schedules_install, data_version_bump, roles_sync_permissions

        post_migrate.connect(roles_sync_permissions, dispatch_uid="marketdata.roles_sync_permissions")
        post_migrate.connect(beat_schedules_install, dispatch_uid="marketdata.beat_schedules_install")
        for label in CACHED_DATA_MODELS:  # cached API responses stay current after an edit (admin, enrichment)
            post_save.connect(data_version_bump, sender=label, dispatch_uid=f"data_version_bump_save:{label}")
            post_delete.connect(data_version_bump, sender=label, dispatch_uid=f"data_version_bump_delete:{label}")
