"""T-SQL of every migration for SQL Server, rendered with no server, and checked for SQL Server's limits."""

import re
from io import StringIO
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.db import connections
from django.db.migrations.loader import MigrationLoader

from marketdata.mssql_render import PROJECT_APPS, RENDER_ALIAS, migrations_render_tsql

NONCLUSTERED_KEY_LIMIT = 1700  # bytes, SQL Server 2016+
FIXED_WIDTHS = {
    "bit": 1,
    "tinyint": 1,
    "smallint": 2,
    "int": 4,
    "bigint": 8,
    "real": 4,
    "float": 8,
    "date": 3,
    "time": 5,
    "datetime2": 8,
    "datetime": 8,
    "datetimeoffset": 10,
    "uniqueidentifier": 16,
}


@pytest.fixture(scope="module")
def rendered(django_db_blocker):
    """Every project migration rendered once, with the ODBC driver's connect replaced by a tripwire."""
    import mssql.base

    attempts = []

    def tripwire(*args, **kwargs):
        attempts.append(args)
        raise AssertionError("rendering T-SQL opened a connection")

    original = mssql.base.Database.connect
    mssql.base.Database.connect = tripwire
    try:
        result = migrations_render_tsql()
    finally:
        mssql.base.Database.connect = original
    assert attempts == []
    return result


def _split_top_level(text: str) -> list[str]:
    """Split a column list on commas that are not inside parentheses."""
    parts, depth, current = [], 0, []
    for char in text:
        if char == "," and depth == 0:
            parts.append("".join(current).strip())
            current = []
            continue
        depth += {"(": 1, ")": -1}.get(char, 0)
        current.append(char)
    parts.append("".join(current).strip())
    return parts


COLUMN_RE = re.compile(r"^\[(\w+)\]\s+(\w+)(?:\(\s*(max|\d+)(?:\s*,\s*\d+)?\s*\))?(.*)$", re.S)


class Schema:
    """Tables, columns (type, length, nullable) and unique keys/indexes read from rendered DDL."""

    def __init__(self):
        self.columns: dict[str, dict[str, tuple[str, str | None, bool]]] = {}
        self.keys: list[tuple[str, str, list[str], bool, str]] = []  # (name, table, columns, unique, where)

    def add_column(self, table: str, definition: str):
        match = COLUMN_RE.match(definition)
        assert match, f"cannot parse column definition {definition!r}"
        name, type_name, length, rest = match.groups()
        nullable = "NOT NULL" not in rest and "PRIMARY KEY" not in rest
        self.columns.setdefault(table, {})[name] = (type_name.lower(), length, nullable)
        if re.search(r"\bUNIQUE\b", rest):
            self.keys.append((f"{table}.{name} (inline)", table, [name], True, ""))

    def read(self, statement: str):
        statement = statement.strip().rstrip(";")
        if match := re.match(r"^CREATE TABLE \[(\w+)\] \((.*)\)$", statement, re.S):
            table, body = match.groups()
            for item in _split_top_level(body):
                if constraint := re.match(r"^CONSTRAINT \[(\w+)\] UNIQUE \((.*)\)$", item):
                    self.keys.append((constraint[1], table, re.findall(r"\[(\w+)\]", constraint[2]), True, ""))
                elif not item.startswith("CONSTRAINT"):
                    self.add_column(table, item)
        elif match := re.match(r"^ALTER TABLE \[(\w+)\] ADD CONSTRAINT \[(\w+)\] UNIQUE \((.*)\)$", statement, re.S):
            table, name, columns = match.groups()
            self.keys.append((name, table, re.findall(r"\[(\w+)\]", columns), True, ""))
        elif match := re.match(r"^ALTER TABLE \[(\w+)\] ADD (\[\w+\] .*)$", statement, re.S):
            self.add_column(match[1], match[2])
        elif match := re.match(
            r"^CREATE (UNIQUE )?(?:NONCLUSTERED )?INDEX \[(\w+)\] ON \[(\w+)\] \(([^)]*)\)"
            r"(?: INCLUDE \([^)]*\))?(?: WHERE (.*))?$",
            statement,
            re.S,
        ):
            unique, name, table, columns, where = match.groups()
            self.keys.append((name, table, re.findall(r"\[(\w+)\]", columns), bool(unique), where or ""))

    def width(self, table: str, column: str) -> float:
        """Bytes a column takes in an index key (inf for max types)."""
        type_name, length, _ = self.columns[table][column]
        if type_name in ("nvarchar", "nchar"):
            return float("inf") if length == "max" else 2 * int(length)
        if type_name in ("varchar", "char", "varbinary", "binary"):
            return float("inf") if length == "max" else int(length)
        if type_name in ("numeric", "decimal"):
            precision = int(length or 18)
            return 5 if precision <= 9 else 9 if precision <= 19 else 13 if precision <= 28 else 17
        assert type_name in FIXED_WIDTHS, f"unknown SQL Server type {type_name} of {table}.{column}"
        return FIXED_WIDTHS[type_name]


