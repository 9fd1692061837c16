"""App config for the shared core."""

from django.apps import AppConfig


class MarketdataConfig(AppConfig):
    """Shared core: keeps the Analysts and Curators groups' permissions in step with the models."""

    name = "marketdata"
    verbose_name = "Market data core"

    def ready(self):
        """Connect the post-migrate hook that grants role permissions."""
        from django.db.models.signals import post_migrate

        from marketdata.services import roles_sync_permissions

        post_migrate.connect(roles_sync_permissions, dispatch_uid="marketdata.roles_sync_permissions")
