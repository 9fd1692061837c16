"""copy_database and verify_database between SQLite and PostgreSQL on the sample set loaded by the real loaders."""

import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import uuid
from datetime import UTC, datetime
from decimal import Decimal
from io import StringIO
from pathlib import Path

import psycopg
import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth.models import Group, Permission, User
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, connections, transaction

from benchmarks.firds_synth import synth_write
from ingestion.pipelines.firds import firds_load_file
from instruments.models import Listing
from marketdata.dbmove.aliases import database_alias
from marketdata.dbmove.tables import models_copied
from marketdata.dbmove.verifying import canonical, database_verify
from marketdata.models import ApiKey
from marketdata.services import api_key_issue
from tests.ingestion.test_firds_crash import _env_for_test_database
from venues.models import Venue

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "samples"
SYNTH_RECORDS = 3000  # listings enough for many batches, so that a kill lands inside the table
PG = {"host": "127.0.0.1", "port": 5432, "user": "postgres"}


def _pg_admin(sql: str) -> None:
    """Run one statement on the PostgreSQL server's maintenance database."""
    settings = connection.settings_dict if connection.vendor == "postgresql" else {}
    params = {**PG, "host": settings.get("HOST") or PG["host"], "user": settings.get("USER") or PG["user"]}
    with psycopg.connect(dbname="postgres", autocommit=True, **params) as admin:
        admin.execute(sql)


def _pg_url(name: str) -> str:
    """A django-environ URL for a database on the local PostgreSQL server."""
    settings = connection.settings_dict if connection.vendor == "postgresql" else {}
    user = settings.get("USER") or PG["user"]
    password = f":{settings['PASSWORD']}" if settings.get("PASSWORD") else ""
    return (
        f"postgres://{user}{password}@{settings.get('HOST') or PG['host']}:{settings.get('PORT') or PG['port']}/{name}"
    )


def _migrate(url: str) -> None:
    """Migrate the database at `url` in a manage.py subprocess (as an operator would)."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"}
    env.pop("DATABASE_URL", None)
    if url.startswith("sqlite:"):
        env.update(DATABASE_TYPE="sqlite", SQLITE_DB_PATH=url.removeprefix("sqlite:///"))
    else:
        env.update(DATABASE_TYPE="postgresql", DATABASE_URL=url)
    subprocess.run([sys.executable, "manage.py", "migrate", "--no-input", "-v", "0"], cwd=ROOT, env=env, check=True)


@pytest.fixture(scope="module")
def templates(tmp_path_factory):
    """A migrated PostgreSQL database and a migrated SQLite file, cloned by each test (migrate runs once)."""
    pg_template = f"marketdata_h5_tpl_{uuid.uuid4().hex[:8]}"
    sqlite_template = tmp_path_factory.mktemp("copy") / "template.sqlite3"
    _pg_admin(f'CREATE DATABASE "{pg_template}"')
    try:
        _migrate(_pg_url(pg_template))
        _migrate(f"sqlite:///{sqlite_template}")
        yield pg_template, sqlite_template
    finally:
        _pg_admin(f'DROP DATABASE IF EXISTS "{pg_template}" WITH (FORCE)')


@pytest.fixture
def fresh(templates, tmp_path):
    """A factory of freshly migrated, empty target databases: fresh("postgresql") or fresh("sqlite") -> URL."""
    pg_template, sqlite_template = templates
    made = []

    def make(vendor: str) -> str:
        if vendor == "sqlite":
            path = tmp_path / f"target-{len(made)}.sqlite3"
            shutil.copyfile(sqlite_template, path)
            made.append(None)
            return f"sqlite:///{path}"
        name = f"marketdata_h5_copy_{uuid.uuid4().hex[:8]}"
        _pg_admin(f'CREATE DATABASE "{name}" TEMPLATE "{pg_template}"')
        made.append(name)
        return _pg_url(name)

    yield make
    for name in made:
        if name:
            _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _other(vendor: str) -> str:
    """The other backend of the two."""
    return "postgresql" if vendor == "sqlite" else "sqlite"


def _shift_ids(url: str, offset: int = 1000) -> None:
    """Give the target's content types and permissions other ids than the source's, as another migrate history would."""
    # One transaction: the foreign keys are checked at commit (Django creates them deferrable on both backends).
    with database_alias(url, "shift") as alias, transaction.atomic(using=alias), connections[alias].cursor() as cursor:
        cursor.execute(f"UPDATE django_content_type SET id = id + {offset}")
        cursor.execute(f"UPDATE auth_permission SET id = id + {offset}, content_type_id = content_type_id + {offset}")
        cursor.execute(f"UPDATE auth_group_permissions SET permission_id = permission_id + {offset}")


@pytest.fixture
def loaded(transactional_db):
    """The default database with the sample set (MIC, GLEIF, FIRDS through the real loaders) and a site's accounts."""
    call_command("load_sample_data", stdout=StringIO())
    curator = User.objects.create_user("curator", password="pw-1")
    curator.groups.add(Group.objects.get(name="Curators"))
    stale = ContentType.objects.create(app_label="legacy", model="gone")  # a model removed since: kept as it is
    curator.user_permissions.add(Permission.objects.create(content_type=stale, codename="view_gone", name="Gone"))
    api_key_issue(user=curator, name="copy test")
    listing = Listing.objects.order_by("pk").first()
    LogEntry.objects.create(
        user=curator,
        content_type=ContentType.objects.get_for_model(Listing),
        object_id=str(listing.pk),
        object_repr=str(listing),
        action_flag=CHANGE,
        change_message="[]",
    )
    return connection.vendor


