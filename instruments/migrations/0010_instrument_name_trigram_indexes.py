"""PostgreSQL: trigram GIN indexes on the instrument's names, so name search (admin `q`, API `q`) uses an index.

Django's icontains compares UPPER(column::text) LIKE '%word%'; the indexes hold that expression (pg_trgm, which
entities/0002 installs). At 10M listings (2.5M instruments) the admin's two-word name search took 1.67 s scanning
the ISIN index. SQLite scans the names (0.30 s there); other backends search without an index.
"""

from django.db import migrations

FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    *(
        f"CREATE INDEX instrument_{column}_trgm ON instruments_instrument "
        f"USING gin (UPPER({column}::text) gin_trgm_ops)"
        for column in ("full_name", "short_name")
    ),
]
BACKWARD = ["DROP INDEX IF EXISTS instrument_short_name_trgm", "DROP INDEX IF EXISTS instrument_full_name_trgm"]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for sql in statements:
                schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("instruments", "0009_listing_venue_order_index"), ("entities", "0002_legalentity_search_text")]

    operations = [migrations.RunPython(_run(FORWARD), _run(BACKWARD))]
