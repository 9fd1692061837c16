"""App config for instruments."""

from django.apps import AppConfig


class InstrumentsConfig(AppConfig):
    """FIRDS instruments and listings, FITRS transparency, OpenFIGI mappings."""

    name = "instruments"
