"""Pipelines: source -> parser -> loader, one module per source, each writing IngestionRun rows."""
