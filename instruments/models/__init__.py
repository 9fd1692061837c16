"""Instrument models: instruments, listing versions, FIGIs, transparency."""

from .figi import FigiMapping
from .instrument import Instrument
from .listing import Listing
from .transparency import Transparency

__all__ = ["FigiMapping", "Instrument", "Listing", "Transparency"]