@pytest.fixture(scope="module")
def schema(rendered) -> Schema:
    result = Schema()
    for migration in rendered:
        for statement in migration.statements:
            if not statement.startswith("--"):
                result.read(statement)
    return result


def test_every_project_migration_renders(rendered):
    loader = MigrationLoader(None, ignore_no_migrations=True)
    on_disk = {key for key in loader.disk_migrations if key[0] in PROJECT_APPS}
    assert {(m.app_label, m.name) for m in rendered} == on_disk
    assert all(m.statements for m in rendered if m.name != "0001_roles"), "a migration rendered no SQL"


def test_every_app_of_the_project_is_rendered():
    local = {
        config.label
        for config in apps.get_app_configs()
        if Path(config.path).is_relative_to(settings.BASE_DIR)
        and "site-packages" not in Path(config.path).parts
        and (Path(config.path) / "migrations").is_dir()
    }
    assert local <= set(PROJECT_APPS), f"apps with migrations missing from PROJECT_APPS: {local - set(PROJECT_APPS)}"


def test_rendering_leaves_no_connection_alias_behind(rendered):
    assert RENDER_ALIAS not in connections.settings
    assert RENDER_ALIAS not in settings.DATABASES


def test_the_ddl_creates_every_model_table(schema):
    for label in PROJECT_APPS:
        for model in apps.get_app_config(label).get_models():
            if model._meta.managed and not model._meta.proxy:
                table = model._meta.db_table
                assert table in schema.columns, f"{table} is not created by any migration"
                expected = {field.column for field in model._meta.local_concrete_fields}
                assert expected <= set(schema.columns[table]), f"{table} lacks {expected - set(schema.columns[table])}"


def test_no_unique_constraint_on_a_nullable_column_unless_filtered(schema):
    names = {key[0] for key in schema.keys}
    # Known keys of each kind (inline, table constraint, ALTER TABLE, filtered index) were all parsed.
    assert {
        "instruments_instrument.isin (inline)",
        "figimapping_isin_mic_figi_uniq",
        "listing_isin_mic_from_uniq",
        "listing_current_uniq",
        "instrument_category_idx",
    } <= names
    offending = []
    for name, table, columns, unique, where in schema.keys:
        for column in columns:
            if unique and schema.columns[table][column][2] and f"[{column}] IS NOT NULL" not in where:
                offending.append(f"{name} on {table}.{column}")
    assert offending == [], "SQL Server admits one NULL only in a UNIQUE key: " + ", ".join(offending)


def test_no_index_key_exceeds_the_nonclustered_limit(schema):
    too_wide = []
    for name, table, columns, _, _ in schema.keys:
        width = sum(schema.width(table, column) for column in columns)
        if width > NONCLUSTERED_KEY_LIMIT:
            too_wide.append(f"{name} on {table}({', '.join(columns)}): {width} bytes")
    assert too_wide == [], f"index keys over {NONCLUSTERED_KEY_LIMIT} bytes: " + "; ".join(too_wide)


def test_the_parser_catches_what_it_checks():
    # The two checks above would pass vacuously if the parser missed the statements; prove it sees them.
    probe = Schema()
    probe.read("CREATE TABLE [t] ([id] bigint NOT NULL PRIMARY KEY IDENTITY (1, 1), [a] nvarchar(900) NULL UNIQUE);")
    probe.read("ALTER TABLE [t] ADD [b] nvarchar(max) NULL;")
    probe.read("CREATE UNIQUE INDEX [u] ON [t] ([a]) WHERE [a] IS NOT NULL;")
    assert probe.columns["t"]["a"] == ("nvarchar", "900", True)
    assert [key[0] for key in probe.keys] == ["t.a (inline)", "u"]
    assert probe.width("t", "a") == 1800 and probe.width("t", "b") == float("inf")


def test_the_command_prints_every_migration(rendered, tmp_path):
    stdout, stderr = StringIO(), StringIO()
    call_command("render_mssql_sql", stdout=stdout, stderr=stderr)
    text = stdout.getvalue()
    for migration in rendered:
        assert f"-- {migration.app_label}.{migration.name}" in text
    assert "CREATE TABLE [instruments_instrument]" in text
    assert f"Rendered {len(rendered)} migrations" in stderr.getvalue()

    output = tmp_path / "ddl.sql"
    call_command(
        "render_mssql_sql", "--on-premises", "--sql-server-version", "2019", "--output", str(output), stderr=stderr
    )
    assert "CREATE TABLE [venues_venue]" in output.read_text()