def _copy(url: str, *args: str) -> str:
    """Run copy_database, return its output."""
    out = StringIO()
    call_command("copy_database", url, *args, stdout=out)
    return out.getvalue()


def _checksums(source: str | None, url: str) -> dict[str, tuple]:
    """table -> (rows, checksum) of the source as compared with the database at `url`; all must be identical."""
    with database_alias(source, "cmp_source") as source_alias, database_alias(url, "cmp_target") as target_alias:
        checks = database_verify(source_alias, target_alias)
    assert [check.line() for check in checks if not check.ok] == []
    return {check.table: (check.source_rows, check.source_checksum) for check in checks}


@pytest.mark.slow
def test_copy_there_and_back_is_identical(loaded, fresh, tmp_path):
    """Default -> the other backend -> a fresh one of the default's kind: same counts and checksums everywhere."""
    there = fresh(_other(loaded))
    _shift_ids(there)  # content type and permission ids differ from the source's: matched by natural key
    output = _copy(there, "--verify", "--backup-dir", str(tmp_path / "backups"))
    assert re.search(r"instruments_listing: \d+ rows copied in [\d.]+s \([\d,]+ rows/s\)", output), output
    assert f"verified {len(models_copied())} tables: identical" in output

    back = fresh(loaded)
    output = _copy(back, "--source", there, "--verify", "--no-backup")
    assert f"verified {len(models_copied())} tables: identical" in output

    original, copied_there, copied_back = _checksums(None, there), _checksums(there, back), _checksums(None, back)
    assert original == copied_there == copied_back
    assert original["instruments_listing"][0] == Listing.objects.count() > 100
    assert original["venues_venue"][0] > 200 and original["entities_legalentity"][0] > 50

    backups = list((tmp_path / "backups").glob("*.sqlite3"))  # the SQLite side, backed up before the copy
    assert len(backups) == 1
    with sqlite3.connect(backups[0]) as backup:
        assert backup.execute("SELECT count(*) FROM django_migrations").fetchone()[0] > 10

    with database_alias(there, "there") as alias:
        curator = User.objects.using(alias).get(username="curator")
        assert curator.check_password("pw-1")
        assert list(curator.groups.values_list("name", flat=True)) == ["Curators"]
        assert list(curator.user_permissions.values_list("content_type__app_label", "codename")) == [
            ("legacy", "view_gone")
        ]
        assert ApiKey.objects.using(alias).get().hashed_key == ApiKey.objects.get().hashed_key
        entry = LogEntry.objects.using(alias).get()
        assert (entry.content_type.app_label, entry.content_type.model) == ("instruments", "listing")
        assert entry.content_type_id != ContentType.objects.get_for_model(Listing).pk  # really translated
        Group.objects.using(alias).create(name="After the copy")  # sequences point past the copied ids


@pytest.mark.slow
def test_changed_row_is_reported(loaded, fresh):
    """A value changed on the target and a row deleted there: verify_database names the table and pk, exits non-zero."""
    target = fresh(_other(loaded))
    _copy(target, "--no-backup")
    listing = Listing.objects.order_by("pk")[10]
    venue_pk = Venue.objects.order_by("-pk").values_list("pk", flat=True).first()
    with database_alias(target, "edit") as alias, connections[alias].cursor() as cursor:
        cursor.execute("UPDATE instruments_listing SET full_name = %s WHERE id = %s", ["Changed", listing.pk])
        cursor.execute("DELETE FROM venues_venue WHERE id = %s", [venue_pk])
    out = StringIO()
    with pytest.raises(
        CommandError, match=rf"differences in 2 of {len(models_copied())} tables: venues_venue, instruments_listing"
    ):
        call_command("verify_database", target, stdout=out)
    report = out.getvalue()
    assert "instruments_listing: DIFFERENT" in report and f"first differing pk {listing.pk}," in report
    assert "1 changed, 0 missing" in report
    venues = Venue.objects.count()
    assert f"venues_venue: DIFFERENT: {venues} rows in the source, {venues - 1} in the target" in report
    assert f"missing pk {venue_pk}" in report
    assert "entities_legalentity: " in report and "entities_legalentity: DIFFERENT" not in report


