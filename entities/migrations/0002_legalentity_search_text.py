"""Name search: the normalized names of each entity, and the index each backend searches them with."""

from django.db import migrations, models

# PostgreSQL: a trigram GiST index (pg_trgm), which serves nearest-first (KNN) order by word distance. SQLite: an FTS5 trigram table kept by triggers (a later migration
# that makes Django rebuild entities_legalentity on SQLite drops the triggers: it must create them again).
# Other backends (SQL Server) search the column without an index (entities.selectors.entity_name_candidates).
POSTGRESQL_FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX entities_legalentity_search_trgm ON entities_legalentity USING gist (search_text gist_trgm_ops)",
]
POSTGRESQL_BACKWARD = ["DROP INDEX IF EXISTS entities_legalentity_search_trgm"]
SQLITE_FORWARD = [
    "CREATE VIRTUAL TABLE entities_legalentity_names USING fts5("
    "search_text, content='entities_legalentity', content_rowid='id', tokenize='trigram')",
    "INSERT INTO entities_legalentity_names(entities_legalentity_names) VALUES ('rebuild')",
    "CREATE TRIGGER entities_legalentity_names_ai AFTER INSERT ON entities_legalentity BEGIN "
    "INSERT INTO entities_legalentity_names(rowid, search_text) VALUES (new.id, new.search_text); END",
    "CREATE TRIGGER entities_legalentity_names_ad AFTER DELETE ON entities_legalentity BEGIN "
    "INSERT INTO entities_legalentity_names(entities_legalentity_names, rowid, search_text) "
    "VALUES ('delete', old.id, old.search_text); END",
    "CREATE TRIGGER entities_legalentity_names_au AFTER UPDATE OF search_text ON entities_legalentity BEGIN "
    "INSERT INTO entities_legalentity_names(entities_legalentity_names, rowid, search_text) "
    "VALUES ('delete', old.id, old.search_text); "
    "INSERT INTO entities_legalentity_names(rowid, search_text) VALUES (new.id, new.search_text); END",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS entities_legalentity_names_au",
    "DROP TRIGGER IF EXISTS entities_legalentity_names_ad",
    "DROP TRIGGER IF EXISTS entities_legalentity_names_ai",
    "DROP TABLE IF EXISTS entities_legalentity_names",
]


def fill_search_text(apps, schema_editor):
    """Compute the search text of entities stored before this migration."""
    from marketdata.names import name_search_text

    LegalEntity = apps.get_model("entities", "LegalEntity")
    batch = []
    for entity in LegalEntity.objects.only("id", "legal_name", "other_names").iterator(chunk_size=2000):
        entity.search_text = name_search_text(entity.legal_name, entity.other_names)
        batch.append(entity)
        if len(batch) == 2000:
            LegalEntity.objects.bulk_update(batch, ["search_text"], batch_size=500)
            batch = []
    LegalEntity.objects.bulk_update(batch, ["search_text"], batch_size=500)


def _run(statements):
    def run(apps, schema_editor):
        for sql in statements.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("entities", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="legalentity",
            name="search_text",
            field=models.TextField(
                blank=True, default="", editable=False, help_text="Normalized legal and other names, for name search."
            ),
        ),
        migrations.RunPython(fill_search_text, migrations.RunPython.noop),
        migrations.RunPython(
            _run({"postgresql": POSTGRESQL_FORWARD, "sqlite": SQLITE_FORWARD}),
            _run({"postgresql": POSTGRESQL_BACKWARD, "sqlite": SQLITE_BACKWARD}),
        ),
    ]
