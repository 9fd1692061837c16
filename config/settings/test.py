"""Test settings: fast hashing, eager Celery unless a test starts a real worker."""

from .base import *  # noqa: F403
from .base import env

SECRET_KEY = "test-secret-key-not-for-production"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=True)
# The suite sends many anonymous and bad-credential requests from one IP; tests of these limits set their own.
API_RATE_LIMITS = {**API_RATE_LIMITS, "anonymous": ["100000/m"], "failed_credentials": ["100000/m"]}  # noqa: F405
CELERY_TASK_EAGER_PROPAGATES = True
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# A file (not :memory:) so that subprocesses a test starts (a killed load, a Celery worker,
# gunicorn) see the same test database; pytest-xdist adds a per-worker suffix.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    DATABASES["default"]["TEST"] = {  # noqa: F405
        "NAME": env.str("SQLITE_TEST_DB_PATH", default=str(BASE_DIR / "var" / "test_marketdata.sqlite3"))  # noqa: F405
    }

# Tests serve no collected static files; let WhiteNoise look at the finders instead.
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
