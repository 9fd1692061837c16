"""Shared core: identifiers, CFI decoding, base models, admin and API pieces."""
