"""Render the T-SQL of migrations for SQL Server / Azure SQL without opening a connection."""

from dataclasses import dataclass

from django.db import connections
from django.db.migrations.loader import MigrationLoader
from django.db.utils import ConnectionHandler

RENDER_ALIAS = "mssql_render"
PROJECT_APPS = ("marketdata", "venues", "entities", "instruments", "ingestion")


class ConnectionAttempted(RuntimeError):
    """Rendering tried to reach a server; it must not."""


@dataclass
class RenderedMigration:
    """The T-SQL statements of one migration."""

    app_label: str
    name: str
    statements: list[str]


def _offline_connection(sql_server_version: int, azure: bool):
    """An mssql-django connection that knows the server's facts and refuses to connect."""
    from mssql.base import DatabaseWrapper

    handler = ConnectionHandler(
        {
            "default": {"ENGINE": "django.db.backends.dummy"},
            RENDER_ALIAS: {
                "ENGINE": "mssql",
                "NAME": "marketdata",
                "HOST": "offline.invalid",
                "USER": "render",
                "PASSWORD": "render",
                "OPTIONS": {"driver": "ODBC Driver 18 for SQL Server"},
            },
        }
    )
    DatabaseWrapper._known_versions[RENDER_ALIAS] = sql_server_version
    DatabaseWrapper._known_azures[RENDER_ALIAS] = azure
    # Migration operations look the alias up in the global handler: define it only while rendering.
    connections.settings[RENDER_ALIAS] = handler.settings[RENDER_ALIAS]
    connection = connections[RENDER_ALIAS]

    def refuse(*_args, **_kwargs):
        raise ConnectionAttempted("rendering T-SQL tried to open a connection to SQL Server")

    connection.get_new_connection = refuse
    return connection


def migrations_render_tsql(
    app_labels: tuple[str, ...] = PROJECT_APPS, sql_server_version: int = 2022, azure: bool = True
) -> list[RenderedMigration]:
    """Every migration of the given apps, in dependency order, as SQL Server DDL."""
    connection = _offline_connection(sql_server_version, azure)
    try:
        return _render(connection, app_labels)
    finally:
        del connections[RENDER_ALIAS]
        connections.settings.pop(RENDER_ALIAS, None)


def _render(connection, app_labels: tuple[str, ...]) -> list[RenderedMigration]:
    """Apply every migration up to the apps' leaves in collect-SQL mode."""
    loader = MigrationLoader(None, ignore_no_migrations=True)
    targets = [key for key in loader.graph.leaf_nodes() if key[0] in app_labels]
    plan = []
    for target in targets:
        for key in loader.graph.forwards_plan(target):
            if key not in plan:
                plan.append(key)
    rendered = []
    for app_label, name in plan:
        if app_label not in app_labels:
            continue  # a dependency (Django's own apps): its state is used, its DDL is not ours to render
        migration = loader.get_migration(app_label, name)
        state = loader.project_state((app_label, name), at_end=False)
        with connection.schema_editor(collect_sql=True, atomic=False) as editor:
            migration.apply(state, editor, collect_sql=True)
        rendered.append(RenderedMigration(app_label, name, list(editor.collected_sql)))
    return rendered
