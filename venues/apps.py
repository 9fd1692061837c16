"""App config for venues."""

from django.apps import AppConfig


class VenuesConfig(AppConfig):
    """ISO 10383 market identifier codes."""

    name = "venues"
