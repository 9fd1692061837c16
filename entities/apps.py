"""App config for entities."""

from django.apps import AppConfig


class EntitiesConfig(AppConfig):
    """GLEIF legal entities, relationships and reporting exceptions."""

    name = "entities"
    verbose_name = "Legal entities"