@pytest.mark.slow
def test_killed_copy_resumes_to_identical(loaded, fresh, tmp_path):
    """A copy killed inside the listings table, then --resume: the target ends identical to the source."""
    path = tmp_path / "FULINS_X_20250830_01of01.zip"
    synth_write(path, SYNTH_RECORDS, seed=5)
    assert firds_load_file(path).status == "succeeded"
    total = Listing.objects.count()
    target = fresh(_other(loaded))
    process = subprocess.Popen(
        [sys.executable, "manage.py", "copy_database", target, "--batch-size", "50", "-v", "2", "--no-backup"],
        cwd=ROOT,
        env={**_env_for_test_database(), "PYTHONUNBUFFERED": "1"},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        for line in process.stdout:
            if line.startswith("instruments_listing: 100 rows so far"):
                break
        else:
            pytest.fail(f"the copy ended before the listings were reported:\n{process.stderr.read()}")
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
        process.stdout.close()
        process.stderr.close()
    assert process.returncode == -signal.SIGKILL
    with database_alias(target, "partial") as alias:
        partial = Listing.objects.using(alias).count()
    assert 100 <= partial < total  # killed inside the table

    with pytest.raises(CommandError, match="the target already holds rows in"):
        _copy(target, "--no-backup")  # a fresh copy refuses a half-filled target
    output = _copy(target, "--resume", "--verify", "--no-backup")
    assert re.search(r"instruments_listing: \d+ rows copied \(resumed after pk \d+\)", output), output
    assert f"verified {len(models_copied())} tables: identical" in output


@pytest.mark.slow
def test_partial_tables_then_resume(loaded, fresh):
    """--tables copies only those tables; --resume then copies the rest, skipping what is there."""
    target = fresh(_other(loaded))
    output = _copy(target, "--tables", "venues_venue", "entities.legalentity", "--no-backup")
    assert "venues_venue: " in output and "instruments_listing" not in output
    with database_alias(target, "partial") as alias:
        assert Listing.objects.using(alias).count() == 0
    output = _copy(target, "--resume", "--verify", "--no-backup")
    assert "venues_venue: 0 rows copied (resumed after pk" in output
    assert f"verified {len(models_copied())} tables: identical" in output


@pytest.mark.slow
def test_unmigrated_target_is_refused(loaded, tmp_path):
    """A target without the project's migrations: the copy stops before writing, naming what is missing."""
    with pytest.raises(CommandError, match="the target database lacks migrations .*run migrate on it first"):
        _copy(f"sqlite:///{tmp_path / 'empty.sqlite3'}", "--no-backup")


def test_canonical_values_agree_across_backends():
    """The forms that backends return for the same stored value have one canonical form."""
    from datetime import timedelta, timezone

    moment = datetime(2025, 8, 30, 12, 0, tzinfo=UTC)
    assert canonical(moment) == canonical(moment.astimezone(timezone(timedelta(hours=2))))
    assert canonical(Decimal("1.5000000000")) == canonical(Decimal("1.5")) == "1.5"
    assert canonical(Decimal("0E-10")) == canonical(Decimal("0")) == "0"
    assert canonical(Decimal("100")) == canonical(Decimal("1E+2")) == "100"
    assert canonical({"b": 1, "a": [1, 2]}) == canonical({"a": [1, 2], "b": 1})
    assert canonical(True) is True and canonical(1) == "1"
    assert canonical(Decimal("1.5")) != canonical(Decimal("1.50001"))


@pytest.mark.slow
def test_the_copy_rehearsal_runs_sqlite_to_postgresql(fresh, tmp_path):
    """scripts/copy_rehearsal.sh (run SQLite -> SQL Server in GitHub Actions): the same steps, here to PostgreSQL."""
    target = fresh("postgresql")
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DATABASE_", "POSTGRES_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.test",
        DATABASE_TYPE="sqlite",
        SQLITE_DB_PATH=str(tmp_path / "source.sqlite3"),
        TARGET_ENV=f"DATABASE_TYPE=postgresql DATABASE_URL={target}",
        PYTHON=sys.executable,
    )
    result = subprocess.run(
        ["bash", "scripts/copy_rehearsal.sh", target, str(tmp_path / "backups")],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, (result.stdout + result.stderr)[-3000:]
    assert "venues_venue: 0 rows copied (resumed after pk" in result.stdout
    assert f"verified {len(models_copied())} tables: identical" in result.stdout
    assert re.search(r"venues_venue: DIFFERENT: \d+ rows; .* 1 changed, 0 missing", result.stdout)
    assert len(list((tmp_path / "backups").glob("source-*.sqlite3"))) == 1  # the SQLite source, backed up first
