"""Settings for benchmarks/api_load.py: the base settings, the benchmark URLconf (adds a bare view), limits raised."""

from config.settings.base import *  # noqa: F403
from config.settings.base import env

DEBUG = False
SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="benchmark-only-secret-key")
ROOT_URLCONF = "benchmarks.api_urls"
# The rate limiter still runs on every request (its cost is part of the figures) but never refuses one.
API_RATE_LIMITS = {
    "default": ["1000000000/m", "1000000000/h"],
    "token": ["1000000000/m"],
    "expensive": ["1000000000/m"],
}
LOGGING = {**LOGGING, "root": {"handlers": ["console"], "level": "ERROR"}}  # noqa: F405
