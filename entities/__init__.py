"""Legal entities and ownership from GLEIF."""
