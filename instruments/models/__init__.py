"""Instrument models: instruments, listing versions, FIGIs, transparency."""

from .figi import FigiLookup, FigiMapping
from .instrument import Instrument
from .listing import Listing
from .transparency import Transparency

__all__ = ["FigiLookup", "FigiMapping", "Instrument", "Listing", "Transparency"]
