"""Local development: the embedded SQLite default, debug on."""

from .base import *  # noqa: F403
from .base import LOCAL_SECRET_KEY, SECRET_KEY, env

DEBUG = env.bool("DJANGO_DEBUG", default=True)
# The repository's key, for a local run only: refused at start-up once DEBUG is off (marketdata/apps.py).
SECRET_KEY = SECRET_KEY or (LOCAL_SECRET_KEY if DEBUG else "")
