"""A scratch database for benchmarks that run in-process: migrated fresh, dropped afterwards."""

import os
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def scratch_database(folder, prefix: str):
    """Point Django's default connection at a fresh migrated test database (a SQLite file in `folder`, or a
    `<prefix>_<pid>` database on a server), and drop it on the way out."""
    from django.db import connection

    name = f"{prefix}_{os.getpid()}"
    if connection.vendor == "sqlite":
        name = str(Path(folder) / f"{name}.sqlite3")
    connection.settings_dict["TEST"]["NAME"] = name
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        yield
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
