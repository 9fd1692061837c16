"""The image's start command and health check, run here without Docker: production settings under gunicorn."""

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def gunicorn(tmp_path_factory):
    """gunicorn serving config.wsgi with production settings, as the Dockerfile's CMD starts it."""
    port = _free_port()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "POSTGRES_", "AZURE_SQL_"))},
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DJANGO_SECRET_KEY": "container-test-key",
        "DJANGO_ALLOWED_HOSTS": "marketdata.example.com",
        "DATABASE_TYPE": "sqlite",
        "SQLITE_DB_PATH": str(tmp_path_factory.mktemp("gunicorn") / "db.sqlite3"),
        "PORT": str(port),
    }
    process = subprocess.Popen(
        [str(ROOT / ".venv" / "bin" / "gunicorn"), "config.wsgi:application", "--bind", f"127.0.0.1:{port}"]
        if (ROOT / ".venv" / "bin" / "gunicorn").exists()
        else [sys.executable, "-m", "gunicorn", "config.wsgi:application", "--bind", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            break
        except OSError:
            time.sleep(0.2)
    else:
        process.kill()
        pytest.fail(f"gunicorn did not start: {process.stderr.read().decode()[-2000:]}")
    yield port, env
    process.terminate()
    process.wait(timeout=10)


def test_the_health_check_passes_against_production_settings(gunicorn):
    port, env = gunicorn
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "healthcheck.py")], env=env, capture_output=True, text=True, timeout=30
    )
    assert result.returncode == 0, result.stderr


def test_a_bare_probe_would_be_redirected_or_refused(gunicorn):
    # Why the health check sends Host and X-Forwarded-Proto: production redirects to HTTPS and checks the host.
    port, _ = gunicorn

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    with pytest.raises(urllib.error.HTTPError) as raised:
        urllib.request.build_opener(NoRedirect).open(f"http://127.0.0.1:{port}/health/", timeout=5)
    assert raised.value.code in (301, 400)


def test_the_health_check_fails_when_nothing_answers(tmp_path):
    env = {**os.environ, "PORT": str(_free_port())}
    result = subprocess.run([sys.executable, str(ROOT / "scripts" / "healthcheck.py")], env=env, capture_output=True)
    assert result.returncode == 1
