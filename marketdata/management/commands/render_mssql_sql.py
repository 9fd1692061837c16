"""Print the T-SQL of every project migration for SQL Server / Azure SQL, with no server."""

from django.core.management.base import BaseCommand

from marketdata.mssql_render import PROJECT_APPS, migrations_render_tsql


class Command(BaseCommand):
    """render_mssql_sql [--app LABEL ...] [--sql-server-version 2022] [--on-premises] [--output FILE]"""

    help = "Render the SQL Server DDL of every migration without connecting to a server."

    def add_arguments(self, parser):
        parser.add_argument("--app", action="append", dest="apps", help="Only this app (repeatable).")
        parser.add_argument("--sql-server-version", type=int, default=2022, help="SQL Server version to target.")
        parser.add_argument("--on-premises", action="store_true", help="Target SQL Server rather than Azure SQL.")
        parser.add_argument("--output", help="Write to this file instead of standard output.")

    def handle(self, *args, apps=None, sql_server_version=2022, on_premises=False, output=None, **options):
        rendered = migrations_render_tsql(tuple(apps or PROJECT_APPS), sql_server_version, not on_premises)
        lines = []
        for migration in rendered:
            lines.append(f"-- {migration.app_label}.{migration.name}")
            lines.extend(migration.statements)
            lines.append("")
        text = "\n".join(lines)
        if output:
            with open(output, "w", encoding="utf-8") as handle:
                handle.write(text)
        else:
            self.stdout.write(text)
        statements = sum(len(m.statements) for m in rendered)
        self.stderr.write(
            f"Rendered {len(rendered)} migrations, {statements} statements for SQL Server {sql_server_version}."
        )
