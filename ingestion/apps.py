"""App config for ingestion."""

from django.apps import AppConfig


class IngestionConfig(AppConfig):
    """Sources, parsers, loaders, pipelines and their run records."""

    name = "ingestion"
