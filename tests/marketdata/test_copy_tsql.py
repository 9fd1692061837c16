"""copy_database's own statements for SQL Server, rendered without a server and parsed as T-SQL (sqlglot's tsql).

No SQL Server runs here: the connection is mssql-django's, with the server's facts filled in and connecting
refused (marketdata/mssql_render.py). The GitHub Actions SQL Server job runs the copy for real.
"""

import pytest
import sqlglot
from django.db import connections, models
from sqlglot import exp
from sqlglot.dialects.tsql import TSQL

from marketdata.bulk import rows_insert_raw_sql
from marketdata.dbmove.copying import identity_insert_sql, identity_reseed_sql, table_clear_sql
from marketdata.dbmove.tables import models_copied
from marketdata.mssql_render import RENDER_ALIAS, _offline_connection

SQL_SERVER_PARAMETER_LIMIT = 2100
COPIED = models_copied()


@pytest.fixture(scope="module")
def mssql():
    """An offline mssql-django connection (SQL Server 2022, Azure)."""
    connection = _offline_connection(2022, True)
    assert connection.vendor == "microsoft"
    yield connection
    del connections[RENDER_ALIAS]
    connections.settings.pop(RENDER_ALIAS, None)


def _tsql(statement: str) -> exp.Expression:
    """A statement as mssql-django sends it (pyodbc's ? for Django's %s), parsed strictly as T-SQL."""
    return sqlglot.parse_one(statement.replace("%s", "?"), read="tsql", error_level=sqlglot.ErrorLevel.RAISE)


def _bare(quoted: str) -> str:
    assert quoted.startswith("[") and quoted.endswith("]"), quoted
    return quoted[1:-1]


@pytest.mark.parametrize("model", COPIED, ids=lambda model: model._meta.db_table)
def test_the_insert_of_every_copied_table_is_tsql_within_the_parameter_limit(mssql, model):
    columns = [field.column for field in model._meta.concrete_fields]
    insert = _tsql(rows_insert_raw_sql(model, columns, mssql))
    assert isinstance(insert, exp.Insert)
    assert insert.this.this.name == model._meta.db_table and insert.this.this.this.quoted
    assert [column.name for column in insert.this.expressions] == columns
    assert len(list(insert.find_all(exp.Placeholder))) == len(columns) <= SQL_SERVER_PARAMETER_LIMIT
    assert len(insert.expression.expressions) == 1  # one row per statement (executemany), far from 1,000 rows


@pytest.mark.parametrize("model", COPIED, ids=lambda model: model._meta.db_table)
def test_clearing_a_table_is_a_tsql_delete_of_that_table(mssql, model):
    delete = _tsql(table_clear_sql(model, mssql))
    assert (
        isinstance(delete, exp.Delete) and delete.this.name == model._meta.db_table and delete.args.get("where") is None
    )


def test_explicit_ids_go_in_with_identity_insert_on_every_identity_table(mssql):
    identity = [model for model in COPIED if isinstance(model._meta.pk, models.AutoField)]
    assert identity and len(identity) < len(COPIED)  # some tables key on text (sessions are not copied, ...)
    for model in COPIED:
        on, off = identity_insert_sql(model, mssql, True), identity_insert_sql(model, mssql, False)
        if model not in identity:
            assert on is None and off is None
            continue
        for statement, state in ((on, "ON"), (off, "OFF")):
            tokens = [token.text for token in TSQL().tokenize(statement)]
            assert tokens == ["SET", "IDENTITY_INSERT", model._meta.db_table, state], statement
            table = sqlglot.parse_one(statement.split()[2], into=exp.Table, read="tsql")
            assert table.name == model._meta.db_table and table.this.quoted


def test_reseeding_points_each_identity_past_the_copied_ids(mssql):
    for model in COPIED:
        statement = identity_reseed_sql(model, mssql)
        if not isinstance(model._meta.pk, models.AutoField):
            assert statement is None
            continue
        tokens = [(token.token_type.name, token.text) for token in TSQL().tokenize(statement)]
        assert [text for _, text in tokens] == [
            "DBCC", "CHECKIDENT", "(", f"[{model._meta.db_table}]", ",", "RESEED", ")", "WITH", "NO_INFOMSGS",
        ]  # fmt: skip
        assert tokens[3][0] == "STRING"
        table = sqlglot.parse_one(tokens[3][1], into=exp.Table, read="tsql")
        assert table.name == _bare(tokens[3][1]) == model._meta.db_table


def test_other_backends_need_no_identity_statements(settings):
    from django.db import connection

    assert connection.vendor in {"sqlite", "postgresql"}
    assert all(identity_insert_sql(model, connection, True) is None for model in COPIED)
