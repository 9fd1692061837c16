"""Settings for servers that access tests start: the test settings with the probe URLconf."""

from config.settings.test import *  # noqa: F403

ROOT_URLCONF = "tests.api.probe_urls"
