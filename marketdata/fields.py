"""Model fields shared by the apps."""

from django.db import models


class LoadedJSONField(models.JSONField):
    """A JSONField without the JSON_VALID CHECK that Django adds on SQLite: its values are written only by loaders
    from parsed JSON (on a 200k-record FULINS the CHECK cost ~0.9 s of the listing insert, measured with raw
    sqlite3)."""

    def db_check(self, connection):
        """No CHECK constraint: the loaders write JSON they serialised themselves."""
        return None
