"""Start gunicorn on a free port against the test database, for tests that need real server processes."""

import os
import re
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path

from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
LISTENING = re.compile(r"Listening at: http://127\.0\.0\.1:(\d+)")


def database_env() -> dict:
    """Environment variables that point config.databases at the database this test process uses."""
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        return {"DATABASE_TYPE": "sqlite", "SQLITE_DB_PATH": str(settings["NAME"])}
    if connection.vendor == "postgresql":
        return {
            "DATABASE_TYPE": "postgresql",
            "POSTGRES_DB": settings["NAME"],
            "POSTGRES_USER": settings["USER"] or "",
            "POSTGRES_PASSWORD": settings["PASSWORD"] or "",
            "POSTGRES_HOST": settings["HOST"] or "127.0.0.1",
            "POSTGRES_PORT": str(settings["PORT"] or 5432),
        }
    raise RuntimeError(f"no server environment for {connection.vendor}")


@contextmanager
def gunicorn_servers(count: int, settings_module: str, extra_env: dict, timeout: float = 60.0):
    """Yield the base URLs of `count` gunicorn processes (1 worker each) bound to free ports; stop them after."""
    env = {**os.environ, **database_env(), **extra_env, "DJANGO_SETTINGS_MODULE": settings_module}
    env.pop("DATABASE_URL", None)
    command = [sys.executable, "-m", "gunicorn", "config.wsgi:application", "-b", "127.0.0.1:0", "-w", "1"]
    processes = [subprocess.Popen(command, cwd=ROOT, env=env, stderr=subprocess.PIPE, text=True) for _ in range(count)]
    try:
        urls = []
        for process in processes:
            deadline, log = time.monotonic() + timeout, []
            while time.monotonic() < deadline:
                line = process.stderr.readline()
                if not line and process.poll() is not None:
                    raise RuntimeError("gunicorn exited:\n" + "".join(log))
                log.append(line)
                if match := LISTENING.search(line):
                    urls.append(f"http://127.0.0.1:{match.group(1)}")
                    break
            else:
                raise RuntimeError("gunicorn did not start:\n" + "".join(log))
        for process in processes:  # keep reading the log so that a full pipe never blocks the server
            threading.Thread(target=process.stderr.read, daemon=True).start()
        for url in urls:  # the first request imports Django's URLconf; wait until each answers
            _wait_until_up(url, deadline=time.monotonic() + timeout)
        yield urls
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()


def _wait_until_up(url: str, deadline: float) -> None:
    """Poll /health/ until it answers 200."""
    import httpx

    while True:
        try:
            if httpx.get(f"{url}/health/", timeout=5).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"{url} did not answer /health/")
        time.sleep(0.2)
