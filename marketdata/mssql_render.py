"""Render the T-SQL of migrations for SQL Server / Azure SQL without opening a connection."""

import functools
import types
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
        tables = {model._meta.db_table: model for model in state.apps.get_models()}
        with connection.schema_editor(collect_sql=True, atomic=False) as editor:
            editor._constraint_names = types.MethodType(_state_constraint_names, editor)
            connection.cursor = _NoCursor
            connection.introspection.get_constraints = functools.partial(_table_constraints, editor, tables)
            migration.apply(state, editor, collect_sql=True)
        rendered.append(RenderedMigration(app_label, name, list(editor.collected_sql)))
    return rendered


def _state_constraints(editor, model) -> dict[str, dict]:
    """A table's indexes and constraints as Django names them, from the migration state instead of the server's
    catalog (mssql-django reads the catalog before it alters or removes an indexed or checked column), in the shape
    of the introspection's get_constraints."""
    meta = model._meta
    table = meta.db_table
    found: dict[str, dict] = {}

    def add(name, columns, **kinds):
        info = {"columns": columns, "primary_key": False, "unique": False, "foreign_key": None, "check": False}
        info.update(index=False, type=None, default=False)
        info.update(kinds)
        found[str(name)] = info

    for field in meta.local_fields:
        if field.primary_key:
            continue
        if field.unique:
            add(editor._create_index_name(table, [field.column], suffix="_uniq"), [field.column], unique=True)
        elif field.db_index:
            add(editor._create_index_name(table, [field.column], suffix=""), [field.column], index=True, type="idx")
        if field.is_relation and getattr(field, "db_constraint", False):
            target = field.target_field
            add(
                editor._fk_constraint_name(model, field, "_fk_%(to_table)s_%(to_column)s"),
                [field.column],
                foreign_key=(target.model._meta.db_table, target.column),
            )
        if field.db_parameters(connection=editor.connection)["check"]:
            add(editor._create_index_name(table, [field.column], suffix="_check"), [field.column], check=True)
    for meta_index in meta.indexes:
        columns = [meta.get_field(name).column for name, _ in meta_index.fields_orders]
        add(meta_index.name, columns, index=True, type="idx")
    for constraint in meta.constraints:
        fields = getattr(constraint, "fields", ())
        if fields:
            add(constraint.name, [meta.get_field(name).column for name in fields], unique=True, index=True)
    return found


def _state_constraint_names(
    editor,
    model,
    column_names=None,
    unique=None,
    primary_key=None,
    index=None,
    foreign_key=None,
    check=None,
    type_=None,
    exclude=None,
):
    """BaseDatabaseSchemaEditor._constraint_names answered from the migration state (see _state_constraints)."""
    names = []
    for name, info in _state_constraints(editor, model).items():
        if column_names is not None and info["columns"] != list(column_names):
            continue
        if (unique is not None and info["unique"] != unique) or (index is not None and info["index"] != index):
            continue
        if (check is not None and info["check"] != check) or (type_ is not None and info["type"] != type_):
            continue
        if foreign_key is not None and bool(info["foreign_key"]) != foreign_key:
            continue
        if primary_key or (exclude and name in exclude):
            continue
        names.append(name)
    return names


def _table_constraints(editor, tables: dict, cursor, table: str) -> dict[str, dict]:
    """Introspection's get_constraints(cursor, table) answered from the migration state."""
    return _state_constraints(editor, tables[table])


class _NoCursor:
    """Stands for a cursor while rendering: nothing is executed through it."""

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False
